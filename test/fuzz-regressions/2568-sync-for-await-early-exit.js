// fuzz regression: found by seed 2568 (an earlier version of the generator; `npm run fuzz` without
// --avoid-known), shrunk, then minimized by hand. Backends text and ts, ctx. Fixed in c53d31b.
// `for await` over a sync iterable whose iterator has no return() (an array), left early: the loop
// still awaits the close (%AsyncFromSyncIteratorPrototype%.return always exists). forAwait() exposed
// no `return` to put leave() before that await, so the function's context stayed in the slot while it
// was suspended there: a concurrent call took it for the context it found, and after the loop the
// first call ran in another context ("after the loop, expected context a: expected a, got undefined").
export {};
const { log, chk, V, T } = globalThis.__fuzz;
async function f(ct) {
  for await (const x of [1, 2]) break;
  chk(ct, `after the loop, expected context ${ct}`);
}
T(V.run('a', () => f('a')));
T(f(undefined));
// Two concurrent calls in one context: the second took the leaked context for the one it found and
// put it back at its end, so it stayed in the slot for every uncompiled job after (the runner's probe).
async function g() {
  for await (const x of [1]) break;
}
V.run('b', () => {
  g();
  g();
});
for (let q; (q = T.take()).length; ) await Promise.allSettled(q);
log('end');
