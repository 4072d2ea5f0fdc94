/**
 * otel-context-transformer/babel: what the conformance backends do not show.
 * Source maps through Babel's own map, positions of the original nodes,
 * idempotence, option errors, ignored and unparsable files.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

const require = createRequire(import.meta.url);
const babel = require('@babel/core') as typeof import('@babel/core');
const plugin = require.resolve('otel-context-transformer/babel');
const typescript = require.resolve('@babel/preset-typescript');
const env = require.resolve('@babel/preset-env');
const reactNative = require.resolve('@react-native/babel-preset');

const SOURCE = `import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('t');

export async function handle(id: string): Promise<number> {
  const user = await load(id);
  try {
    await save(user);
  } catch ({ code = 1 }) {
    report(code);
  }
  setTimeout(() => report('later'), 1);
  return 1;
}

declare function load(id: string): Promise<unknown>;
declare function save(user: unknown): Promise<void>;
declare function report(value: unknown): void;
`;

interface Run {
  code?: string;
  presets?: unknown[];
  pluginOptions?: Record<string, unknown>;
  filename?: string;
  withPlugin?: boolean;
  extra?: Record<string, unknown>;
}

function compile({
  code = SOURCE,
  presets = [typescript],
  pluginOptions = {},
  filename = '/project/src/handle.ts',
  withPlugin = true,
  extra = {},
}: Run) {
  return babel.transformSync(code, {
    filename,
    babelrc: false,
    configFile: false,
    browserslistConfigFile: false,
    sourceMaps: true,
    plugins: withPlugin ? [[plugin, pluginOptions]] : [],
    presets,
    ...extra,
  })!;
}

/** Where in the original the first occurrence of `needle` in the output comes from. */
function origin(result: { code?: string | null; map?: unknown }, needle: string) {
  const lines = result.code!.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  expect(line, `${needle} in the output`).toBeGreaterThanOrEqual(0);
  const map = new TraceMap(result.map as never);
  return originalPositionFor(map, { line: line + 1, column: lines[line]!.indexOf(needle) });
}

/** 1-based line and 0-based column of `needle` in SOURCE. */
function at(needle: string) {
  const offset = SOURCE.indexOf(needle);
  const before = SOURCE.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length };
}

describe('source maps', () => {
  it('map the operand of an await back to its original line and column, after preset-env lowered the await to yield', () => {
    const result = compile({ presets: [typescript, [env, { targets: { node: '6' } }]] });
    expect(result.code).toContain('yield __otelCtx.suspend(__otelFrame, load(id))');
    expect(origin(result, 'load(id)')).toMatchObject({ source: 'handle.ts', ...at('load(id)') });
    expect(origin(result, 'save(user)')).toMatchObject(at('save(user)'));
    expect(origin(result, 'report(code)')).toMatchObject(at('report(code)'));
    expect(origin(result, "report('later')")).toMatchObject(at("report('later')"));
  });

  it('map through @react-native/babel-preset (compact output on one line)', () => {
    const result = compile({ presets: [[reactNative, {}]] });
    expect(result.code).toContain('__otelCtx.suspend(__otelFrame,load(id))');
    expect(origin(result, 'load(id)')).toMatchObject(at('load(id)'));
    expect(origin(result, 'save(')).toMatchObject(at('save(user)'));
    expect(origin(result, 'report(code)')).toMatchObject(at('report(code)'));
  });

  it('give every original node its original position and inserted nodes none', () => {
    const result = babel.transformSync(SOURCE, {
      filename: '/project/src/handle.ts',
      babelrc: false,
      configFile: false,
      ast: true,
      code: false,
      plugins: [plugin],
      presets: [typescript],
    })!;
    let identifiers = 0;
    let inserted = 0;
    babel.traverse(result.ast!, {
      Identifier(path) {
        const node = path.node;
        if (node.start == null) {
          expect(node.loc).toBeFalsy();
          inserted++;
          return;
        }
        identifiers++;
        // A typed binding's node spans its annotation too (`id: string`).
        expect(SOURCE.slice(node.start, node.end!)).toMatch(new RegExp(`^${node.name}\\b`));
        const { line, column } = at(node.name);
        if (SOURCE.indexOf(node.name) === node.start) expect(node.loc!.start).toMatchObject({ line, column });
      },
    });
    expect(identifiers).toBeGreaterThan(10);
    expect(inserted).toBeGreaterThan(10);
  });
});

/** The Babel AST of `code` after our plugin (no preset: nothing else moves nodes). */
function astOf(code: string) {
  return babel.transformSync(code, {
    filename: '/project/src/handle.js',
    babelrc: false,
    configFile: false,
    ast: true,
    code: false,
    plugins: [[plugin, { onDiagnostic: (d: { message: string }) => expect.fail(d.message) }]],
  })!.ast!;
}

/** Every node that has a position: its range is ordered, and an identifier's range holds its name. */
function expectConsistentPositions(code: string, ast: ReturnType<typeof astOf>) {
  babel.traverse(ast, {
    enter(path) {
      const { node } = path;
      if (node.start == null) return;
      expect(node.start, `${node.type} ${node.start}-${node.end}`).toBeLessThanOrEqual(node.end!);
      if (node.type === 'Identifier') expect(code.slice(node.start, node.end!)).toBe(node.name);
    },
  });
}

// transform() moves a catch clause's destructuring pattern into the block (its defaults must run after
// reenter). Positions come from the edits themselves: around the moved pattern, where inserted text may
// read like the original text next to it, nothing is guessed from where the two texts agree.
describe('positions around the moved catch pattern', () => {
  it('the declaration that unpacks the pattern spans the pattern, not the original text after it', () => {
    const code = `export async function handle() {
  try {
    await save();
  } catch ({ code = 1 } /* the error */) {
    report(code);
  }
}
`;
    const ast = astOf(code);
    expectConsistentPositions(code, ast);
    const pattern = { start: code.indexOf('{ code = 1 }'), end: code.indexOf('{ code = 1 }') + '{ code = 1 }'.length };
    const unpacking: any[] = [];
    babel.traverse(ast, {
      VariableDeclarator(path) {
        if (path.node.init?.type === 'Identifier' && path.node.init.name === '__otelError') unpacking.push(path.node);
      },
    });
    expect(unpacking).toHaveLength(1);
    const [declarator] = unpacking;
    expect(declarator.id).toMatchObject(pattern);
    // The inserted ` = __otelError` is ours: the declarator's original part ends where the pattern does.
    expect(declarator).toMatchObject(pattern);
    expect(declarator.loc).toMatchObject({ start: { line: 4, column: 11 }, end: { line: 4, column: 23 } });
  });

  it('inserted text identical to the original text after it stays inserted', () => {
    // The catch block begins with the very statement we insert there: only the second one is the file's.
    const code = `export async function handle() {
  try {
    await save();
  } catch ({ code }) { __otelCtx.reenter(__otelFrame); report(code); }
}
`;
    const ast = astOf(code);
    expectConsistentPositions(code, ast);
    const reenters: any[] = [];
    babel.traverse(ast, {
      CatchClause(path) {
        for (const statement of path.node.body.body) {
          if (statement.type === 'ExpressionStatement' && babel.types.isCallExpression(statement.expression)) {
            const callee = statement.expression.callee;
            if (babel.types.isMemberExpression(callee) && babel.types.isIdentifier(callee.property, { name: 'reenter' })) {
              reenters.push(statement);
            }
          }
        }
      },
    });
    expect(reenters).toHaveLength(2);
    const [ours, theirs] = reenters;
    expect(ours.loc).toBeNull();
    expect(ours.start).toBeNull();
    const start = code.indexOf('__otelCtx.reenter');
    expect(theirs).toMatchObject({ start, end: code.indexOf('report(code)') - 1 });
    expect(theirs.loc.start).toMatchObject({ line: 4, column: 23 });
  });
});

describe('idempotence', () => {
  it('a second run over the plugin output changes nothing', () => {
    const once = compile({}).code!;
    expect(once).toContain('__otelCtx.frame()');
    const twice = compile({ code: once }).code!;
    expect(twice).toBe(once);
  });

  it('a second run over CommonJS output of preset-env changes nothing', () => {
    const once = compile({ presets: [typescript, [env, { targets: { node: '6' } }]] }).code!;
    const twice = compile({ code: once, filename: '/project/out/handle.js', withPlugin: true }).code!;
    const without = compile({ code: once, filename: '/project/out/handle.js', withPlugin: false }).code!;
    expect(twice).toBe(without);
  });
});

describe('options', () => {
  it.each([
    [{ bogus: true }, /unknown option "bogus"/],
    [{ skip: ['timers', 'nope'] }, /option "skip" has unknown value "nope"/],
    [{ include: 'src/**' }, /option "include" must be an array/],
    [{ helpers: 'esm' }, /option "helpers" has unknown value "esm"/],
    [{ runtimeModule: '' }, /option "runtimeModule"/],
  ])('%j is a Babel error naming the key', (options, message) => {
    expect(() => compile({ pluginOptions: options })).toThrow(message);
  });

  it('the core options apply: skip, runtimeModule, exclude', () => {
    const code = compile({ pluginOptions: { skip: ['timers'], runtimeModule: '@acme/otel-runtime' } }).code!;
    expect(code).toContain('from "@acme/otel-runtime"');
    expect(code).toContain("setTimeout(() => report('later'), 1)");
    expect(code).toContain('__otelCtx.suspend(__otelFrame, load(id))');
    const excluded = compile({ pluginOptions: { exclude: ['/project/src/**'] } }).code!;
    expect(excluded).toBe(compile({ withPlugin: false }).code);
  });

  it('scripts (sourceType script, as CommonJS files are) get the helpers through require', () => {
    const code = compile({
      code: 'setTimeout(() => f(), 1);\nmodule.exports = 1;\n',
      filename: '/project/src/legacy.js',
      extra: { sourceType: 'script' },
    }).code!;
    expect(code).toContain('const __otelCtx = require("otel-context-transformer/runtime");');
    expect(code).toContain('setTimeout(__otelCtx.bind(() => f()), 1)');
  });
});

describe('files left alone', () => {
  it('a file with // otel-context-ignore-file is untouched', () => {
    const code = `// otel-context-ignore-file\n${SOURCE}`;
    const presets = [typescript, [env, { targets: { node: '6' } }]];
    const result = compile({ code, presets });
    expect(result.code).not.toContain('__otel');
    expect(result.code).toBe(compile({ code, presets, withPlugin: false }).code);
  });

  it('a file our parser cannot read (Flow) is left as Babel has it, with a diagnostic', () => {
    const code = `// @flow\nexport function later(ms: number): void {\n  setTimeout(() => {}, ms);\n}\n`;
    const diagnostics: string[] = [];
    const presets = [[reactNative, {}]];
    const result = compile({
      code,
      presets,
      filename: '/project/src/later.js',
      pluginOptions: { onDiagnostic: (d: { message: string }) => diagnostics.push(d.message) },
    });
    expect(diagnostics.join('\n')).toMatch(/syntax error, file left unchanged/);
    expect(result.code).toBe(compile({ code, presets, filename: '/project/src/later.js', withPlugin: false }).code);
  });

  it('a file another plugin changed before ours is left alone, with a diagnostic (ours must come first)', () => {
    const earlier = ({ types: t }: typeof babel) => ({
      visitor: {
        Program: {
          enter(path: any) {
            path.unshiftContainer('body', t.expressionStatement(t.stringLiteral('earlier')));
          },
        },
      },
    });
    const diagnostics: string[] = [];
    const options = (plugins: unknown[]) => ({
      filename: '/project/src/handle.ts',
      babelrc: false,
      configFile: false,
      presets: [typescript],
      plugins,
    });
    const ours = [plugin, { onDiagnostic: (d: { message: string }) => diagnostics.push(d.message) }];
    const before = babel.transformSync(SOURCE, options([earlier, ours]))!.code;
    expect(diagnostics.join('\n')).toMatch(/list it first in "plugins"/);
    expect(before).toBe(babel.transformSync(SOURCE, options([earlier]))!.code);
    const after = babel.transformSync(SOURCE, options([ours, earlier]))!.code!;
    expect(after).toMatch(/^"earlier";\nimport \* as __otelCtx/);
  });
});
