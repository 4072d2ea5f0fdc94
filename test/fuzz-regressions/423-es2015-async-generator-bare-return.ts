// fuzz regression: known issue es2015-async-generator-bare-return, minimized by hand; the current
// generator finds it again with seed 423 (`npm run fuzz -- --seed 423 --count 1 --avoid-known
// --backends es2015`, checked against the output before the fix). Backend es2015 (the TypeScript
// plugin below ES2018), ctx. Fixed in 3eb4e5d.
// TypeScript lowers a bare `return;` in an async generator to `return yield __await(void 0)`: a
// suspension that does not exist natively (`return;` does not await), so the transform put no
// suspend/leave before it, and the generator's context stayed in the slot while it waited:
// uncompiled jobs saw it ("leak: uncompiled setImmediate saw context c1", the runner's probe). Now,
// when the target is below ES2018, a bare `return;` in a framed async generator becomes
// `return __otelCtx.suspend(__otelFrame, void 0);`. From ES2018 it stays as it is.
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
