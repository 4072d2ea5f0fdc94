// fuzz regression: found by seed 189 (an earlier version of the generator, all backends), minimized
// by hand. Fixed in c53d31b (promises are awaited as they are).
// `await p` reads a native promise's `constructor` once (PromiseResolve). suspend() read it too
// (instanceof Promise && value.constructor === Promise), so a `constructor` getter ran twice: an
// extra "constructor read" event with the transform.
export {};
const { log } = globalThis.__fuzz;
const p = Object.defineProperty(Promise.resolve(2), 'constructor', {
  get() {
    log('constructor read');
    return Promise;
  },
});
log('module level', await p);
async function f() {
  return await p;
}
log('in a function', await f());
log('end');
