import * as __otelCtx from "otel-context-transformer/runtime";

export function direct(cb: () => void) {
  setTimeout(__otelCtx.bind(() => cb()), 10);
  setTimeout(__otelCtx.bind(cb));
  setInterval(__otelCtx.bind(function tick() { cb(); }), 100);
  setImmediate(__otelCtx.bind(cb));
  queueMicrotask(__otelCtx.bind(() => cb()));
  process.nextTick(__otelCtx.bind(cb), 'arg');
  requestAnimationFrame(__otelCtx.bind((time) => { void time; cb(); }));
  requestIdleCallback(__otelCtx.bind(() => cb()));
  scheduler.postTask(__otelCtx.bind(() => cb()));
}

export function viaGlobalObjects(cb: () => void) {
  globalThis.setTimeout(__otelCtx.bind(cb), 1);
  window.setTimeout(__otelCtx.bind(cb), 1);
  self.setInterval(__otelCtx.bind(cb), 1);
  global.setImmediate(__otelCtx.bind(cb));
  globalThis.queueMicrotask(__otelCtx.bind(cb));
  window.requestAnimationFrame(__otelCtx.bind(cb));
  self.requestIdleCallback(__otelCtx.bind(cb));
  global.queueMicrotask(__otelCtx.bind(cb));
}

export function optionalCalls(cb: () => void) {
  setTimeout?.(__otelCtx.bind(cb), 1);
  globalThis.queueMicrotask?.(__otelCtx.bind(cb));
  window.requestAnimationFrame?.(__otelCtx.bind(cb));
  self.setImmediate?.(__otelCtx.bind(cb));
  process.nextTick?.(__otelCtx.bind(cb));
  scheduler.postTask?.(__otelCtx.bind(cb));
  globalThis?.setTimeout(__otelCtx.bind(cb), 1);
}

export function otherShapes(cb: () => void, callbacks: [() => void]) {
  (setTimeout)(__otelCtx.bind(cb), 1);
  window['setTimeout'](__otelCtx.bind(cb), 1);
  setTimeout(...callbacks);
  setTimeout(__otelCtx.bind(cb), 1, 'extra', 'arguments');
  return setTimeout(__otelCtx.bind(() => setTimeout(__otelCtx.bind(cb))));
}
