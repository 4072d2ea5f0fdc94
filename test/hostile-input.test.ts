/**
 * Hostile input: syntax errors, empty files, binary garbage, a 5+ MB file,
 * deep nesting, unusual syntax and wrong option types, through
 *
 *   - the text backend, transform() from src/api.ts (oxc-parser + magic-string),
 *   - the unplugin core (src/bundler/unplugin.ts unpluginFactory), which every
 *     bundler plugin shares, called the way a bundler calls it,
 *   - the TypeScript plugin (src/index.ts) through the compiler API, with a
 *     Program (the tspc path) and, for the big file, through transpileModule.
 *
 * For every input: nothing throws out of the transform; when a file cannot be
 * transformed it is left exactly as it was and a diagnostic names the file,
 * the line and the problem (for the TypeScript plugin TypeScript's own
 * syntactic diagnostic does, and the plugin emits the file as plain tsc would);
 * valid unusual syntax is rewritten into code that still parses and is run in
 * a child process to check that it still behaves (values and contexts).
 *
 * No timing assertions: durations go to test/.tmp/hostile-input/timings.json
 * and the console.
 *
 * Five bugs this file found are fixed and checked at the end ("found by this
 * file, fixed"): 10,000-deep nesting, a rewritten first statement in a module,
 * sloppy scripts with `with`, CR-only line numbers, and `await using`.
 *
 * Not bugs, but worth knowing: oxc reports a BOM followed by a hashbang as a
 * syntax error (Node accepts it), so such a file is left unchanged with a
 * diagnostic; oxc's parseSync reports no early (semantic) errors, so `with` in
 * an .mjs file is transformed as it is (it was already invalid); TypeScript
 * reports some errors only after parsing (type annotations in .js files,
 * `await` in a non-async function), and the TypeScript plugin then rewrites the
 * file (TypeScript still reports the error) where transform() leaves it alone.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { parseSync } from 'oxc-parser';
import { decode } from '@jridgewell/sourcemap-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer from '../src/index.js';
import { transform, type Diagnostic } from '../src/api.js';
import { OptionsError } from '../src/options.js';
import { unpluginFactory } from '../src/bundler/unplugin.js';
import { BOUNDARY_WORDS_SOURCE } from '../src/catalog.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;

const WORK = path.resolve('test/.tmp/hostile-input');
const SRC = path.join(WORK, 'src');
const VOUT = path.join(WORK, 'tsc-out');
/** Our own build of src/runtime (dist may be rebuilt by a parallel test run at any moment). */
const RUNTIME_ESM = path.join(WORK, 'runtime-esm', 'index.js');
const RUNTIME_CJS = path.join(WORK, 'runtime-cjs', 'index.js');

// ---------------------------------------------------------------------------
// Durations, for the report (never asserted).

const timings: { input: string; backend: string; ms: number; note?: string }[] = [];
/** What TypeScript itself said about the inputs with errors (for the report). */
const tsReported: { input: string; line: number; message: string }[] = [];
/** What transform() said about them. */
const textReported: { input: string; diagnostics: Diagnostic[] }[] = [];
function timed<T>(input: string, backend: string, fn: () => T, note?: () => string): T {
  const start = performance.now();
  const value = fn();
  timings.push({ input, backend, ms: Math.round((performance.now() - start) * 10) / 10, note: note?.() });
  return value;
}

beforeAll(() => {
  rmSync(WORK, { recursive: true, force: true });
  for (const [dir, module, type] of [
    ['runtime-esm', ts.ModuleKind.ESNext, 'module'],
    ['runtime-cjs', ts.ModuleKind.CommonJS, 'commonjs'],
  ] as const) {
    mkdirSync(path.join(WORK, dir), { recursive: true });
    for (const name of ['slot', 'manager', 'listeners', 'carrier', 'web-spawn', 'index', 'async-context']) {
      const source = readFileSync(path.resolve('src/runtime', `${name}.ts`), 'utf8');
      const out = ts.transpileModule(source, { fileName: `${name}.ts`, compilerOptions: { target: ts.ScriptTarget.ES2022, module } });
      writeFileSync(path.join(WORK, dir, `${name}.js`), out.outputText);
    }
    writeFileSync(path.join(WORK, dir, 'package.json'), JSON.stringify({ type }));
  }
  mkdirSync(SRC, { recursive: true });
});

afterAll(() => {
  mkdirSync(WORK, { recursive: true });
  writeFileSync(path.join(WORK, 'timings.json'), JSON.stringify(timings, null, 2));
  writeFileSync(path.join(WORK, 'diagnostics.json'), JSON.stringify({ text: textReported, typescript: tsReported }, null, 2));
  console.log(
    'hostile-input durations (ms):\n' +
      timings
        .map((t) => `  ${t.input.padEnd(34)} ${t.backend.padEnd(22)} ${String(t.ms).padStart(9)}${t.note ? `  ${t.note}` : ''}`)
        .join('\n'),
  );
});

// ---------------------------------------------------------------------------
// The three ways in.

interface TextRun {
  result: ReturnType<typeof transform>;
  diagnostics: Diagnostic[];
}

function runText(code: string, file: string, options: Record<string, unknown> = {}): TextRun {
  const diagnostics: Diagnostic[] = [];
  const result = transform(code, { filename: path.join(SRC, file), onDiagnostic: (d) => diagnostics.push(d), ...options });
  return { result, diagnostics };
}

interface UnpluginRun {
  included: boolean;
  result: { code: string; map: unknown } | undefined | null | string;
  warnings: string[];
}

type UnpluginHooks = {
  transformInclude(id: string): boolean;
  transform: { handler(this: unknown, code: string, id: string): UnpluginRun['result'] };
};

function unpluginCore(raw?: unknown): UnpluginHooks {
  return unpluginFactory(raw as never, { framework: 'vite' } as never) as unknown as UnpluginHooks;
}

function runUnplugin(code: string, file: string, raw: Record<string, unknown> = {}): UnpluginRun {
  const hooks = unpluginCore(raw);
  const id = path.join(SRC, file);
  const warnings: string[] = [];
  const included = hooks.transformInclude(id);
  const result = included ? hooks.transform.handler.call({ warn: (m: string) => warnings.push(m) }, code, id) : undefined;
  return { included, result, warnings };
}

interface TscRun {
  /** Emitted files by base name. */
  out: Record<string, string>;
  /** What the plugin reported through addDiagnostic. */
  diagnostics: TS.Diagnostic[];
  /** TypeScript's own syntax errors for the file. */
  syntactic: TS.Diagnostic[];
  /** Its semantic ones, when asked for. */
  semantic: TS.Diagnostic[];
}

const libCache = new Map<string, TS.SourceFile>();

function tscOptions(extra: TS.CompilerOptions = {}): TS.CompilerOptions {
  const cjs = extra.module === ts.ModuleKind.CommonJS;
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: cjs ? ts.ModuleResolutionKind.Node10 : ts.ModuleResolutionKind.Bundler,
    lib: ['lib.esnext.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    allowJs: true,
    jsx: ts.JsxEmit.React,
    strict: false,
    skipLibCheck: true,
    noEmitOnError: false,
    rootDir: SRC,
    outDir: VOUT,
    newLine: ts.NewLineKind.LineFeed,
    ...extra,
  };
}

/** createProgram + emit with the plugin as a `before` transformer, in memory: what tspc does. */
function runTsc(
  code: string,
  file: string,
  request: {
    compilerOptions?: TS.CompilerOptions;
    plugin?: unknown;
    transformer?: boolean;
    withProgram?: boolean;
    semantic?: boolean;
  } = {},
): TscRun {
  const options = tscOptions(request.compilerOptions);
  const fileName = path.join(SRC, file);
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    if (name === fileName) return ts.createSourceFile(name, code, languageVersion, true);
    const key = `${name}|${JSON.stringify(languageVersion)}`;
    let sf = libCache.get(key);
    if (!sf) {
      sf = getSourceFile.call(host, name, languageVersion, onError, shouldCreate);
      if (sf) libCache.set(key, sf);
    }
    return sf;
  };
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? code : readFile.call(host, name));
  const out: Record<string, string> = {};
  host.writeFile = (name, text) => {
    out[path.basename(name)] = text;
  };
  const program = ts.createProgram([fileName], options, host);
  const diagnostics: TS.Diagnostic[] = [];
  const before =
    request.transformer === false
      ? []
      : [
          otelContextTransformer(request.withProgram === false ? undefined : program, (request.plugin ?? {}) as never, {
            ts,
            addDiagnostic: (d) => diagnostics.push(d),
          }),
        ];
  program.emit(undefined, undefined, undefined, false, { before });
  const sf = program.getSourceFile(fileName);
  return {
    out,
    diagnostics,
    syntactic: [...program.getSyntacticDiagnostics(sf)],
    semantic: request.semantic ? [...program.getSemanticDiagnostics(sf)] : [],
  };
}

const tsMessage = (d: TS.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, '\n');
const tsLine = (d: TS.Diagnostic) => (d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0);

function runNode(file: string): string[] {
  const stdout = execFileSync(process.execPath, [file], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: WORK,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return stdout.split('\n').filter((l) => l !== '');
}

/** A small seeded generator (mulberry32): the garbage is the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomBytes(n: number, seed: number): Buffer {
  const random = seeded(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

// ---------------------------------------------------------------------------
// 1. Files that cannot (or need not) be transformed.

interface BadInput {
  name: string;
  file: string;
  code: string;
  /**
   * The line of the first syntax error (1-based). Absent: the file is valid but
   * has nothing to rewrite; then there must be no diagnostic at all.
   */
  line?: number;
  /** Text the oxc message must contain. */
  problem?: RegExp;
  /**
   * TypeScript's parser accepts the text and reports the error from a later
   * check (a JS-only or grammar check): the plugin then rewrites the file like
   * any other, and TypeScript still reports the error (the build fails on it).
   */
  tsParses?: true;
}

const BAD_INPUTS: BadInput[] = [
  { name: 'empty file', file: 'empty.js', code: '' },
  { name: 'empty .ts file', file: 'empty.ts', code: '' },
  { name: 'whitespace only', file: 'blank.js', code: '   \n\t\n\r\n   \u00a0\n' },
  {
    name: 'only comments (mentioning boundaries)',
    file: 'comments.js',
    code: '// setTimeout(() => work(), 1)\n/* p.then(cb); await x; queueMicrotask(f) */\n/** @example setImmediate(cb) */\n',
  },
  { name: 'only a hashbang', file: 'hashbang-only.js', code: '#!/usr/bin/env node\n' },
  { name: 'only a directive', file: 'directive-only.js', code: "'use strict';\n" },
  {
    name: 'strings mentioning boundaries',
    file: 'strings-only.js',
    code: 'const a = "setTimeout(() => 1)";\nconst b = `await ${"p.then(cb)"}`;\n',
  },
  {
    name: 'syntax error: missing expression',
    file: 'missing-expression.ts',
    code: 'const a = 1;\nconst b = ;\nsetTimeout(() => b);\n',
    line: 2,
    problem: /Unexpected token/,
  },
  {
    name: 'syntax error: unclosed function body',
    file: 'unclosed.js',
    code: 'async function f() {\n  await g();\n  setTimeout(() => 1);\n',
    line: 4,
    problem: /Expected `}`/,
  },
  {
    name: 'syntax error: unterminated string',
    file: 'unterminated-string.js',
    code: "setTimeout(() => 1);\nconst s = 'abc\n;\n",
    line: 2,
    problem: /Unterminated string/,
  },
  {
    name: 'syntax error: unterminated template',
    file: 'unterminated-template.js',
    code: 'setTimeout(() => 1);\n\nconst s = `abc ${x}\n',
    line: 3,
    problem: /Unterminated/,
  },
  {
    name: 'syntax error: type annotation in .js',
    file: 'types-in-js.js',
    code: 'setTimeout(() => 1);\nlet x: number = 1;\n',
    line: 2,
    tsParses: true,
  },
  {
    name: 'syntax error: JSX in .ts',
    file: 'jsx-in-ts.ts',
    code: 'setTimeout(() => 1);\nconst el = <div onClick={() => setTimeout(f)} />;\n',
    line: 2,
  },
  {
    name: 'syntax error: await in a sync function (module)',
    file: 'await-in-sync.mjs',
    code: 'setTimeout(() => 1);\nfunction f() {\n  await g();\n}\n',
    line: 3,
    tsParses: true,
  },
  {
    name: 'syntax error after CRLF lines',
    file: 'crlf-error.js',
    code: 'const a = 1;\r\nsetTimeout(() => a);\r\nconst b = ;\r\n',
    line: 3,
    problem: /Unexpected token/,
  },
  {
    name: 'syntax error after non-ASCII text',
    file: 'non-ascii-error.js',
    code: "const ñ = '🦤🎉𝒳 日本語';\nsetTimeout(() => ñ);\nconst 变量 = ;\n",
    line: 3,
  },
  {
    name: 'NUL bytes',
    file: 'nul.js',
    code: 'setTimeout(() => 1);\n\0\0\0\0',
    line: 2,
    problem: /Invalid Character/,
  },
  { name: 'random bytes (latin1, 4 KB)', file: 'random-latin1.js', code: randomBytes(4096, 1).toString('latin1'), line: 1 },
  { name: 'random bytes (as UTF-8, 4 KB)', file: 'random-utf8.js', code: randomBytes(4096, 2).toString('utf8'), line: 1 },
  { name: 'random bytes (.ts, 64 KB)', file: 'random.ts', code: randomBytes(65536, 3).toString('latin1'), line: 1 },
  { name: 'a PNG header', file: 'image.js', code: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('latin1'), line: 1 },
  {
    name: 'UTF-16LE text read as UTF-8',
    file: 'utf16.js',
    code: Buffer.from('\ufeffsetTimeout(() => 1);\n', 'utf16le').toString('utf8'),
    line: 1,
  },
];

/** Line of a unplugin warning `file:line:column: message`. */
function warningLine(warning: string, file: string): number {
  expect(warning.startsWith(`${file}:`)).toBe(true);
  return Number(warning.slice(file.length + 1).split(':')[0]);
}

describe('files that cannot be transformed are left alone, with a diagnostic naming file, line and problem', () => {
  describe.each(BAD_INPUTS)('$name', (input) => {
    const file = path.join(SRC, input.file);

    it('transform(): no throw, undefined (file unchanged), file:line diagnostic', () => {
      const { result, diagnostics } = timed(input.name, 'transform()', () => runText(input.code, input.file));
      textReported.push({ input: input.name, diagnostics });
      expect(result).toBeUndefined();
      if (input.line === undefined) {
        expect(diagnostics).toEqual([]);
        return;
      }
      expect(diagnostics.length).toBeGreaterThan(0);
      const first = diagnostics[0]!;
      expect(first.file).toBe(file);
      expect(first.line).toBe(input.line);
      expect(first.column).toBeGreaterThanOrEqual(1);
      expect(first.message).toMatch(/^syntax error, file left unchanged: ./);
      if (input.problem) expect(first.message).toMatch(input.problem);
    });

    it('unplugin core: no throw, module kept as it is, warning file:line:column', () => {
      const { included, result, warnings } = timed(input.name, 'unplugin', () => runUnplugin(input.code, input.file));
      expect(included).toBe(true);
      expect(result).toBeUndefined();
      // Without a boundary word the hook's filter keeps the file from the plugin (the bundler's own parser reports it).
      if (input.line === undefined || !new RegExp(BOUNDARY_WORDS_SOURCE).test(input.code)) {
        expect(warnings).toEqual([]);
        return;
      }
      expect(warnings.length).toBeGreaterThan(0);
      expect(warningLine(warnings[0]!, file)).toBe(input.line);
      expect(warnings[0]).toMatch(/syntax error, file left unchanged/);
    });

    it('TypeScript plugin: no throw, emitted exactly as plain tsc emits it, TypeScript names file and line', () => {
      const plain = runTsc(input.code, input.file, { transformer: false });
      const withPlugin = timed(input.name, 'tsc+plugin (program)', () => runTsc(input.code, input.file, { semantic: !!input.tsParses }));
      // The plugin adds nothing of its own: TypeScript reports syntax errors itself (tspc prints them).
      expect(withPlugin.diagnostics.map(tsMessage)).toEqual([]);
      if (input.tsParses) {
        expect(withPlugin.out[Object.keys(plain.out)[0]!]).toContain('setTimeout(__otelCtx.bind(() => 1))');
      } else {
        expect(withPlugin.out).toEqual(plain.out);
      }
      const errors = [...withPlugin.syntactic, ...withPlugin.semantic].filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (input.line === undefined) {
        expect(errors.map(tsMessage)).toEqual([]);
        return;
      }
      expect(errors.length).toBeGreaterThan(0);
      const first = errors[0]!;
      expect(first.file?.fileName).toBe(file);
      expect(tsLine(first)).toBeGreaterThanOrEqual(1);
      expect(tsMessage(first)).not.toBe('');
      tsReported.push({ input: input.name, line: tsLine(first), message: tsMessage(first) });
    });
  });
});

// ---------------------------------------------------------------------------
// 2. Options of the wrong type.

const BAD_OPTIONS: { options: Record<string, unknown>; key: string }[] = [
  { options: { include: 'src/**' }, key: 'include' },
  { options: { include: ['  '] }, key: 'include' },
  { options: { exclude: [1] }, key: 'exclude' },
  { options: { exclude: null }, key: 'exclude' },
  { options: { skip: 'timers' }, key: 'skip' },
  { options: { skip: ['timer'] }, key: 'skip' },
  { options: { runtimeModule: 42 }, key: 'runtimeModule' },
  { options: { runtimeModule: '' }, key: 'runtimeModule' },
  { options: { typeCheck: 'yes' }, key: 'typeCheck' },
  { options: { packages: [null] }, key: 'packages' },
  { options: { helpers: 'esm' }, key: 'helpers' },
  { options: { skipp: ['timers'] }, key: 'skipp' },
  { options: { include: { glob: 'src' } }, key: 'include' },
];

describe('options of the wrong type: an OptionsError (or a diagnostic) naming the key', () => {
  const code = 'setTimeout(() => 1);\n';

  it.each(BAD_OPTIONS)('transform() with $options', ({ options, key }) => {
    let error: unknown;
    try {
      runText(code, 'options.js', options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as Error).message).toContain(`"${key}"`);
  });

  it.each(BAD_OPTIONS)('unplugin core with $options: the factory throws (the build fails naming the key)', ({ options, key }) => {
    expect(() => unpluginCore(options)).toThrowError(OptionsError);
    expect(() => unpluginCore(options)).toThrowError(`"${key}"`);
  });

  it.each(BAD_OPTIONS)(
    'TypeScript plugin with $options: diagnostic 90000 naming the key, files emitted as plain tsc',
    ({ options, key }) => {
      const plain = runTsc(code, 'options.ts', { transformer: false });
      const run = timed(`options ${JSON.stringify(options)}`, 'tsc+plugin (program)', () =>
        runTsc(code, 'options.ts', { plugin: options }),
      );
      expect(run.out).toEqual(plain.out);
      expect(run.diagnostics).toHaveLength(1);
      expect(run.diagnostics[0]!.code).toBe(90000);
      expect(run.diagnostics[0]!.category).toBe(ts.DiagnosticCategory.Error);
      expect(tsMessage(run.diagnostics[0]!)).toContain(`"${key}"`);
      expect(tsMessage(run.diagnostics[0]!)).toContain('No file was transformed');
    },
  );

  it('TypeScript plugin with a non-object entry: diagnostic, nothing transformed', () => {
    for (const config of ['src/**', 42, ['timers']]) {
      const run = runTsc(code, 'options.ts', { plugin: config });
      expect(run.diagnostics.map(tsMessage)).toEqual([expect.stringContaining('options must be an object')]);
      expect(run.out['options.js']).not.toContain('__otelCtx');
    }
  });

  it('unplugin core with a non-object: OptionsError', () => {
    expect(() => unpluginCore('timers')).toThrowError(/options must be an object/);
    expect(() => unpluginCore(['timers'])).toThrowError(OptionsError);
  });

  it('transform() with the code or the filename of the wrong type: OptionsError', () => {
    const calls: [unknown, unknown, RegExp][] = [
      [Buffer.from(code), { filename: 'a.js' }, /source code as a string, got object/],
      [undefined, { filename: 'a.js' }, /source code as a string, got undefined/],
      [42, { filename: 'a.js' }, /source code as a string, got number/],
      [code, undefined, /options\.filename/],
      [code, {}, /options\.filename/],
      [code, { filename: 42 }, /options\.filename/],
      [code, null, /options\.filename/],
    ];
    for (const [source, options, message] of calls) {
      expect(() => transform(source as string, options as never)).toThrowError(OptionsError);
      expect(() => transform(source as string, options as never)).toThrowError(message);
    }
  });
});

// ---------------------------------------------------------------------------
// 3. Valid unusual syntax: rewritten, still parses, still behaves.

interface SyntaxCase {
  name: string;
  file: string;
  /** The program after the preamble (which gives it log, get and inCtx). */
  body: string;
  /** Printed lines, sorted (timer and microtask interleavings are not the point here). */
  expect: string[];
  /** Text before the preamble (hashbang, BOM). */
  prefix?: string;
  compilerOptions?: TS.CompilerOptions;
  /** The text backend's output must contain these (rewrites at the right offsets). */
  contains?: string[];
  /** Line endings of the whole file. */
  crlf?: boolean;
  /** The file name for the TypeScript backend, when it has to differ. */
  tscFile?: string;
}

function preamble(cjs: boolean): string {
  const imports = cjs
    ? `const { context, createContextKey } = require('@opentelemetry/api');\nconst { CompiledContextManager } = require(${JSON.stringify(RUNTIME_CJS)});\n`
    : `import { context, createContextKey } from '@opentelemetry/api';\nimport { CompiledContextManager } from ${JSON.stringify(RUNTIME_ESM)};\n`;
  return (
    imports +
    `context.setGlobalContextManager(new CompiledContextManager().enable());
const K = createContextKey('hostile');
const get = () => context.active().getValue(K) ?? 'root';
const inCtx = (v, fn) => context.with(context.active().setValue(K, v), fn);
const log = (...values) => console.log(values.join(' '));
`
  );
}

const isCjs = (c: SyntaxCase) => /\.c[jt]s$/.test(c.file);
function sourceOf(c: SyntaxCase): string {
  const text = (c.prefix ?? '') + preamble(isCjs(c)) + c.body;
  return c.crlf ? text.replace(/\r?\n/g, '\r\n') : text;
}

const SYNTAX_CASES: SyntaxCase[] = [
  {
    name: 'TC39 decorators (2023-05) with accessor',
    file: 'decorators-tc39.ts',
    body: `
function traced(value, ctx) {
  setTimeout(() => log('decorator-applied', String(ctx.name), get()));
  return function (...args) {
    queueMicrotask(() => log('wrapper', String(ctx.name), get()));
    return value.apply(this, args);
  };
}
function field(_value, _ctx) { return { init: (initial) => initial + 1 }; }
class Service {
  @field accessor level = 1;
  @traced run(tag: string): Promise<string> { return new Promise((r) => setTimeout(() => r(tag + ':' + get()), 1)); }
}
inCtx('a', async () => {
  const s = new Service();
  log('method', await s.run('x'), s.level);
  log('after-await', get());
});
`,
    expect: ['after-await a', 'decorator-applied run root', 'method x:a 2', 'wrapper run a'],
  },
  {
    name: 'TypeScript experimental decorators (method and parameter)',
    file: 'decorators-legacy.ts',
    compilerOptions: { experimentalDecorators: true },
    body: `
function traced(target: any, key: string, desc: PropertyDescriptor) {
  const original = desc.value;
  desc.value = function (...args: any[]) {
    queueMicrotask(() => log('wrapper', key, get()));
    return original.apply(this, args);
  };
}
function param(target: any, key: string, index: number) { setTimeout(() => log('param-decorator', key, index, get())); }
class Service {
  @traced run(@param tag: string) { return new Promise<string>((r) => setTimeout(() => r(tag + ':' + get()), 1)); }
}
inCtx('a', async () => { log('method', await new Service().run('x')); log('after-await', get()); });
`,
    expect: ['after-await a', 'method x:a', 'param-decorator run 0 root', 'wrapper run a'],
  },
  {
    name: 'JSX in .tsx',
    file: 'jsx-element.tsx',
    body: `
const React = { createElement: (type: any, props: any, ...children: any[]) => ({ type, props: props ?? {}, children }) };
const el: any = <button onClick={() => setTimeout(() => log('click', get()))}>{[1, 2].map((i) => <i key={i}>{i}</i>)}</button>;
inCtx('b', () => el.props.onClick());
inCtx('c', () => Promise.resolve(el.children[0].length).then((n) => log('children', n, get())));
`,
    expect: ['children 2 c', 'click b'],
    contains: ['onClick={() => setTimeout(__otelCtx.bind(() => log('],
  },
  {
    name: 'JSX in .jsx',
    file: 'jsx-element.jsx',
    body: `
const React = { createElement: (type, props, ...children) => ({ type, props: props ?? {}, children }) };
const el = <section onLoad={async () => { await null; log('load', get()); }}><>{'text'}</></section>;
inCtx('j', () => el.props.onLoad());
`,
    expect: ['load j'],
  },
  {
    name: 'using and await using',
    file: 'using-declarations.ts',
    body: `
const resource = (name) => ({ [Symbol.dispose]() { setTimeout(() => log('dispose', name, get())); } });
const asyncResource = (name) => ({ async [Symbol.asyncDispose]() { await null; log('async-dispose', name, get()); } });
async function work() {
  await using b = asyncResource('b');
  using a = resource('a');
  await new Promise((r) => setTimeout(r, 1));
  log('body', get());
}
inCtx('u', () => work().then(() => log('done', get())));
{
  using top = resource('top');
}
`,
    // The function leaves its context before the disposal awaits (so nothing leaks while they are
    // pending): an async disposer then runs in the context the function found (root), as the README says.
    expect: ['async-dispose b root', 'body u', 'dispose a u', 'dispose top root', 'done u'],
  },
  {
    name: 'class static blocks with setTimeout',
    file: 'static-blocks.js',
    body: `
inCtx('s', () => {
  class C {
    static started = get();
    static {
      setTimeout(() => log('static-block-timer', C.started, get()));
      queueMicrotask(() => log('static-block-microtask', get()));
    }
    static async later() { await null; return get(); }
  }
  C.later().then((v) => log('static-async', v, get()));
});
setTimeout(() => log('outside', get()));
`,
    expect: ['outside root', 'static-async s s', 'static-block-microtask s', 'static-block-timer s s'],
  },
  {
    name: 'labels (continue/break to outer, labeled block, labeled for await)',
    file: 'labels.js',
    body: `
async function scan(rows) {
  const seen = [];
  outer: for (const row of rows) {
    inner: for (const cell of row) {
      if (cell === 0) continue outer;
      if (cell < 0) break outer;
      await new Promise((r) => setTimeout(r, 0));
      seen.push(cell + ':' + get());
      if (cell > 100) continue inner;
    }
  }
  block: {
    await null;
    if (seen.length) break block;
    seen.push('never');
  }
  loop: for await (const x of [Promise.resolve(1), 2]) {
    if (x === 2) break loop;
    seen.push('fa' + x + ':' + get());
  }
  return seen.join(',');
}
inCtx('l', async () => log('labels', await scan([[1, 0, 9], [2], [-1, 5]]), get()));
`,
    expect: ['labels 1:l,2:l,fa1:l l'],
  },
  {
    name: 'with in a sloppy CommonJS script',
    file: 'with-statement.cjs',
    body: `
var scope = { x: 'from-with' };
inCtx('w', function () {
  with (scope) {
    setTimeout(function () { log('with', x, get()); });
    Promise.resolve(x).then(function (v) { log('with-then', v, get()); });
  }
});
`,
    expect: ['with from-with w', 'with-then from-with w'],
    // TypeScript treats .cjs files as modules (moduleDetection "auto") and emits "use strict",
    // with or without the plugin: a sloppy script has to be a .js file there.
    tscFile: 'with-statement.js',
    contains: ['setTimeout(__otelCtx.bind(function () {'],
  },
  {
    name: 'getters and setters',
    file: 'accessors.js',
    body: `
const box = {
  _v: 0,
  get later() { return new Promise((r) => setTimeout(() => r('get:' + get()))); },
  set value(v) { this._v = v; queueMicrotask(() => log('setter', v, get())); },
};
class Lazy {
  static get now() { return Promise.resolve(get()).then((v) => v + '/' + get()); }
  get [Symbol.toStringTag]() { return 'Lazy'; }
  set #hidden(v) { setTimeout(() => log('private-setter', v, get())); }
  poke(v) { this.#hidden = v; }
}
inCtx('g', async () => {
  log('getter', await box.later, get());
  box.value = 7;
  log('static-getter', await Lazy.now);
  new Lazy().poke(3);
});
`,
    expect: ['getter get:g g', 'private-setter 3 g', 'setter 7 g', 'static-getter g/g'],
  },
  {
    name: 'new.target',
    file: 'new-target.js',
    body: `
function Job(name) {
  if (!new.target) return new Job(name);
  const kind = new.target === Job ? 'constructed' : 'other';
  setTimeout(() => log('new.target', name, kind, String(new.target === Job), get()));
}
class Sub {
  constructor() {
    const t = new.target;
    Promise.resolve().then(() => log('class-new.target', t.name, get()));
  }
}
inCtx('n', () => { Job('j1'); new Job('j2'); new Sub(); });
`,
    expect: ['class-new.target Sub n', 'new.target j1 constructed true n', 'new.target j2 constructed true n'],
  },
  {
    name: 'optional chaining calls',
    file: 'optional-chaining.js',
    body: `
const maybe = undefined;
const p = Promise.resolve('v');
inCtx('o', () => {
  globalThis.setTimeout?.(() => log('globalThis.setTimeout?.', get()));
  setTimeout?.(() => log('setTimeout?.', get()));
  p?.then((v) => log('p?.then', v, get()));
  p.then?.((v) => log('p.then?.', v, get()));
  maybe?.then(() => log('never'));
  globalThis?.queueMicrotask?.(() => log('globalThis?.queueMicrotask?.', get()));
});
`,
    expect: ['globalThis.setTimeout?. o', 'globalThis?.queueMicrotask?. o', 'p.then?. v o', 'p?.then v o', 'setTimeout?. o'],
  },
  {
    name: 'template tags with boundaries in substitutions',
    file: 'template-tags.js',
    body: `
const tag = (strings, ...values) => strings.raw.join('|') + '#' + values.length;
inCtx('t', () => {
  const out = tag\`setTimeout(\${setTimeout(() => log('in-template', get()))}) await \${Promise.resolve(1).then((v) => log('then-in-template', v, get()))}\`;
  log('tag', out);
  log('raw', String.raw\`await x; p.then(\\n)\`);
});
`,
    expect: ['in-template t', 'raw await x; p.then(\\n)', 'tag setTimeout(|) await |#2', 'then-in-template 1 t'],
  },
  {
    name: 'regex literals containing await and setTimeout(',
    file: 'regex-literals.js',
    body: `
async function scan(text) {
  const re = /await\\s+(\\w+)/g;
  const st = /setTimeout\\(\\s*\\(\\)\\s*=>/;
  const ten = 10;
  const half = ten / await Promise.resolve(2) / 1;
  const matches = text.match(re);
  return [matches.length, st.test('setTimeout(() => 1)'), half, get()].join(' ');
}
inCtx('r', async () => log('regex', await scan('await a; await b; x'), get()));
`,
    expect: ['regex 2 true 5 r r'],
  },
  {
    name: 'strings and comments containing setTimeout(',
    file: 'strings-comments.js',
    body: `
const s1 = "setTimeout(() => 1)"; // setTimeout(cb)
const s2 = 'p.then(x)'; /* queueMicrotask(() => {}) */
const s3 = \`await \${'setImmediate('} await\`;
/** @example setTimeout(() => doIt(), 1) */
inCtx('q', () => setTimeout(() => log('strings', s1, s2, s3, get())));
`,
    expect: ['strings setTimeout(() => 1) p.then(x) await setImmediate( await q'],
    contains: [
      'const s1 = "setTimeout(() => 1)"; // setTimeout(cb)\n',
      "const s2 = 'p.then(x)'; /* queueMicrotask(() => {}) */\n",
      '/** @example setTimeout(() => doIt(), 1) */\n',
    ],
  },
  {
    name: '#private in obj',
    file: 'private-in.js',
    body: `
class Vault {
  #secret = 'k';
  static owns(o) { return #secret in o; }
  async open() { await null; return (#secret in this) + ':' + this.#secret + ':' + get(); }
}
inCtx('p', async () => log('private-in', Vault.owns(new Vault()), Vault.owns({}), await new Vault().open(), get()));
`,
    expect: ['private-in true false true:k:p p'],
  },
  {
    name: 'top-level await and for await (after the imports)',
    file: 'top-level-await.mjs',
    body: `
log('tla-start', get());
await inCtx('a', async () => { await new Promise((r) => setTimeout(r, 1)); log('tla-inner', get()); });
log('tla-after', get());
for await (const v of [Promise.resolve(1)]) log('tla-for-await', v, get());
`,
    expect: ['tla-after root', 'tla-for-await 1 root', 'tla-inner a', 'tla-start root'],
  },
  {
    name: 'hashbang',
    file: 'hashbang.mjs',
    prefix: '#!/usr/bin/env node\n',
    body: `inCtx('h', () => setTimeout(() => log('hashbang', get())));\n`,
    expect: ['hashbang h'],
  },
  {
    name: 'byte order mark',
    file: 'bom.mjs',
    prefix: '\ufeff',
    body: `inCtx('b', () => setTimeout(() => log('bom', get())));\n`,
    expect: ['bom b'],
  },
  {
    name: 'CRLF line endings',
    file: 'crlf.ts',
    crlf: true,
    body: `
async function twice(x: number) {
  await null;
  return x * 2;
}
inCtx('c', async () => {
  const v = await twice(21);
  setTimeout(() => log('crlf', v, get()));
});
`,
    expect: ['crlf 42 c'],
    contains: ['\r\nasync function twice(x: number) {', "setTimeout(__otelCtx.bind(() => log('crlf', v, get())));\r\n"],
  },
  {
    name: 'non-ASCII identifiers and emoji before rewritten code',
    file: 'non-ascii.mjs',
    body: `
const ñandú = '🦤🎉𝒳'; const 变量 = '日本語'; const ｆｕｌｌ = 'ｗｉｄｅ'; const lone = '\ud800';
const e = '👩‍👩‍👧‍👦'; inCtx('ü', () => setTimeout(() => log('non-ascii', ñandú, 变量, ｆｕｌｌ, e, lone.length, get())));
inCtx('ö', async () => { await '𝒳'; log('after-await', '🎉', get()); });
`,
    expect: ['after-await 🎉 ö', 'non-ascii 🦤🎉𝒳 日本語 ｗｉｄｅ 👩‍👩‍👧‍👦 1 ü'],
    contains: [
      "const e = '👩‍👩‍👧‍👦'; inCtx('ü', () => setTimeout(__otelCtx.bind(() => log('non-ascii', ñandú, 变量, ｆｕｌｌ, e, lone.length, get()))));",
      "inCtx('ö', async () => { const __otelFrame = __otelCtx.frame(); try {  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, '𝒳')); log('after-await', '🎉', get());  } finally { __otelCtx.exit(__otelFrame); } });",
    ],
  },
];

function writeRun(dir: string, name: string, ext: string, code: string): string {
  const out = path.join(WORK, 'run', dir, `${name}${ext}`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  return out;
}

const stemOf = (file: string) => file.replace(/\.[^.]+$/, '');
const needsStrip = (file: string) => /\.([cm]?tsx?|jsx)$/.test(file);

describe('valid unusual syntax: rewritten, still parses, still behaves', () => {
  describe.each(SYNTAX_CASES)('$name', (c) => {
    const source = sourceOf(c);
    const runtimeModule = isCjs(c) ? RUNTIME_CJS : RUNTIME_ESM;

    it('transform(): rewritten, output parses, runs with the expected values and contexts', () => {
      const { result, diagnostics } = timed(c.name, 'transform()', () => runText(source, c.file, { runtimeModule }));
      expect(diagnostics).toEqual([]);
      expect(result).toBeDefined();
      const code = result!.code;
      expect(code).toContain('__otelCtx.');
      expect(parseSync(c.file, code).errors.map((e) => e.message)).toEqual([]);
      for (const text of c.contains ?? []) expect(code).toContain(text);
      if (c.prefix === '#!/usr/bin/env node\n') expect(code.startsWith(c.prefix)).toBe(true);
      // A second run changes nothing.
      expect(runText(code, c.file, { runtimeModule }).result).toBeUndefined();
      // The unplugin core gives the same code.
      const viaUnplugin = runUnplugin(source, c.file, { runtimeModule });
      expect((viaUnplugin.result as { code: string }).code).toBe(code);
      expect(viaUnplugin.warnings).toEqual([]);

      const strip = (text: string) =>
        ts.transpileModule(text, {
          fileName: c.file,
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: isCjs(c) ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext,
            jsx: ts.JsxEmit.React,
            ...c.compilerOptions,
          },
        }).outputText;
      const runnable = needsStrip(c.file) ? strip(code) : code;
      const lines = runNode(writeRun('text', stemOf(c.file), isCjs(c) ? '.cjs' : '.mjs', runnable));
      expect([...lines].sort()).toEqual(c.expect);

      // The same program without the transform loses contexts: the expectation is not vacuous.
      const plain = needsStrip(c.file) ? strip(source) : source;
      const plainLines = runNode(writeRun('plain', stemOf(c.file), isCjs(c) ? '.cjs' : '.mjs', plain));
      expect([...plainLines].sort()).not.toEqual(c.expect);
    });

    it('TypeScript plugin (program): rewritten, runs with the expected values and contexts', () => {
      const compilerOptions = { ...(isCjs(c) ? { module: ts.ModuleKind.CommonJS } : {}), ...c.compilerOptions };
      const file = c.tscFile ?? c.file;
      const run = timed(c.name, 'tsc+plugin (program)', () => runTsc(source, file, { compilerOptions, plugin: { runtimeModule } }));
      expect(run.syntactic.map(tsMessage)).toEqual([]);
      expect(run.diagnostics.map(tsMessage)).toEqual([]);
      const outputs = Object.values(run.out);
      expect(outputs).toHaveLength(1);
      expect(outputs[0]).toContain('__otelCtx.');
      const lines = runNode(writeRun('tsc', stemOf(c.file), isCjs(c) ? '.cjs' : '.mjs', outputs[0]!));
      expect([...lines].sort()).toEqual(c.expect);
    });
  });

  it('source map: non-ASCII text before a rewrite does not shift the mapping', () => {
    const c = SYNTAX_CASES.find((s) => s.file === 'non-ascii.mjs')!;
    const source = sourceOf(c);
    const { result } = runText(source, c.file);
    const code = result!.code;
    const lines = decode((result!.map as { mappings: string }).mappings);
    for (const needle of ["setTimeout(__otelCtx.bind(() => log('non-ascii'", "log('after-await'"]) {
      const at = code.indexOf(needle);
      const before = code.slice(0, at).split('\n');
      // Source map columns count UTF-16 code units, like JavaScript string offsets.
      const segment = lines[before.length - 1]!.find((s) => s[0] === before[before.length - 1]!.length);
      expect(segment).toBeDefined();
      const token = needle.startsWith('setTimeout') ? "setTimeout(() => log('non-ascii'" : needle;
      const sourceBefore = source.slice(0, source.indexOf(token)).split('\n');
      expect({ line: segment![2], column: segment![3] }).toEqual({
        line: sourceBefore.length - 1,
        column: sourceBefore[sourceBefore.length - 1]!.length,
      });
    }
  });
});

// ---------------------------------------------------------------------------
// 4. Size and depth.

describe('a 5+ MB generated file', () => {
  const N_TARGET = 5.25 * 1024 * 1024;
  let code = '';
  let functions = 0;
  beforeAll(() => {
    const parts = [preamble(false), 'const load = async (v) => { await null; return get(); };\nconst use = () => {};\n'];
    let size = parts.join('').length;
    while (size < N_TARGET) {
      const s = `export async function f${functions}(x) { const y = await load(x + ${functions}); setTimeout(() => use(${functions}, y)); return Promise.resolve(y).then((v) => v + ':' + get()); }\n`;
      parts.push(s);
      size += s.length;
      functions++;
    }
    parts.push(`inCtx('big', async () => { log('big', await f0(1), await f${functions - 1}(2), get()); });\n`);
    code = parts.join('');
  });

  it('transform(): rewritten, output parses and runs (time and memory recorded)', () => {
    expect(code.length).toBeGreaterThan(5 * 1024 * 1024);
    const heapBefore = process.memoryUsage().heapUsed;
    let heapAfter = 0;
    const { result, diagnostics } = timed(
      `${(code.length / 1048576).toFixed(2)} MB, ${functions} async functions`,
      'transform()',
      () => {
        const run = runText(code, 'big.mjs', { runtimeModule: RUNTIME_ESM });
        heapAfter = process.memoryUsage().heapUsed;
        return run;
      },
      () =>
        `heap +${Math.round((heapAfter - heapBefore) / 1048576)} MB (result held), rss ${Math.round(process.memoryUsage().rss / 1048576)} MB`,
    );
    expect(diagnostics).toEqual([]);
    const out = result!.code;
    expect(out.length).toBeGreaterThan(code.length);
    expect(out.split('__otelCtx.bind(').length - 1).toBe(2 * functions);
    const reparsed = timed('5 MB output', 'oxc reparse', () => parseSync('big.mjs', out));
    expect(reparsed.errors).toEqual([]);
    const file = writeRun('text', 'big', '.mjs', out);
    const lines = timed('5 MB output', 'node run', () => runNode(file));
    expect(lines).toEqual(['big big:big big:big big']);
  }, 600_000);

  it('unplugin core: same result, no warning', () => {
    const run = timed(`${(code.length / 1048576).toFixed(2)} MB`, 'unplugin', () =>
      runUnplugin(code, 'big.mjs', { runtimeModule: RUNTIME_ESM }),
    );
    expect(run.warnings).toEqual([]);
    expect((run.result as { code: string }).code.split('__otelCtx.bind(').length - 1).toBe(2 * functions);
  }, 600_000);

  it('TypeScript plugin through transpileModule (no checker): rewritten and runs', () => {
    // The whole-program path with the type checker needs about 3 GB for this file: too much for a
    // shared test worker. transpileModule is the plugin's path without a Program (ts-jest, ts-loader).
    const diagnostics: TS.Diagnostic[] = [];
    const compile = () =>
      ts.transpileModule(code, {
        fileName: path.join(SRC, 'big.ts'),
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        transformers: {
          before: [
            otelContextTransformer(undefined, { runtimeModule: RUNTIME_ESM } as never, { ts, addDiagnostic: (d) => diagnostics.push(d) }),
          ],
        },
      });
    const out = timed(`${(code.length / 1048576).toFixed(2)} MB`, 'tsc+plugin (transpile)', compile).outputText;
    expect(diagnostics.map(tsMessage)).toEqual([]);
    expect(out.split('__otelCtx.bind(').length - 1).toBe(2 * functions);
    const lines = runNode(writeRun('tsc', 'big', '.mjs', out));
    expect(lines).toEqual(['big big:big big:big big']);
  }, 600_000);
});

describe('deep nesting', () => {
  // 10,000 levels make transform() throw RangeError (bug 1 at the top of this file): left out.
  // transform() gets 1,000 levels (output reparsed), and its output is run at 200 (V8's own parser
  // gives up on deeper nested functions in some Node versions). TypeScript's own parser, binder,
  // emitter and checker overflow between 500 and 1,000 levels whatever the plugin does, and nested
  // arrows sometimes at 300 already in a test worker; the plugin gets 150, where plain tsc is checked
  // to cope first.
  const SHAPES: Record<string, (n: number) => string> = {
    'parenthesized expressions': (n) => `const x = ${'('.repeat(n)}setTimeout(() => log('deep', get()))${')'.repeat(n)};\n`,
    'nested arrow functions': (n) =>
      `const f = ${'() => '.repeat(n)}setTimeout(() => log('deep', get()));\nlet g = f; for (let i = 0; i < ${n}; i++) g = g();\n`,
    'nested async arrow functions': (n) =>
      `const f = ${'async () => '.repeat(n)}{ await null; setTimeout(() => log('deep', get())); };\n(async () => { let g = f; for (let i = 0; i < ${n}; i++) g = await g(); })();\n`,
    'nested blocks': (n) => `${'{'.repeat(n)}setTimeout(() => log('deep', get()));${'}'.repeat(n)}\n`,
  };
  const wrap = (body: string) => `${preamble(false)}inCtx('d', () => {\n${body}});\n`;
  const slug = (shape: string) => shape.replace(/\W+/g, '-');

  describe.each(Object.entries(SHAPES))('%s', (shape, make) => {
    it('1,000 levels through transform() and the unplugin core: rewritten, output parses', () => {
      const code = wrap(make(1000));
      const { result, diagnostics } = timed(`1,000 nested ${shape}`, 'transform()', () =>
        runText(code, 'deep.mjs', { runtimeModule: RUNTIME_ESM }),
      );
      expect(diagnostics).toEqual([]);
      expect(result!.code).toContain("setTimeout(__otelCtx.bind(() => log('deep', get())))");
      expect(parseSync('deep.mjs', result!.code).errors).toEqual([]);
      const viaUnplugin = timed(`1,000 nested ${shape}`, 'unplugin', () => runUnplugin(code, 'deep.mjs', { runtimeModule: RUNTIME_ESM }));
      expect((viaUnplugin.result as { code: string }).code).toBe(result!.code);
    });

    it('200 levels through transform(): runs in the right context', () => {
      const { result } = runText(wrap(make(200)), 'deep.mjs', { runtimeModule: RUNTIME_ESM });
      expect(runNode(writeRun('text', `deep-${slug(shape)}`, '.mjs', result!.code))).toEqual(['deep d']);
    });

    // TypeScript's own checker recurses per level: at 300 plain tsc (no plugin) sometimes overflowed the
    // stack of a test worker, depending on which of its functions were optimized yet. 150 leaves margin.
    it('150 levels through the TypeScript plugin (program): rewritten, runs in the right context', () => {
      const code = wrap(make(150));
      expect(() => runTsc(code, 'deep.ts', { transformer: false })).not.toThrow();
      const run = timed(`150 nested ${shape}`, 'tsc+plugin (program)', () =>
        runTsc(code, 'deep.ts', { plugin: { runtimeModule: RUNTIME_ESM } }),
      );
      expect(run.diagnostics.map(tsMessage)).toEqual([]);
      const out = run.out['deep.js']!;
      expect(out).toContain('__otelCtx.bind(');
      expect(runNode(writeRun('tsc', `deep-${slug(shape)}`, '.mjs', out))).toEqual(['deep d']);
    });
  });
});

describe('found by this file, fixed', async () => {
  const { transform } = await import('../src/api.js');
  const { parseSync } = await import('oxc-parser');
  const parses = (code: string, filename: string) => expect(parseSync(filename, code).errors).toEqual([]);

  it('10,000-deep nesting: a diagnostic naming the problem, the file untouched, no throw', () => {
    const problems: string[] = [];
    // A boundary at the bottom: the walk must go all the way down.
    for (const code of [
      '{'.repeat(10_000) + 'setTimeout(f);' + '}'.repeat(10_000),
      '('.repeat(10_000) + 'setTimeout(f)' + ')'.repeat(10_000),
    ]) {
      expect(
        transform(code, { filename: '/virtual/deep.js', onDiagnostic: (d) => problems.push(`${d.file}:${d.line}: ${d.message}`) }),
      ).toBeUndefined();
    }
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(p).toMatch(/^\/virtual\/deep\.js:1: nesting too deep to transform/);
    // No boundary word anywhere: nothing to rewrite, so no walk, and nothing to report.
    for (const code of ['{'.repeat(10_000) + '}'.repeat(10_000), '('.repeat(10_000) + '1' + ')'.repeat(10_000)]) {
      expect(transform(code, { filename: '/virtual/deep.js', onDiagnostic: (d) => problems.push(d.message) })).toBeUndefined();
    }
    expect(problems).toHaveLength(2);
  });

  it.each([
    ['await 1;', 'a.mjs'],
    ['#!/usr/bin/env node\nawait 1;', 'b.mjs'],
    ['"use strict";\nfor await (const x of []) ;', 'c.mjs'],
  ])('a rewritten first statement %j: the header comes first and the output parses', (code, name) => {
    const out = transform(code, { filename: `/virtual/${name}` })!.code;
    parses(out, name);
    expect(out.indexOf('import * as __otelCtx')).toBeLessThan(
      out.indexOf('__otelCtx.resume') === -1 ? Infinity : out.indexOf('__otelCtx.resume'),
    );
  });

  it('a sloppy script using with() gets require, not an import that would make it strict', () => {
    const out = transform('with (o) { setTimeout(() => x); }', { filename: '/virtual/legacy.js' })!.code;
    expect(out).toContain('const __otelCtx = require("otel-context-transformer/runtime");');
    parses(out, 'legacy.cjs');
  });

  it.each([
    ['CR', 'a;\rb;\rconst c = ;'],
    ['U+2028', 'a;\u2028b;\u2028const c = ;'],
    ['CRLF', 'a;\r\nb;\r\nconst c = ;'],
  ])('%s line ends: the syntax error is reported on line 3', (_, code) => {
    const lines: number[] = [];
    transform(code, { filename: '/virtual/a.js', onDiagnostic: (d) => lines.push(d.line) });
    expect(lines).toEqual([3]);
  });
});

// Found by the build benchmark on rxjs: a method named like an Object.prototype member
// (`x.toString()`, `o.constructor(cb)`) was taken for a promise method and crashed the walk.
describe('methods named like Object.prototype members', async () => {
  const { transform } = await import('../src/api.js');
  const SOURCE = [
    'const o: any = {};',
    'o.toString();',
    'o.constructor(() => 1);',
    'o.hasOwnProperty("a");',
    'o.valueOf(); o.__proto__; o.isPrototypeOf(o);',
    'setTimeout(() => 1, 1);',
    '',
  ].join('\n');

  it('transform(): no diagnostic, only the real boundary rewritten', () => {
    const problems: string[] = [];
    const out = transform(SOURCE, { filename: '/virtual/proto.ts', onDiagnostic: (d) => problems.push(d.message) })!;
    expect(problems).toEqual([]);
    expect(out.code).toContain('setTimeout(__otelCtx.bind(() => 1), 1)');
    expect(out.code).toContain('o.constructor(() => 1)');
  });

  it('TypeScript plugin without a checker: no warning, the file is rewritten', async () => {
    const { createRequire } = await import('node:module');
    const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
    const plugin = (await import('../src/index.js')).default;
    const diagnostics: unknown[] = [];
    const out = ts.transpileModule(SOURCE, {
      fileName: '/virtual/proto.ts',
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      transformers: { before: [plugin(undefined, {}, { ts, addDiagnostic: (d) => diagnostics.push(d) })] },
    }).outputText;
    expect(diagnostics).toEqual([]);
    expect(out).toContain('setTimeout(__otelCtx.bind(() => 1), 1)');
  });
});
