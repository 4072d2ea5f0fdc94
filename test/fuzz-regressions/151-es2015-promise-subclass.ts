// fuzz regression: found by seed 151 (an earlier version of the generator, backend es2015), shrunk,
// then minimized by hand. Fixed in c53d31b.
// Below ES2017 TypeScript's __awaiter calls `then` of an awaited promise (instanceof Promise,
// subclasses included) at once. suspend() handed it a plain thenable instead of a Promise subclass
// instance, so __awaiter wrapped it in a new promise and the subclass's then ran one job later:
// without the transform "SubPromise.then" came before "after the call", with it after.
export {};
const { log } = (globalThis as any).__fuzz;
class SubPromise extends Promise<any> {
  then(f: any, r: any) {
    log('SubPromise.then');
    return super.then(f, r);
  }
}
async function f() {
  await new SubPromise((res: any) => res(1));
  log('after await');
}
f();
log('after the call');
await new Promise((res) => setTimeout(res, 1));
log('end');
