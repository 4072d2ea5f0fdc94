// fuzz regression: found by seed 45 (an earlier version of the generator, backend ts), shrunk, then
// minimized by hand. Fixed in c53d31b.
// An `await` in the computed key of a class member is evaluated by the enclosing async function, but
// the TypeScript plugin did not look inside class bodies for it: the function got no frame, and after
// that await it ran in whatever context the job had ("after an await in a computed key: expected c1,
// got undefined"). The text backend was right.
export {};
const { log, chk, V, T } = (globalThis as any).__fuzz;
async function f(ct: any) {
  class C {
    [await Promise.resolve('k')] = 1;
  }
  chk(ct, 'after an await in a computed key');
  log(Object.keys(new C()));
}
T(V.run('c1', () => f('c1')));
for (let q; (q = T.take()).length; ) await Promise.allSettled(q);
log('end');
