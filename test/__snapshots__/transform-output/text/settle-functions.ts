import * as __otelCtx from "otel-context-transformer/runtime";

// A promise's own resolve or reject, scheduled with no value: nothing to bind.
export function sleep(ms: number) { return new Promise<void>((resolve) => setTimeout(resolve, ms)); }
export function nextTurn() { return new Promise((r) => setImmediate(r)); }
export function both() { return new Promise<void>((resolve, reject) => { queueMicrotask(resolve); process.nextTick(reject); globalThis.setTimeout(reject, 5); }); }
export function typedThis() { return new Promise<void>(function (this: void, resolve) { setTimeout(resolve, 1); resolve(); }); }
export function nextFrame() { return new Promise((r) => requestAnimationFrame(r)); }
export function propertyNamed(o: { resolve: number }) { return new Promise((resolve) => { setTimeout(resolve, o.resolve); }); }

// Bound: a value is passed on (it could be a thenable, whose then would run in the job's context).
export function withValue(v: unknown) { return new Promise((r) => setTimeout(__otelCtx.bind(r), 1, v)); }
export function spread(a: [number, ...unknown[]]) { return new Promise((resolve) => setTimeout(__otelCtx.bind(resolve), ...a)); }
// Bound: the name may not be the executor's resolve at the call.
export function reassigned() { return new Promise((resolve) => { resolve = () => {}; setTimeout(__otelCtx.bind(resolve), 1); }); }
export function shadowed() { return new Promise((resolve) => { { const resolve = () => {}; setTimeout(__otelCtx.bind(resolve), 1); } }); }
export function readElsewhere() { return new Promise((resolve) => { const r = resolve; setTimeout(__otelCtx.bind(resolve), 1); setTimeout(__otelCtx.bind(r), 2); }); }
export function viaArguments() { return new Promise(function (resolve) { void arguments; setTimeout(__otelCtx.bind(resolve), 1); }); }
export function localPromise() {
  class Promise { constructor(executor: (r: () => void) => void) { executor(() => {}); } }
  return new Promise((r) => setTimeout(__otelCtx.bind(r), 1));
}
// Bound: not a scheduler call (a promise reaction may pass a value on).
export function reaction(p: Promise<unknown>) { return new Promise((resolve) => { p.then(__otelCtx.bind(resolve)); }); }
