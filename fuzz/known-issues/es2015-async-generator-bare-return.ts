// Known issue es2015-async-generator-bare-return (TypeScript plugin, targets below ES2018).
// TypeScript lowers a bare `return;` in an async generator to `return yield __await(void 0)`: a
// suspension that does not exist natively (`return;` does not await), so the transform put no
// suspend/leave before it, and the generator's context stays in the slot while it waits: uncompiled
// jobs (here the runner's probe) see it.
// Fix idea: when the compiler's target is below ES2018, rewrite a bare `return;` in an async
// generator as `return __otelCtx.suspend(__otelFrame, void 0);` (same lowering, one leave before it).
export {};
const { log, V } = (globalThis as any).__fuzz;
async function* inner() {
  return;
  yield 0;
}
async function* outer() {
  await inner().next();
}
V.run('c1', () => outer().next());
await new Promise((res) => setTimeout(res, 5));
log('end');
