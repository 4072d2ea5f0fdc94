import * as __otelCtx from "otel-context-transformer/runtime";

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
  thenable.then(__otelCtx.bind(() => {}));
  thenable.catch(__otelCtx.bind(() => {}));
  thenable.finally(__otelCtx.bind(() => {}));
}
export async function noSuspension() { return 1; }
export function* noYield() { return 1; }
