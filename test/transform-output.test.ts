/**
 * Output shapes of the TypeScript backend, compiled through the real compiler
 * API (createProgram + emit with the transformer as a `before` transformer),
 * in memory, for TypeScript 5 and TypeScript 6.
 *
 * The snapshots live in test/__snapshots__/transform-output/*.js. Both
 * compiler versions are compared against the same file: the rewrite must not
 * depend on the TypeScript version.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer, { type TransformOptions } from '../src/index.js';
import { bind } from '../src/runtime/index.js';
import { transform } from '../src/api.js';
import { compileInMemory, VIRTUAL_ROOT } from './harness/in-memory.js';

const require = createRequire(import.meta.url);
const VERSIONS: { name: string; ts: typeof TS }[] = [
  { name: 'TS 5', ts: require('typescript') as typeof TS },
  { name: 'TS 6', ts: require('typescript-6') as typeof TS },
];

// ---------------------------------------------------------------------------
// In-memory compile helper.

/** Virtual files live under the working directory (never written): include/exclude globs are relative to it. */
const ROOT = VIRTUAL_ROOT;

interface Compiled {
  /** Emitted JavaScript by output path relative to the out dir, e.g. `timers.js`. */
  js: Record<string, string>;
  /** What the transformer reported. */
  diagnostics: TS.Diagnostic[];
  program: TS.Program;
}

interface CompileRequest {
  compilerOptions?: TS.CompilerOptions;
  transform?: (TransformOptions & Record<string, unknown>) | undefined;
  /** Pass the Program to the transformer (type checker available). Default true. */
  withProgram?: boolean;
  /** Run the transformer at all. Default true. */
  transformer?: boolean;
}

/** Library and @types files parsed once per compiler. */

function baseOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmitOnError: false,
  };
}

function compile(ts: typeof TS, files: Record<string, string>, request: CompileRequest = {}): Compiled {
  const diagnostics: TS.Diagnostic[] = [];
  const { js, program } = compileInMemory(ts, files, { ...baseOptions(ts), ...request.compilerOptions }, (program) =>
    request.transformer === false
      ? []
      : [
          otelContextTransformer(request.withProgram === false ? undefined : program, request.transform ?? {}, {
            ts,
            addDiagnostic: (d) => diagnostics.push(d),
          }),
        ],
  );
  return { js, diagnostics, program };
}

function message(ts: typeof TS, d: TS.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}

/** TypeScript's own errors for the virtual files (the snippets must be valid TypeScript). */
function snippetErrors(ts: typeof TS, program: TS.Program): string[] {
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: ${message(ts, d)}`);
}

function parseErrors(ts: typeof TS, name: string, text: string): number {
  const sf = ts.createSourceFile(name, text, ts.ScriptTarget.ESNext, false, ts.ScriptKind.JS);
  return ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics ?? []).length;
}

// ---------------------------------------------------------------------------
// The snippets: one file per rewrite shape, all compiled in one program.

const SNIPPETS: Record<string, string> = {
  'helpers.ts': `
export function log(...values: unknown[]): void { void values; }
`,

  'timers.ts': `
export function direct(cb: () => void) {
  setTimeout(() => cb(), 10);
  setTimeout(cb);
  setInterval(function tick() { cb(); }, 100);
  setImmediate(cb);
  queueMicrotask(() => cb());
  process.nextTick(cb, 'arg');
  requestAnimationFrame((time) => { void time; cb(); });
  requestIdleCallback(() => cb());
  scheduler.postTask(() => cb());
}

export function viaGlobalObjects(cb: () => void) {
  globalThis.setTimeout(cb, 1);
  window.setTimeout(cb, 1);
  self.setInterval(cb, 1);
  global.setImmediate(cb);
  globalThis.queueMicrotask(cb);
  window.requestAnimationFrame(cb);
  self.requestIdleCallback(cb);
  global.queueMicrotask(cb);
}

export function optionalCalls(cb: () => void) {
  setTimeout?.(cb, 1);
  globalThis.queueMicrotask?.(cb);
  window.requestAnimationFrame?.(cb);
  self.setImmediate?.(cb);
  process.nextTick?.(cb);
  scheduler.postTask?.(cb);
  globalThis?.setTimeout(cb, 1);
}

export function otherShapes(cb: () => void, callbacks: [() => void]) {
  (setTimeout)(cb, 1);
  window['setTimeout'](cb, 1);
  setTimeout(...callbacks);
  setTimeout(cb, 1, 'extra', 'arguments');
  return setTimeout(() => setTimeout(cb));
}
`,

  'promises.ts': `
declare const p: Promise<number>;
declare const like: PromiseLike<number>;
declare const maybe: Promise<number> | undefined;
declare const untyped: any;
class MyPromise<T> extends Promise<T> {}
declare const mine: MyPromise<number>;
declare const union: Promise<number> | { then(cb: (v: number) => void): void };

export function reactions(onValue: (v: number) => number, onError: (e: unknown) => number) {
  p.then((v) => v + 1);
  p.then(onValue, onError);
  p.catch(() => 0);
  p.finally(() => {});
  p.then((v) => v).catch(onError).finally(() => {});
  like.then((v) => v);
  maybe?.then((v) => v);
  untyped.then((v: unknown) => v);
  mine.then((v) => v);
  union.then((v) => v);
  p['then']((v) => v);
  (p).catch(onError);
}

export function nonFunctionArguments() {
  p.then();
  p.then(undefined, () => 0);
  p.then(null, null);
  p.catch(undefined);
  p.finally();
  p.finally(undefined);
}

export function spreadArguments(args: [(v: number) => number]) {
  p.then(...args);
}
`,

  'await-functions.ts': `
declare const p: Promise<number>;
declare function use(value: unknown): void;

// Each awaits with code after the await (use), so each needs a frame: see await-tail for those that do not.
export async function declaration() { return use(await p); }
export const expression = async function () { use(await p); };
export const namedExpression = async function named() { use(await p); };
export const arrow = async () => { use(await p); };
export const expressionBody = async () => use(await p);
export const expressionBodyObject = async () => ({ value: await p });
export const noAwait = async () => p;
export async function withDirective() { 'use strict'; use(await p); }

export class Klass {
  async method() { use(await p); }
  static async staticMethod() { use(await p); }
  async #privateMethod() { use(await p); }
  field = async () => { use(await p); };
  static staticField = async () => { use(await p); };
  #privateField = async () => { use(await p); };
  async usePrivates() { await this.#privateMethod(); await this.#privateField(); }
}

export const object = {
  async method() { use(await p); },
  arrow: async () => { use(await p); },
  async ['computed']() { use(await p); },
};

(async () => { use(await p); })();
(async function iife() { use(await p); })();
void (async () => use(await p))();

export async function outer() {
  const inner = async () => { use(await p); };
  function sync() { return p.then((v) => v); }
  await inner();
  return sync();
}
`,

  'await-tail.ts': `
import { log } from './helpers.js';
declare const p: Promise<number>;
declare const thenable: PromiseLike<number>;

// No frame: nothing of the function runs after its one await.
export async function returnAwait() { return await p; }
export async function lastStatement() { log('before'); await p; }
export const tailArrow = async () => await (p as Promise<number>);
export async function branches(c: boolean) { if (c) return await p; log('else'); return await thenable; }
export async function declaredThenReturned() { const v = await p; return v; }
export async function typedArithmetic(i: number) { await p; return i + 1; }
export async function inertReturn(c: boolean) { const v = await p; return typeof v === 'number' ? v : !c; }

// A frame: something can run after an await.
export async function twoAwaits() { await p; await p; }
export async function codeAfter() { await p; log('after'); }
export async function returnInTry() { try { return await p; } finally { log('finally'); } }
export async function returnInForOf(xs: number[]) { for (const x of xs) return await p; }
export async function untypedArithmetic(i: any) { await p; return i + 1; }
export async function objectReturn() { const v = await p; return { v }; }
export async function nestedAwait() { return await (await p, p); }
export async function forAwait(xs: number[]) { for await (const x of xs) log(x); }
`,

  'settle-functions.ts': `
// A promise's own resolve or reject, scheduled with no value: nothing to bind.
export function sleep(ms: number) { return new Promise<void>((resolve) => setTimeout(resolve, ms)); }
export function nextTurn() { return new Promise((r) => setImmediate(r)); }
export function both() { return new Promise<void>((resolve, reject) => { queueMicrotask(resolve); process.nextTick(reject); globalThis.setTimeout(reject, 5); }); }
export function typedThis() { return new Promise<void>(function (this: void, resolve) { setTimeout(resolve, 1); resolve(); }); }
export function nextFrame() { return new Promise((r) => requestAnimationFrame(r)); }
export function propertyNamed(o: { resolve: number }) { return new Promise((resolve) => { setTimeout(resolve, o.resolve); }); }

// Bound: a value is passed on (it could be a thenable, whose then would run in the job's context).
export function withValue(v: unknown) { return new Promise((r) => setTimeout(r, 1, v)); }
export function spread(a: [number, ...unknown[]]) { return new Promise((resolve) => setTimeout(resolve, ...a)); }
// Bound: the name may not be the executor's resolve at the call.
export function reassigned() { return new Promise((resolve) => { resolve = () => {}; setTimeout(resolve, 1); }); }
export function shadowed() { return new Promise((resolve) => { { const resolve = () => {}; setTimeout(resolve, 1); } }); }
export function readElsewhere() { return new Promise((resolve) => { const r = resolve; setTimeout(resolve, 1); setTimeout(r, 2); }); }
export function viaArguments() { return new Promise(function (resolve) { void arguments; setTimeout(resolve, 1); }); }
export function localPromise() {
  class Promise { constructor(executor: (r: () => void) => void) { executor(() => {}); } }
  return new Promise((r) => setTimeout(r, 1));
}
// Bound: not a scheduler call (a promise reaction may pass a value on).
export function reaction(p: Promise<unknown>) { return new Promise((resolve) => { p.then(resolve); }); }
`,

  'word-skip.ts': `
// The TypeScript backend walks only text holding a boundary's word (catalog: boundaryWordOffsets).
export async function* returnInPlainBlock(c: boolean) { if (c) { return 1; } yield 2; }
export function escapedName(cb: () => void) { set\\u0054imeout(cb, 1); }
export function noBoundary(a: number) { const b = { x: a }; return b.x + 1; }
`,

  'await-nested.ts': `
declare function f(...args: unknown[]): Promise<number>;
declare function list(): Promise<number[]>;
declare const p: Promise<number>;
declare const obj: { m(...args: unknown[]): number };

export async function nested() {
  return await f(await f(await p));
}

export async function evaluationOrder(a: number | null, c: boolean) {
  obj.m(await p);
  await f(a, await p);
  const x = a ?? await p;
  const y = c && await p;
  const z = c ? await p : await f();
  const s = \`\${await p}-\${await f()}\`;
  const o = { [await p]: await f() };
  const { d = await p } = {} as { d?: number };
  const spread = [...(await list())];
  if (c) await p;
  for (let i = await p; i < (await p); i += await p) { void i; }
  for (const v of await list()) { void v; }
  while (await p) { break; }
  return [x, y, z, s, o, d, spread];
}
`,

  'try.ts': `
import { log } from './helpers.js';
declare const p: Promise<number>;

export async function tryCatchFinally() {
  try { await p; } catch (e) { log(e); } finally { log('finally'); }
}
export async function returnAwaitInTryFinally() {
  try { return await p; } finally { log('finally'); }
}
export async function awaitOnlyInCatch() {
  try { log('try'); } catch { await p; } finally { log('finally'); }
}
export async function awaitInFinally() {
  try { await p; } finally { await p; }
}
export async function nothingSuspendsInTry() {
  try { log('try'); } catch { log('catch'); } finally { log('finally'); }
  await p;
}
export async function nestedTry() {
  try {
    try { await p; } catch { log('inner'); }
  } catch (e) {
    log(e);
  }
}
`,

  'async-generators.ts': `
declare const p: Promise<number>;

async function* other() { yield 1; }

export async function* agen(xs: AsyncIterable<number>) {
  yield 1;
  const v: unknown = yield await p;
  yield* other();
  for await (const x of xs) yield x;
  return [v, await p];
}
export async function* restParameter(...xs: number[]) { yield xs.length; }
export async function* empty() {}
export async function* bareReturn(c: boolean) { if (c) return; }
export class K {
  async *method() { yield 1; }
  static async *staticMethod() { yield await p; }
}
export const object = { async *method() { yield 1; } };
`,

  'generators.ts': `
export function* simple(a: number) {
  const b: number = yield a;
  yield* [b];
}
export function* defaultParameter(a = 1) { yield a; }
export function* restParameter(...xs: number[]) { yield xs; }
export function* useStrict(a: number) { 'use strict'; yield a; }
export function* usesArguments(a: number) { yield arguments.length + a; }
export function* noYield() { return 1; }
export const expression = function* () { yield 1; };
export class K {
  *method() { yield 1; }
  static *staticMethod() { yield 2; }
  *[Symbol.iterator]() { yield 3; }
}
export function* tryYield() {
  try { yield 1; } catch (e) { void e; } finally { void 0; }
}
`,

  'for-await.ts': `
import { log } from './helpers.js';

export async function loops(xs: AsyncIterable<number>, ys: Iterable<Promise<number>>) {
  for await (const x of xs) { log(x); }
  for await (const y of ys) log(y);
  outer: for await (const x of xs) {
    for await (const y of ys) {
      if (y) continue outer;
      log(x);
      break outer;
    }
  }
  first: second: for await (const x of xs) { log(x); break second; }
  for (const x of [1]) { log(x); }
  label: for (const x of [1]) { log(x); continue label; }
}
`,

  'top-level-await.ts': `
import { log } from './helpers.js';
declare const p: Promise<number>;

const value = await p;
for await (const x of [p]) { log(x); }
try { await p; } finally { log('done'); }
export async function f() { log(await p); }
export function notAsync() { return value; }
export { value };
`,

  'not-rewritten.ts': `
export function localConst() {
  const setTimeout = (cb: () => void) => cb();
  setTimeout(() => {});
}
export function parameter(setTimeout: (cb: () => void) => void) {
  setTimeout(() => {});
}
export function localProcess() {
  const process = { nextTick(cb: () => void) { cb(); } };
  process.nextTick(() => {});
}
export function nonPromiseThen() {
  const thenable = { then(cb: () => void) { cb(); }, catch(cb: () => void) { cb(); }, finally(cb: () => void) { cb(); } };
  thenable.then(() => {});
  thenable.catch(() => {});
  thenable.finally(() => {});
}
export async function noSuspension() { return 1; }
export function* noYield() { return 1; }
`,

  'imported-timers.ts': `
import { setTimeout, setImmediate as immediate } from 'node:timers';
setTimeout(() => {}, 1);
immediate(() => {});
queueMicrotask(() => {});
`,
};

/** TS 5.9's lib.dom has no `scheduler`; TS 6's does. */
function withGlobals(ts: typeof TS, files: Record<string, string>): Record<string, string> {
  if (!ts.versionMajorMinor.startsWith('5.')) return files;
  return { ...files, 'globals.d.ts': 'declare var scheduler: { postTask(cb: () => unknown, options?: object): Promise<unknown> };\n' };
}

const SNAPSHOT_DIR = './__snapshots__/transform-output';
const names = Object.keys(SNIPPETS).filter((n) => n !== 'helpers.ts').map((n) => n.replace(/\.ts$/, ''));

for (const { name: version, ts } of VERSIONS) {
  describe(`rewrite shapes (${version} ${ts.version})`, () => {
    let compiled: Compiled;
    let unchecked: Compiled;
    beforeAll(() => {
      compiled = compile(ts, withGlobals(ts, SNIPPETS));
      unchecked = compile(ts, withGlobals(ts, SNIPPETS), { withProgram: false });
    });

    it('the snippets are valid TypeScript and the transformer reports nothing', () => {
      expect(snippetErrors(ts, compiled.program)).toEqual([]);
      expect(compiled.diagnostics.map((d) => message(ts, d))).toEqual([]);
      expect(unchecked.diagnostics.map((d) => message(ts, d))).toEqual([]);
    });

    it('every emitted file parses', () => {
      for (const [file, text] of Object.entries(compiled.js)) expect(parseErrors(ts, file, text), file).toBe(0);
    });

    it.each(names)('%s', async (name) => {
      await expect(compiled.js[`${name}.js`]).toMatchFileSnapshot(`${SNAPSHOT_DIR}/${name}.js`);
    });

    // --- key facts, asserted directly -------------------------------------------------

    it('binds the callback of every scheduler, directly and via globalThis/window/self/global, optional calls included', () => {
      const out = compiled.js['timers.js']!;
      for (const call of [
        'setTimeout(__otelCtx.bind(() => cb()), 10)',
        'setTimeout(__otelCtx.bind(cb))',
        'setInterval(__otelCtx.bind(function tick() { cb(); }), 100)',
        'setImmediate(__otelCtx.bind(cb))',
        'queueMicrotask(__otelCtx.bind(() => cb()))',
        "process.nextTick(__otelCtx.bind(cb), 'arg')",
        'requestIdleCallback(__otelCtx.bind(() => cb()))',
        'scheduler.postTask(__otelCtx.bind(() => cb()))',
        'globalThis.setTimeout(__otelCtx.bind(cb), 1)',
        'window.setTimeout(__otelCtx.bind(cb), 1)',
        'self.setInterval(__otelCtx.bind(cb), 1)',
        'global.setImmediate(__otelCtx.bind(cb))',
        'globalThis.queueMicrotask(__otelCtx.bind(cb))',
        'window.requestAnimationFrame(__otelCtx.bind(cb))',
        'self.requestIdleCallback(__otelCtx.bind(cb))',
        'global.queueMicrotask(__otelCtx.bind(cb))',
        'setTimeout?.(__otelCtx.bind(cb), 1)',
        'globalThis.queueMicrotask?.(__otelCtx.bind(cb))',
        'window.requestAnimationFrame?.(__otelCtx.bind(cb))',
        'self.setImmediate?.(__otelCtx.bind(cb))',
        'process.nextTick?.(__otelCtx.bind(cb))',
        'scheduler.postTask?.(__otelCtx.bind(cb))',
        'globalThis?.setTimeout(__otelCtx.bind(cb), 1)',
        '(setTimeout)(__otelCtx.bind(cb), 1)',
        "window['setTimeout'](__otelCtx.bind(cb), 1)",
        "setTimeout(__otelCtx.bind(cb), 1, 'extra', 'arguments')",
        'setTimeout(__otelCtx.bind(() => setTimeout(__otelCtx.bind(cb))))',
      ]) {
        expect(out).toContain(call);
      }
      expect(out).toMatch(/requestAnimationFrame\(__otelCtx\.bind\(\(time\) => \{/);
      // A spread before the callback position hides which argument is the callback.
      expect(out).toContain('setTimeout(...callbacks)');
      expect(out.startsWith('import * as __otelCtx from "otel-context-transformer/runtime";\n')).toBe(true);
    });

    it('binds promise reactions; adds and drops no argument', () => {
      const out = compiled.js['promises.js']!;
      for (const call of [
        'p.then(__otelCtx.bind((v) => v + 1))',
        'p.then(__otelCtx.bind(onValue), __otelCtx.bind(onError))',
        'p.catch(__otelCtx.bind(() => 0))',
        'p.finally(__otelCtx.bind(() => { }))',
        'p.then(__otelCtx.bind((v) => v)).catch(__otelCtx.bind(onError)).finally(__otelCtx.bind(() => { }))',
        'like.then(__otelCtx.bind((v) => v))',
        'maybe?.then(__otelCtx.bind((v) => v))',
        'untyped.then(__otelCtx.bind((v) => v))',
        'mine.then(__otelCtx.bind((v) => v))',
        'union.then(__otelCtx.bind((v) => v))',
        "p['then'](__otelCtx.bind((v) => v))",
        '(p).catch(__otelCtx.bind(onError))',
        'p.then(...args)',
      ]) {
        expect(out).toContain(call);
      }
      // No callback, nothing to bind.
      expect(out).toMatch(/^ {4}p\.then\(\);$/m);
      expect(out).toMatch(/^ {4}p\.finally\(\);$/m);
    });

    it('leaves non-function reaction arguments as they are (bind passes them through)', () => {
      // The output may wrap them (see nonFunctionArguments in the promises snapshot);
      // what reaches then/catch/finally must be the very same value.
      for (const value of [undefined, null, 0, 'x', {}]) expect(bind(value)).toBe(value);
    });

    it('frames every kind of async function that awaits, and only those', () => {
      const out = compiled.js['await-functions.js']!;
      // 7 functions, 7 class members, 3 object members, 3 IIFEs, outer + inner; not noAwait.
      expect(count(out, 'const __otelFrame = __otelCtx.frame();')).toBe(22);
      expect(count(out, '__otelCtx.exit(__otelFrame);')).toBe(22);
      expect(out).toContain('export const noAwait = async () => p;');
      expect(out.replace(/^\/\/.*$/gm, '')).not.toMatch(/\bawait (?!__otelCtx\.suspend\()/);
      // The directive prologue stays first.
      expect(out).toMatch(/async function withDirective\(\) \{\n {4}'use strict';\n {4}const __otelFrame = __otelCtx\.frame\(\);/);
      // Expression bodies become a return in a block.
      expect(out).toMatch(/expressionBody = async \(\) => \{\n {4}const __otelFrame = __otelCtx\.frame\(\);\n {4}try \{\n {8}return use\(__otelCtx\.resume\(__otelFrame, await __otelCtx\.suspend\(__otelFrame, p\)\)\);/);
    });

    it('needs no frame where nothing of the function runs after its await, and only there', () => {
      const out = compiled.js['await-tail.js']!;
      const elided = ['returnAwait', 'lastStatement', 'branches', 'declaredThenReturned', 'typedArithmetic', 'inertReturn'];
      const framed = ['twoAwaits', 'codeAfter', 'returnInTry', 'returnInForOf', 'untypedArithmetic', 'objectReturn', 'nestedAwait', 'forAwait'];
      for (const name of elided) {
        expect(functionText(out, name), name).not.toContain('__otelFrame');
        expect(functionText(out, name), name).toContain('await __otelCtx.tail(');
      }
      expect(out).toMatch(/tailArrow = async \(\) => await __otelCtx\.tail\(p\);/);
      expect(count(functionText(out, 'branches'), 'await __otelCtx.tail(')).toBe(2);
      for (const name of framed) expect(functionText(out, name), name).toContain('const __otelFrame = __otelCtx.frame();');
      // Without the checker `i + 1` could call valueOf on an object: framed.
      expect(functionText(unchecked.js['await-tail.js']!, 'typedArithmetic')).toContain('const __otelFrame = __otelCtx.frame();');
      // The text backend makes the same choices (it has no checker either).
      const text = transform(SNIPPETS['await-tail.ts']!, { filename: 'await-tail.ts' })!.code;
      for (const name of elided.filter((n) => n !== 'typedArithmetic')) expect(functionText(text, name), name).not.toContain('__otelFrame');
      for (const name of [...framed, 'typedArithmetic']) expect(functionText(text, name), name).toContain('const __otelFrame = __otelCtx.frame();');
    });

    it('walks only text holding a boundary word, but every return of an async generator and names spelled with escapes', () => {
      const text = transform(SNIPPETS['word-skip.ts']!, { filename: 'word-skip.ts' })!.code;
      for (const out of [compiled.js['word-skip.js']!, unchecked.js['word-skip.js']!, text]) {
        expect(functionText(out, 'returnInPlainBlock')).toMatch(/return __otelCtx\.suspend\(__otelFrame, 1\)/);
        expect(functionText(out, 'escapedName')).toContain('__otelCtx.bind(cb)');
        expect(functionText(out, 'noBoundary')).not.toContain('__otelCtx');
      }
    });

    it("leaves a promise executor's resolve and reject unbound where a scheduler passes them no value, and only there", () => {
      const unbound = ['sleep', 'nextTurn', 'both', 'typedThis', 'nextFrame', 'propertyNamed'];
      const bound = ['withValue', 'spread', 'reassigned', 'shadowed', 'readElsewhere', 'viaArguments', 'localPromise', 'reaction'];
      const text = transform(SNIPPETS['settle-functions.ts']!, { filename: 'settle-functions.ts' })!.code;
      for (const out of [compiled.js['settle-functions.js']!, unchecked.js['settle-functions.js']!, text]) {
        for (const name of unbound) expect(functionText(out, name), name).not.toContain('__otelCtx.bind(');
        for (const name of bound) expect(functionText(out, name), name).toContain('__otelCtx.bind(');
      }
      // A write hidden in a decorator counts too (the text backend keeps decorators as written).
      const decorated = transform('new Promise((resolve) => { @((resolve = () => {}), d) class K {} setTimeout(resolve, 1); });', { filename: 'decorated.ts' })!.code;
      expect(decorated).toContain('setTimeout(__otelCtx.bind(resolve), 1)');
    });

    it('rewrites nested awaits inside out, each against its own frame', () => {
      const out = compiled.js['await-nested.js']!;
      expect(out).toContain(
        'return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))))))));',
      );
      expect(out).toContain('const x = a ?? __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));');
      expect(out).not.toMatch(/\bawait (?!__otelCtx\.suspend\()/);
    });

    it('re-enters in catch/finally only where the protected block can suspend', () => {
      const out = compiled.js['try.js']!;
      const fn = (name: string) => functionText(out, name);
      expect(fn('tryCatchFinally')).toMatch(/catch \(e\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\(e\)/);
      expect(fn('tryCatchFinally')).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\('finally'\)/);
      expect(fn('returnAwaitInTryFinally')).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\('finally'\)/);
      // Only the catch block suspends: the catch is entered synchronously, the finally may follow an await.
      expect(fn('awaitOnlyInCatch')).toMatch(/catch \{\n\s+__otelCtx\.resume/);
      expect(fn('awaitOnlyInCatch')).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);/);
      expect(count(fn('nothingSuspendsInTry'), 'reenter')).toBe(0);
    });

    it('frames generators in the parameter list, with the body fallback for rest parameters and "use strict"', () => {
      const out = compiled.js['generators.js']!;
      expect(out).toContain('export function* simple(a, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toContain('export function* defaultParameter(a = 1, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toMatch(/export function\* restParameter\(\.\.\.xs\) \{\n {4}const __otelFrame = __otelCtx\.genFrame\(\);/);
      expect(out).toMatch(/export function\* useStrict\(a\) \{\n {4}'use strict';\n {4}const __otelFrame = __otelCtx\.genFrame\(\);/);
      // A module is strict code: `arguments` does not alias parameters, so the parameter frame is safe.
      expect(out).toContain('export function* usesArguments(a, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toContain('export function* noYield() { return 1; }');
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, a))');
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield* __otelCtx.leave(__otelFrame, [b]))');
      expect(out).toContain('*[Symbol.iterator](...{ __otelFrame = __otelCtx.genFrame() }) {');
    });

    it('async generators: yield goes through suspend, yield* through leave, for await through forAwait', () => {
      const out = compiled.js['async-generators.js']!;
      expect(out).toContain('export async function* agen(xs, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));');
      expect(out).toContain(
        'const v = __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))));',
      );
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield* __otelCtx.leave(__otelFrame, other()));');
      expect(out).toContain('for await (const x of __otelCtx.forAwait(__otelFrame, xs)) {');
      expect(out).toMatch(/export async function\* restParameter\(\.\.\.xs\) \{\n {4}const __otelFrame = __otelCtx\.genFrame\(\);/);
      expect(out).toContain('export async function* empty() { }');
      expect(out).toContain('export async function* bareReturn(c) { if (c)\n    return; }');
    });

    it('for await keeps its labels on the loop, inside the re-entering try', () => {
      const out = compiled.js['for-await.js']!;
      expect(out).toMatch(/try \{\n\s+outer: for await \(const x of __otelCtx\.forAwait\(__otelFrame, xs\)\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);/);
      expect(out).toMatch(/try \{\n\s+first: second: for await \(const x of __otelCtx\.forAwait\(__otelFrame, xs\)\) \{/);
      expect(out).toContain('continue outer;');
      expect(out).toContain('break second;');
      // Brace-less body gets a block.
      expect(out).toMatch(/for await \(const y of __otelCtx\.forAwait\(__otelFrame, ys\)\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\(y\);\n\s+\}/);
      // Plain for-of loops are untouched.
      expect(out).toMatch(/\n\s+for \(const x of \[1\]\) \{\n\s+log\(x\);\n\s+\}/);
      expect(out).toContain('label: for (const x of [1]) {');
      expect(count(out, '__otelCtx.forAwait(')).toBe(5);
    });

    it('top-level await resumes in a root frame declared right after the imports', () => {
      const out = compiled.js['top-level-await.js']!;
      expect(out.startsWith(
        'import * as __otelCtx from "otel-context-transformer/runtime";\nimport { log } from \'./helpers.js\';\nconst __otelFrame = __otelCtx.rootFrame();\n',
      )).toBe(true);
      expect(out).toContain('const value = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));');
      expect(out).toContain('for await (const x of __otelCtx.forAwait(__otelFrame, [p])) {');
      expect(count(out, '__otelCtx.rootFrame()')).toBe(1);
      // Only f() has a frame of its own, and only it exits one: the root frame is never exited.
      expect(count(out, '__otelCtx.frame()')).toBe(1);
      expect(count(out, '__otelCtx.exit(')).toBe(1);
    });

    it('does not rewrite a local setTimeout, a setTimeout parameter, a local process or a non-promise .then (checker present)', () => {
      const out = compiled.js['not-rewritten.js']!;
      expect(out).not.toContain('__otelCtx');
      expect(out).toContain('setTimeout(() => { });');
      expect(out).toContain('process.nextTick(() => { });');
      expect(out).toContain('thenable.then(() => { });');
      expect(out).toContain('thenable.catch(() => { });');
      expect(out).toContain('thenable.finally(() => { });');
    });

    it("does not rewrite setTimeout imported from 'node:timers' (with and without checker)", () => {
      for (const result of [compiled, unchecked]) {
        const out = result.js['imported-timers.js']!;
        expect(out).toContain('setTimeout(() => { }, 1);');
        expect(out).toContain('immediate(() => { });');
        expect(out).toContain('queueMicrotask(__otelCtx.bind(() => { }));');
      }
    });

    it('without a checker: scope rules still protect locals, and .then on anything is a promise', () => {
      const out = unchecked.js['not-rewritten.js']!;
      expect(out).toContain('const setTimeout = (cb) => cb();\n    setTimeout(() => { });');
      expect(out).toMatch(/export function parameter\(setTimeout\) \{\n\s+setTimeout\(\(\) => \{ \}\);/);
      expect(out).toContain('process.nextTick(() => { });');
      expect(out).toContain('thenable.then(__otelCtx.bind(() => { }));');
      expect(out).toContain('thenable.catch(__otelCtx.bind(() => { }));');
      expect(out).toContain('thenable.finally(__otelCtx.bind(() => { }));');
      // Everything the checker would allow is rewritten the same way (await-tail: see its own test).
      for (const name of names.filter((n) => n !== 'not-rewritten' && n !== 'await-tail')) {
        expect(unchecked.js[`${name}.js`], name).toBe(compiled.js[`${name}.js`]);
      }
    });

    it('with typeCheck: false the checker is not consulted', () => {
      const result = compile(ts, { 'a.ts': SNIPPETS['not-rewritten.ts']! }, { transform: { typeCheck: false } });
      expect(result.js['a.js']).toContain('thenable.then(__otelCtx.bind(() => { }));');
      expect(result.js['a.js']).not.toContain('setTimeout(__otelCtx');
    });

    it('is idempotent: the emitted JavaScript (allowJs) goes through again byte-identical', () => {
      const jsOptions: TS.CompilerOptions = { allowJs: true, checkJs: false, noResolve: true, types: [] };
      for (const [mode, first] of [['checker', compiled], ['no checker', unchecked]] as const) {
        const withProgram = mode === 'checker';
        // The printer alone may reformat: normalise once without the transformer, then a
        // second transform of that text must change nothing at all.
        const printed = compile(ts, first.js, { compilerOptions: jsOptions, transformer: false }).js;
        const again = compile(ts, printed, { compilerOptions: jsOptions, withProgram });
        expect(again.diagnostics, mode).toEqual([]);
        expect(Object.keys(again.js).sort(), mode).toEqual(Object.keys(printed).sort());
        for (const [name, text] of Object.entries(printed)) expect(again.js[name], `${mode}: ${name}`).toBe(text);
        // The same straight from the first output.
        expect(compile(ts, first.js, { compilerOptions: jsOptions, withProgram }).js, mode).toEqual(printed);
      }
    });

    it('ES2015 target: helper calls end up inside the __awaiter generator', async () => {
      const source = `
declare const p: Promise<number>;
export async function f() {
  try { return await p; } finally { console.log('done'); }
}
export async function* g() { yield await p; }
export async function* h(c: boolean) { if (c) return; yield 1; }
`;
      const result = compile(ts, { 'es2015.ts': source }, { compilerOptions: { target: ts.ScriptTarget.ES2015, lib: ['lib.es2018.d.ts'], types: [] } });
      const out = result.js['es2015.js']!;
      await expect(out).toMatchFileSnapshot(`${SNAPSHOT_DIR}/es2015-target.js`);
      expect(out).not.toMatch(/\bawait\b(?! __)/); // TypeScript turned every await into yield
      expect(out).toMatch(
        /return __awaiter\(this, void 0, void 0, function\* \(\) \{\n\s+const __otelFrame = __otelCtx\.frame\(\);\n\s+try \{\n\s+try \{\n\s+return __otelCtx\.resume\(__otelFrame, yield __otelCtx\.suspend\(__otelFrame, p\)\);/,
      );
      expect(out).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+console\.log\('done'\);/);
      expect(out).toMatch(/__asyncGenerator\(this, arguments, function\* g_1\(\.\.\.\{ __otelFrame = __otelCtx\.genFrame\(\) \}\)/);
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield __await(__otelCtx.suspend(__otelFrame, p)))');
      // TypeScript lowers a bare `return;` to `return yield __await(void 0)`: we leave before that await.
      expect(out).toContain('return yield __await(__otelCtx.suspend(__otelFrame, void 0));');
    });

    it('a bare return in an async generator suspends below ES2018 (lowered to an await) and stays as it is from ES2018', () => {
      const source = 'export async function* h(c: boolean) { if (c) return; yield 1; }\n';
      const at = (target: TS.ScriptTarget) =>
        compile(ts, { 'bare.ts': source }, { compilerOptions: { target, lib: ['lib.es2018.d.ts'], types: [] } }).js['bare.js']!;
      expect(at(ts.ScriptTarget.ES2017)).toContain('return yield __await(__otelCtx.suspend(__otelFrame, void 0));');
      for (const target of [ts.ScriptTarget.ES2018, ts.ScriptTarget.ES2022]) {
        const out = at(target);
        expect(out).toMatch(/if \(c\)\n\s+return;/);
        expect(count(out, '__otelCtx.suspend(')).toBe(1); // the yield's
      }
    });

    it('CommonJS output requires the runtime', async () => {
      const source = `
declare const p: Promise<number>;
export async function f() { setTimeout(() => {}, 1); return await p; }
`;
      const compilerOptions: TS.CompilerOptions = {
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        ...(ts.versionMajorMinor.startsWith('5.') ? {} : { ignoreDeprecations: '6.0' }),
      };
      const result = compile(ts, { 'cjs.ts': source }, { compilerOptions });
      const out = result.js['cjs.js']!;
      await expect(out).toMatchFileSnapshot(`${SNAPSHOT_DIR}/commonjs.js`);
      expect(out).toContain('require("otel-context-transformer/runtime")');
      expect(out).not.toMatch(/^import /m);
      expect(out).toContain('setTimeout(__otelCtx.bind(() => { }), 1);');
      const custom = compile(ts, { 'cjs.ts': source }, { compilerOptions, transform: { runtimeModule: '@acme/otel-runtime' } });
      expect(custom.js['cjs.js']).toContain('require("@acme/otel-runtime")');
    });
  });
}

describe('TypeScript 5 and 6 agree', () => {
  it('emit the same rewrite for every snippet', () => {
    const [five, six] = VERSIONS.map(({ ts }) => compile(ts, withGlobals(ts, SNIPPETS)).js);
    expect(Object.keys(six!).sort()).toEqual(Object.keys(five!).sort());
    for (const name of Object.keys(five!)) expect(six![name], name).toBe(five![name]);
  });
});

// ---------------------------------------------------------------------------

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The text of a top-level `export async function name` up to the next top-level declaration. */
function functionText(out: string, name: string): string {
  const start = out.search(new RegExp(`function ?\\*? ?${name}\\(`));
  expect(start, name).toBeGreaterThanOrEqual(0);
  const end = out.indexOf('\nexport ', start);
  return out.slice(start, end === -1 ? undefined : end);
}
