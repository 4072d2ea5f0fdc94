/**
 * The rewrite-shape snippets: one file per shape, compiled together by
 * test/transform-output.test.ts (TypeScript backend, snapshots) and fed to both
 * backends by test/backend-equivalence.test.ts.
 */
export const SNIPPETS: Record<string, string> = {
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

  'thenable-jobs.ts': `
declare const value: unknown;
declare const thenable: PromiseLike<number>;
// A value a promise resolves with: a thenable's then runs in a later job, adopted in the call's context (tail).
export const adopted = Promise.resolve(thenable);
export const viaGlobal = globalThis.Promise.resolve(value);
export function executor() { return new Promise((resolve) => { resolve(value); }); }
export function later() { return new Promise((resolve) => setTimeout(() => resolve(value), 1)); }
// Not adopted: a literal is never a thenable; a name that may not be the executor's resolve; no value.
export const literal = Promise.resolve(1);
export function shadowed() { return new Promise((resolve) => { { const resolve = (v: unknown) => v; resolve(value); } }); }
export function reassigned() { return new Promise((resolve) => { resolve = () => {}; resolve(value); }); }
export function empty() { return new Promise<void>((resolve) => resolve()); }
export function rejectIsNot() { return new Promise((_, reject) => reject(value)); }
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

  'spawn.ts': `
import { exec, execFile, execFileSync, execSync, fork, spawn, spawnSync } from 'node:child_process';
import * as cp from 'child_process';
import childProcess from 'child_process';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { execFile as run } from 'node:child_process';
const { Worker: W } = require('worker_threads');

export function processes(cmd: string, argv: string[], options: object, cb: () => void, rest: any[]) {
  spawn(cmd);
  spawn(cmd, argv);
  spawn(cmd, ['-l'], { stdio: 'inherit' });
  spawn(cmd, argv, options);
  spawnSync(cmd, { encoding: 'utf8' });
  fork(cmd, undefined, { silent: true });
  exec(cmd, () => cb());
  exec(cmd, cb);
  exec(cmd, { env: {} }, cb);
  execFile(cmd, ['-v'], { env: {} }, () => cb());
  execFile(cmd, argv, cb);
  execFileSync(cmd, [], options);
  execSync(cmd);
  (cp.spawn as any)(...rest);
  childProcess.exec(cmd, undefined, cb);
  require('node:child_process').fork(cmd, argv);
  run(cmd);
}

export function threads(file: string, options: object) {
  new Worker(file);
  new Worker(file, { workerData: 1, env: SHARE_ENV });
  new Worker(file, options);
  return new W(file);
}

export function browserWorkers(name: string) {
  new globalThis.Worker(new URL('./w.js', import.meta.url));
  new globalThis.Worker(new URL('./w.js', import.meta.url), { type: 'module' });
  new globalThis.Worker(new URL('./w.js', import.meta.url), { name, type: 'module' });
  new globalThis.Worker(new URL('./w.js', import.meta.url), { 'name': 'a', type: 'module' });
  new globalThis.Worker(new URL('./w.js', import.meta.url), { ...{ type: 'module' as const } });
  // Workers we may not compile: left alone.
  new globalThis.Worker('/w.js');
  new globalThis.Worker(new URL(name, import.meta.url));
}

export function notSpawns(spawn: (cmd: string) => void, Worker: new (f: string) => object) {
  spawn('ls');
  new Worker('w.js');
  /x/.exec('x');
}
`,
};

/** The inputs test/transform-output.test.ts compiles on their own (other compiler options, or the text backend only). */
export const OTHER_INPUTS: Record<string, string> = {
  'es2015.ts': `
declare const p: Promise<number>;
export async function f() {
  try { return await p; } finally { console.log('done'); }
}
export async function* g() { yield await p; }
export async function* h(c: boolean) { if (c) return; yield 1; }
`,
  'cjs.ts': `
declare const p: Promise<number>;
export async function f() { setTimeout(() => {}, 1); return await p; }
`,
  'bare.ts': 'export async function* h(c: boolean) { if (c) return; yield 1; }\n',
  'decorated.ts': 'new Promise((resolve) => { @((resolve = () => {}), d) class K {} setTimeout(resolve, 1); });',
};
