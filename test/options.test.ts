/**
 * Option validation (resolveOptions and the ts-patch entry point) and what each
 * option does to the output: include/exclude, skip, runtimeModule.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';
import otelContextTransformer, { CATEGORIES, OptionsError, resolveOptions, type Category } from '../src/index.js';
import { compileInMemory } from './harness/in-memory.js';
import { transform } from '../src/api.js';
import { LIBRARY_BOUNDARIES, PATH_CALL, PATH_NEW, PRESET_SKIPS } from '../src/catalog.js';
import { ORIGIN_CALL, ORIGIN_NEW } from '../src/transformer/origins.js';

const require = createRequire(import.meta.url);
const VERSIONS: { name: string; ts: typeof TS }[] = [
  { name: 'TS 5', ts: require('typescript') as typeof TS },
  { name: 'TS 6', ts: require('typescript-6') as typeof TS },
];
const ts5 = VERSIONS[0]!.ts;

const ALLOWED_OPTIONS =
  'include, exclude, skip, runtimeModule, typeCheck, packages, helpers, messages, broadcastChannels, listeners, debug, boundaries, preset';
const ALLOWED_CATEGORIES = 'timers, microtasks, frames, promises, await, generators, finalizers, threads, processes, declared';
/** ts-patch's own keys of a plugin entry. */
const TS_PATCH_ENTRY = {
  transform: 'otel-context-transformer',
  type: 'program',
  import: 'default',
  after: false,
  afterDeclarations: false,
  transformProgram: false,
  isEsm: false,
  resolvePathAliases: false,
  name: 'otel',
};

// ---------------------------------------------------------------------------
// In-memory compile helper (virtual files under the working directory, never written).

const CWD = process.cwd();

interface Compiled {
  js: Record<string, string>;
  diagnostics: TS.Diagnostic[];
}

function compile(
  ts: typeof TS,
  files: Record<string, string>,
  config: unknown,
  { withProgram = true, addDiagnostic = true }: { withProgram?: boolean; addDiagnostic?: boolean } = {},
): Compiled {
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
  };
  const diagnostics: TS.Diagnostic[] = [];
  const { js } = compileInMemory(ts, files, options, (program) => [
    otelContextTransformer(withProgram ? program : undefined, config as never, {
      ts,
      addDiagnostic: addDiagnostic ? (d) => diagnostics.push(d) : undefined,
    }),
  ]);
  return { js, diagnostics };
}

function text(ts: typeof TS, d: TS.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const SIMPLE = { 'a.ts': 'export async function f(p: Promise<number>) { setTimeout(() => {}, 1); return await p; }\n' };

// ---------------------------------------------------------------------------

describe('resolveOptions', () => {
  it('defaults: nothing skipped, the package runtime, the checker on', () => {
    for (const raw of [undefined, null, {}]) {
      const resolved = resolveOptions(raw);
      expect([...resolved.skip]).toEqual([]);
      expect(resolved.runtimeModule).toBe('otel-context-transformer/runtime');
      expect(resolved.typeCheck).toBe(true);
      expect(resolved.matches(path.join(CWD, 'src/a.ts'))).toBe(true);
    }
  });

  it('takes valid values', () => {
    const resolved = resolveOptions({
      skip: ['timers', 'await'],
      runtimeModule: './rt.js',
      typeCheck: false,
      include: ['src/**'],
      exclude: [],
    });
    expect([...resolved.skip].sort()).toEqual(['await', 'timers']);
    expect(resolved.runtimeModule).toBe('./rt.js');
    expect(resolved.typeCheck).toBe(false);
  });

  it('an unknown key is an OptionsError naming the key and listing the allowed ones', () => {
    const error = errorOf(() => resolveOptions({ inclde: ['src/**'] }));
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.name).toBe('OptionsError');
    expect(error.message).toBe(`unknown option "inclde"; allowed options: ${ALLOWED_OPTIONS}`);
  });

  it.each([
    [{ include: 'src/**' }, 'option "include" must be an array of glob strings, got "src/**"'],
    [{ include: ['src/**', 3] }, 'option "include" must be an array of glob strings, got an array'],
    [{ exclude: {} }, 'option "exclude" must be an array of glob strings, got an object'],
    [{ exclude: null }, 'option "exclude" must be an array of glob strings, got null'],
    [{ skip: 'timers' }, 'option "skip" must be an array, got "timers"'],
    [{ skip: ['timers', 'timer'] }, `option "skip" has unknown value "timer"; allowed values: ${ALLOWED_CATEGORIES}`],
    [{ skip: [1] }, `option "skip" has unknown value 1; allowed values: ${ALLOWED_CATEGORIES}`],
    [{ runtimeModule: '' }, 'option "runtimeModule" must be a non-empty string, got ""'],
    [{ runtimeModule: 42 }, 'option "runtimeModule" must be a non-empty string, got 42'],
    [{ typeCheck: 'yes' }, 'option "typeCheck" must be true or false, got "yes"'],
    [{ typeCheck: 1 }, 'option "typeCheck" must be true or false, got 1'],
  ])('rejects %j', (raw, message) => {
    const error = errorOf(() => resolveOptions(raw));
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.message).toBe(message);
  });

  it('the allowed categories are exactly the catalog', () => {
    expect(CATEGORIES.join(', ')).toBe(ALLOWED_CATEGORIES);
  });

  it.each([
    ['a string', 'src/**', '"src/**"'],
    ['an array', ['src/**'], 'an array'],
    ['a number', 3, '3'],
    ['a boolean', true, 'true'],
  ])('options that are %s are rejected', (_label, raw, described) => {
    const error = errorOf(() => resolveOptions(raw));
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.message).toBe(`options must be an object, got ${described}`);
  });

  it('a key set to undefined is the same as an absent key', () => {
    const resolved = resolveOptions({ include: undefined, skip: undefined, runtimeModule: undefined, typeCheck: undefined });
    expect(resolved.runtimeModule).toBe('otel-context-transformer/runtime');
    expect(resolved.typeCheck).toBe(true);
  });

  it('host keys are ignored only when the host declares them', () => {
    expect(() => resolveOptions({ transform: 'x', after: true }, ['transform', 'after'])).not.toThrow();
    expect(errorOf(() => resolveOptions({ transform: 'x' })).message).toBe(
      `unknown option "transform"; allowed options: ${ALLOWED_OPTIONS}`,
    );
  });

  describe('include / exclude (globs relative to the working directory)', () => {
    const at = (relative: string) => path.join(CWD, relative);

    it('by default every file except those under node_modules', () => {
      const { matches } = resolveOptions({});
      expect(matches(at('src/a.ts'))).toBe(true);
      expect(matches(at('.hidden/a.ts'))).toBe(true);
      expect(matches(at('node_modules/dep/index.ts'))).toBe(false);
      expect(matches(at('packages/app/node_modules/dep/index.ts'))).toBe(false);
      // Outside the working directory the absolute path is matched.
      expect(matches('/elsewhere/node_modules/dep/index.ts')).toBe(false);
      expect(matches('/elsewhere/src/a.ts')).toBe(true);
    });

    it('include limits, exclude removes', () => {
      const { matches } = resolveOptions({ include: ['src/**'], exclude: ['**/*.test.ts'] });
      expect(matches(at('src/a.ts'))).toBe(true);
      expect(matches(at('src/deep/b.ts'))).toBe(true);
      expect(matches(at('src/a.test.ts'))).toBe(false);
      expect(matches(at('test/a.ts'))).toBe(false);
      expect(matches('/elsewhere/src/a.ts')).toBe(false);
    });

    it('an explicit exclude replaces the node_modules default; an empty include means every file', () => {
      const { matches } = resolveOptions({ include: [], exclude: [] });
      expect(matches(at('node_modules/dep/index.ts'))).toBe(true);
      expect(matches(at('anything/at/all.ts'))).toBe(true);
    });

    it('absolute patterns match absolute paths', () => {
      const { matches } = resolveOptions({ include: [`${CWD.split(path.sep).join('/')}/src/**`] });
      expect(matches(at('src/a.ts'))).toBe(true);
      expect(matches(at('lib/a.ts'))).toBe(false);
    });
  });

  // BUG (see report): an empty glob string makes picomatch throw a TypeError, which is
  // neither an OptionsError nor turned into a diagnostic, so tspc crashes.
  it.each([
    [{ include: [''] }, 'option "include" must be an array of glob strings, got an array'],
    [{ exclude: ['  '] }, 'option "exclude" must be an array of glob strings, got an array'],
    [{ packages: [''] }, 'option "packages" must be an array of package names, got an array'],
    [{ helpers: 'esm' }, 'option "helpers" has unknown value "esm"; allowed values: auto, import, require, global'],
  ])('rejects %j (an empty glob used to crash picomatch)', (options, message) => {
    const error = errorOf(() => resolveOptions(options));
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.message).toBe(message);
  });

  it('packages opts named node_modules packages in, however deep', () => {
    const options = resolveOptions({ packages: ['@acme/sdk'] });
    expect(options.matches(path.join(CWD, 'node_modules/@acme/sdk/index.js'))).toBe(true);
    expect(options.matches(path.join(CWD, 'node_modules/x/node_modules/@acme/sdk/lib/a.js'))).toBe(true);
    expect(options.matches(path.join(CWD, 'node_modules/@acme/other/index.js'))).toBe(false);
  });
});

for (const { name, ts } of VERSIONS) {
  describe(`the transformer entry point (${name})`, () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('an unknown key: one error diagnostic naming the key and the allowed keys, and no file transformed', () => {
      const result = compile(ts, SIMPLE, { transform: 'otel-context-transformer', inclde: [] });
      expect(result.diagnostics).toHaveLength(1);
      const [d] = result.diagnostics;
      expect(d!.category).toBe(ts.DiagnosticCategory.Error);
      expect(d!.code).toBe(90000);
      expect(d!.file).toBeUndefined();
      expect(text(ts, d!)).toBe(
        `otel-context-transformer: unknown option "inclde"; allowed options: ${ALLOWED_OPTIONS} (in the tsconfig "plugins" entry). No file was transformed.`,
      );
      expect(result.js['a.js']).not.toContain('__otelCtx');
      expect(result.js['a.js']).toContain('setTimeout(() => { }, 1);');
    });

    it.each([
      [{ include: 'src' }, 'option "include" must be an array of glob strings, got "src"'],
      [{ exclude: [false] }, 'option "exclude" must be an array of glob strings, got an array'],
      [{ runtimeModule: '' }, 'option "runtimeModule" must be a non-empty string, got ""'],
      [{ typeCheck: 'false' }, 'option "typeCheck" must be true or false, got "false"'],
      [{ skip: ['timers', 'eventemitters'] }, `option "skip" has unknown value "eventemitters"; allowed values: ${ALLOWED_CATEGORIES}`],
    ])('a wrong value %j is reported, not defaulted', (config, message) => {
      const result = compile(ts, SIMPLE, { ...config, transform: 'otel-context-transformer' }, { withProgram: false });
      expect(result.diagnostics.map((d) => text(ts, d))).toEqual([
        `otel-context-transformer: ${message} (in the tsconfig "plugins" entry). No file was transformed.`,
      ]);
      expect(result.js['a.js']).not.toContain('__otelCtx');
    });

    it("ts-patch's own keys are accepted", () => {
      const result = compile(ts, SIMPLE, TS_PATCH_ENTRY);
      expect(result.diagnostics).toEqual([]);
      expect(result.js['a.js']).toContain('setTimeout(__otelCtx.bind(() => { }), 1);');
    });

    it('no config at all means the defaults', () => {
      const result = compile(ts, SIMPLE, undefined, { withProgram: false });
      expect(result.diagnostics).toEqual([]);
      expect(result.js['a.js']).toContain('import * as __otelCtx from "otel-context-transformer/runtime";');
    });

    it('without addDiagnostic the message goes to console.warn', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const result = compile(ts, SIMPLE, { skip: ['timer'] }, { addDiagnostic: false, withProgram: false });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toContain(`option "skip" has unknown value "timer"; allowed values: ${ALLOWED_CATEGORIES}`);
      expect(result.js['a.js']).not.toContain('__otelCtx');
    });
  });
}

// ---------------------------------------------------------------------------

const ALL_BOUNDARIES = `
import pLimit from 'p-limit';
declare const p: Promise<number>;
const limit = pLimit(1);
export function schedule(cb: () => void) {
  limit(cb);
  setTimeout(cb, 1);
  setInterval(cb, 1);
  setImmediate(cb);
  queueMicrotask(cb);
  process.nextTick(cb);
  requestAnimationFrame(cb);
  requestIdleCallback(cb);
  scheduler.postTask(cb);
  p.then(cb).catch(cb).finally(cb);
}
export async function asyncFn() { await p; for await (const x of [p]) { void x; } }
export function* gen() { yield 1; }
export async function* asyncGen() { yield await p; }
const top = await p;
export { top };
`;

/** TS 5.9's lib.dom has no \`scheduler\` (the skip tests run on TS 5). */
const ALL = { 'all.ts': ALL_BOUNDARIES, 'globals.d.ts': 'declare var scheduler: { postTask(cb: () => unknown): Promise<unknown> };\n' };

/** What each category rewrites in ALL_BOUNDARIES. */
const REWRITES: Record<Category, RegExp[]> = {
  timers: [/setTimeout\(__otelCtx\.bind\(cb\)/, /setInterval\(__otelCtx\.bind\(cb\)/, /setImmediate\(__otelCtx\.bind\(cb\)/],
  microtasks: [/queueMicrotask\(__otelCtx\.bind\(cb\)/, /process\.nextTick\(__otelCtx\.bind\(cb\)/],
  frames: [
    /requestAnimationFrame\(__otelCtx\.bind\(cb\)/,
    /requestIdleCallback\(__otelCtx\.bind\(cb\)/,
    /scheduler\.postTask\(__otelCtx\.bind\(cb\)/,
  ],
  promises: [/p\.then\(__otelCtx\.bind\(cb\)\)\.catch\(__otelCtx\.bind\(cb\)\)\.finally\(__otelCtx\.bind\(cb\)\)/],
  await: [
    /async function asyncFn\(\) \{\n\s+const __otelFrame = __otelCtx\.frame\(\);/,
    /forAwait\(__otelFrame, \[p\]\)/,
    /const __otelFrame = __otelCtx\.rootFrame\(\);/,
    /const top = __otelCtx\.resume\(__otelFrame, await __otelCtx\.suspend\(__otelFrame, p\)\);/,
  ],
  generators: [/function\* gen\(\.\.\.\{ __otelFrame = __otelCtx\.genFrame\(\) \}\)/],
  finalizers: [],
  declared: [/limit\(__otelCtx\.bindAlways\(cb\)\)/],
};
const ASYNC_GENERATOR_FRAMED = /async function\* asyncGen\(\.\.\.\{ __otelFrame = __otelCtx\.genFrame\(\) \}\)/;

describe('skip', () => {
  it('with nothing skipped every category is rewritten', () => {
    const result = compile(ts5, ALL, {});
    expect(result.diagnostics).toEqual([]);
    for (const patterns of Object.values(REWRITES)) for (const pattern of patterns) expect(result.js['all.js']).toMatch(pattern);
    expect(result.js['all.js']).toMatch(ASYNC_GENERATOR_FRAMED);
  });

  it.each(CATEGORIES.map((c) => [c]))('skip: ["%s"] suppresses that category and nothing else', (category) => {
    const out = compile(ts5, ALL, { skip: [category] }).js['all.js']!;
    for (const [other, patterns] of Object.entries(REWRITES)) {
      for (const pattern of patterns) {
        if (other === category) expect(out, `${category} still rewritten: ${pattern}`).not.toMatch(pattern);
        else expect(out, `${other} lost: ${pattern}`).toMatch(pattern);
      }
    }
  });

  it('skipping await leaves the awaits and the top level as written', () => {
    const out = compile(ts5, ALL, { skip: ['await'] }).js['all.js']!;
    expect(out).toContain('export async function asyncFn() { await p; for await (const x of [p]) {');
    expect(out).toContain('const top = await p;');
    expect(out).not.toContain('rootFrame');
  });

  // With only one of the two skipped, async generators are still framed (see report).
  it('an async generator is left alone when both await and generators are skipped', () => {
    const out = compile(ts5, ALL, { skip: ['await', 'generators'] }).js['all.js']!;
    expect(out).toContain('export async function* asyncGen() { yield await p; }');
  });

  it('skipping everything leaves the file without the runtime import', () => {
    const out = compile(ts5, ALL, { skip: [...CATEGORIES] }).js['all.js']!;
    expect(out).not.toContain('__otelCtx');
    expect(out).not.toContain('otel-context-transformer/runtime');
  });
});

describe('include / exclude in the output', () => {
  const files = {
    'src/app.ts': 'setTimeout(() => {}, 1);\nexport {};\n',
    'src/app.test.ts': 'setTimeout(() => {}, 2);\nexport {};\n',
    'node_modules/dep/index.ts': 'setTimeout(() => {}, 3);\nexport {};\n',
    'scripts/build.ts': 'setTimeout(() => {}, 4);\nexport {};\n',
  };
  const transformed = (js: Record<string, string>) =>
    Object.keys(js)
      .filter((name) => js[name]!.includes('__otelCtx.bind'))
      .sort();

  it('by default node_modules is left alone', () => {
    const { js } = compile(ts5, files, {});
    expect(Object.keys(js).sort()).toEqual(['node_modules/dep/index.js', 'scripts/build.js', 'src/app.js', 'src/app.test.js']);
    expect(transformed(js)).toEqual(['scripts/build.js', 'src/app.js', 'src/app.test.js']);
  });

  it('include and exclude select the files', () => {
    const { js } = compile(ts5, files, { include: ['__virtual__/src/**'], exclude: ['**/*.test.ts'] });
    expect(transformed(js)).toEqual(['src/app.js']);
  });

  it('exclude replaces the default', () => {
    const { js } = compile(ts5, files, { exclude: ['**/scripts/**'] });
    expect(transformed(js)).toEqual(['node_modules/dep/index.js', 'src/app.js', 'src/app.test.js']);
  });
});

describe('runtimeModule', () => {
  it.each([['@acme/otel-runtime'], ['./vendor/otel-runtime.js'], ['otel-context-transformer/runtime']])(
    'imports the helpers from %s',
    (specifier) => {
      for (const { ts } of VERSIONS) {
        const out = compile(ts, SIMPLE, { runtimeModule: specifier }, { withProgram: false }).js['a.js']!;
        expect(out.split('\n')[0]).toBe(`import * as __otelCtx from "${specifier}";`);
        expect(out.match(/from "/g)).toHaveLength(1);
      }
    },
  );
});

describe('messages (issue 9, opt-in)', () => {
  it('is a boolean, off by default; on, the helpers come from runtime/messages unless runtimeModule says otherwise', () => {
    expect(resolveOptions({}).messages).toBe(false);
    expect(resolveOptions({}).runtimeModule).toBe('otel-context-transformer/runtime');
    expect(resolveOptions({ messages: true }).runtimeModule).toBe('otel-context-transformer/runtime/messages');
    expect(resolveOptions({ messages: true, runtimeModule: 'my-runtime' }).runtimeModule).toBe('my-runtime');
    expect(() => resolveOptions({ messages: 'yes' })).toThrow(new OptionsError('option "messages" must be true or false, got "yes"'));
    expect(() => resolveOptions({ messages: true, helpers: 'global' })).toThrow(/cannot be used with helpers: "global"/);
  });

  it('broadcastChannels: channel names, only with messages: true', () => {
    expect(resolveOptions({ messages: true }).broadcastChannels).toEqual([]);
    expect(resolveOptions({ messages: true, broadcastChannels: ['a', 'b', 'a'] }).broadcastChannels).toEqual(['a', 'b']);
    expect(resolveOptions({ broadcastChannels: [] }).broadcastChannels).toEqual([]);
    expect(() => resolveOptions({ broadcastChannels: ['sync'] })).toThrow(
      new OptionsError('option "broadcastChannels" needs messages: true (the channels carry through the message helpers)'),
    );
    expect(() => resolveOptions({ messages: true, broadcastChannels: 'sync' })).toThrow(
      new OptionsError('option "broadcastChannels" must be an array of channel names, got "sync"'),
    );
  });

  it('broadcastChannels: a declared name goes through declaredChannel in both backends; a literal undeclared one is left alone', () => {
    const source = [
      `const a = new BroadcastChannel('sync');`,
      `const b = new BroadcastChannel('other');`,
      `const c = new BroadcastChannel(name);`,
      `const d = new globalThis.BroadcastChannel(\`sync\`);`,
    ].join('\n');
    const options = { messages: true, broadcastChannels: ['sync'] };
    const text = transform(source, { filename: 'channels.ts', ...options })!.code;
    const plugin = otelContextTransformer(undefined, options, { ts: ts5, addDiagnostic: () => undefined });
    const compilerOptions = { target: ts5.ScriptTarget.ESNext, module: ts5.ModuleKind.ESNext };
    const emitted = ts5.transpileModule(source, {
      fileName: 'channels.ts',
      compilerOptions,
      transformers: { before: [plugin] },
    }).outputText;
    // Quotes aside (TypeScript prints the names it creates in double quotes).
    for (const out of [text, emitted].map((code) => code.replace(/"/g, "'"))) {
      expect(out).toContain(`__otelCtx.declaredChannel(['sync'], BroadcastChannel, 'sync')`);
      expect(out).toContain(`new BroadcastChannel('other')`);
      expect(out).toContain(`__otelCtx.declaredChannel(['sync'], BroadcastChannel, name)`);
      expect(out).toContain("__otelCtx.declaredChannel(['sync'], globalThis.BroadcastChannel, `sync`)");
    }
    // Without the option, channels are left as written.
    expect(transform(source, { filename: 'channels.ts', messages: true })).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Declared boundaries and presets (issue 10).

describe('boundaries', () => {
  it.each([
    [
      [{ module: 'q', call: 'Q.prototype.add' }],
      'option "boundaries", entry 0: field "callbackArg" must be a non-negative integer (or an array of them), got undefined',
    ],
    [
      [
        { module: 'q', call: 'Q.prototype.add', callbackArg: 0 },
        { module: '', call: 'x', callbackArg: 0 },
      ],
      'option "boundaries", entry 1: field "module" must be a module name (as imported), got ""',
    ],
    [
      [{ module: 'q', call: 3, callbackArg: 0 }],
      'option "boundaries", entry 0: field "call" must be a string such as "PQueue.prototype.add" or "default()", got 3',
    ],
    [
      [{ module: 'q', call: 'Q.prototype', callbackArg: 0 }],
      'option "boundaries", entry 0: field "call" "Q.prototype" is invalid: it ends with "prototype": name the method after it',
    ],
    [
      [{ module: 'q', call: 'Q..add', callbackArg: 0 }],
      'option "boundaries", entry 0: field "call" "Q..add" is invalid: "" is not a property name, optionally followed by "()"',
    ],
    [
      [{ module: 'q', call: 'default', callbackArg: 0 }],
      'option "boundaries", entry 0: field "call" "default" is invalid: it names the module itself, not something to call',
    ],
    [
      [{ module: 'q', call: 'run', callbackArg: -1 }],
      'option "boundaries", entry 0: field "callbackArg" must be a non-negative integer (or an array of them), got -1',
    ],
    [
      [{ module: 'q', call: 'run', callbackArg: 0, arg: 1 }],
      'option "boundaries", entry 0 has unknown field "arg"; allowed fields: module, call, callbackArg, each',
    ],
    [['q'], 'option "boundaries", entry 0 must be an object { module, call, callbackArg }, got "q"'],
    [{ module: 'q' }, 'option "boundaries" must be an array of { module, call, callbackArg }, got an object'],
  ])('rejects %j naming the entry and the field', (boundaries, message) => {
    const error = errorOf(() => resolveOptions({ boundaries }));
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.message).toBe(message);
  });

  it('accepts the notation: exports, prototype methods, call results, several callback positions', () => {
    const resolved = resolveOptions({
      boundaries: [
        { module: 'pool', call: 'Pool.prototype.submit', callbackArg: 0 },
        { module: 'pool', call: 'default().run', callbackArg: [0, 2] },
      ],
    });
    const declared = resolved.boundaries.filter((b) => b.module === 'pool');
    expect(declared.map((b) => [b.path, b.callbacks])).toEqual([
      [['Pool', 'new()', 'submit'], [0]],
      [
        ['()', 'run'],
        [0, 2],
      ],
    ]);
  });

  it('the catalog notation writes the segments origins.ts writes', () => {
    expect([PATH_NEW, PATH_CALL]).toEqual([ORIGIN_NEW, ORIGIN_CALL]);
  });

  it('the library set is on by default, user entries come after it', () => {
    const resolved = resolveOptions({ boundaries: [{ module: 'pool', call: 'run', callbackArg: 0 }] });
    expect(resolved.boundaries.map((b) => b.label)).toEqual([...LIBRARY_BOUNDARIES.map((b) => `${b.module} ${b.call}`), 'pool run']);
  });

  it('a user entry rewrites its calls through the text transform and the tsconfig plugin; skip: ["declared"] turns them off', () => {
    const source = `import { Pool } from 'pool';\nconst pool = new Pool();\nexport function f(cb: () => void) { pool.submit(cb, 1); }\n`;
    const boundaries = [{ module: 'pool', call: 'Pool.prototype.submit', callbackArg: 0 }];
    const declaration = "declare module 'pool' { export class Pool { submit(cb: () => void, n: number): void; } }\n";
    const files = { 'a.ts': source, 'pool.d.ts': declaration };
    expect(transform(source, { filename: 'a.ts', boundaries })?.code).toContain('pool.submit(__otelCtx.bindAlways(cb), 1);');
    expect(compile(ts5, files, { boundaries }).js['a.js']).toContain('pool.submit(__otelCtx.bindAlways(cb), 1);');
    expect(transform(source, { filename: 'a.ts' })).toBeUndefined();
    expect(compile(ts5, files, {}).js['a.js']).not.toContain('__otelCtx');
    expect(transform(source, { filename: 'a.ts', boundaries, skip: ['declared'] })).toBeUndefined();
  });
});

describe('preset', () => {
  it.each([['browser'], ['react-native'], ['all']] as const)('%s rewrites every category', (preset) => {
    const out = compile(ts5, ALL, { preset }).js['all.js']!;
    for (const patterns of Object.values(REWRITES)) for (const pattern of patterns) expect(out).toMatch(pattern);
  });

  it('node rewrites only what AsyncLocalStorage cannot carry: declared boundaries', () => {
    const out = compile(ts5, ALL, { preset: 'node' }).js['all.js']!;
    for (const [category, patterns] of Object.entries(REWRITES)) {
      for (const pattern of patterns) {
        if (category === 'declared') expect(out, category).toMatch(pattern);
        else expect(out, `${category} rewritten under node`).not.toMatch(pattern);
      }
    }
    expect(out).toContain('__otelCtx');
  });

  it('skip adds to what the preset skips', () => {
    const out = compile(ts5, ALL, { preset: 'browser', skip: ['promises'] }).js['all.js']!;
    for (const [category, patterns] of Object.entries(REWRITES)) {
      for (const pattern of patterns) {
        if (category === 'promises') expect(out).not.toMatch(pattern);
        else expect(out, category).toMatch(pattern);
      }
    }
    const node = resolveOptions({ preset: 'node', skip: ['declared'] });
    expect([...node.skip].sort()).toEqual(['await', 'declared', 'finalizers', 'frames', 'generators', 'microtasks', 'promises', 'timers']);
  });

  it('the default is all (nothing skipped)', () => {
    expect(resolveOptions({}).preset).toBe('all');
    expect([...resolveOptions({}).skip]).toEqual([]);
  });

  it('an unknown preset is rejected with the allowed ones', () => {
    expect(errorOf(() => resolveOptions({ preset: 'deno' })).message).toBe(
      'option "preset" has unknown value "deno"; allowed values: all, browser, react-native, node',
    );
  });

  it('presets are data over the catalog categories', () => {
    for (const skips of Object.values(PRESET_SKIPS)) for (const c of skips) expect(CATEGORIES).toContain(c);
  });
});
