// Known issue for-await-sync-next-throws (all backends; src/runtime/slot.ts forAwait).
// `for await` over a sync iterable whose next() throws (a sync generator that throws, an iterator
// that throws): the async-from-sync wrapper turns the throw into a rejected promise and the loop
// awaits it. forAwait()'s next() is `leave(f, next.call(iterator))`, so when next() throws, leave()
// never runs: the function suspends with its own context in the slot, and since its frame still
// holds what it found at the call, it puts that back when it completes, in a later job — the
// caller's context then stays in the slot for every job after (here: c1, seen by the runner's probe).
// Fix idea: leave() in a finally around the call, in next() and in the return() closure alike
// (`try { return next.call(iterator); } finally { leave(f, undefined); }`): for an async iterator a
// synchronous throw does not suspend, and the catch/finally the loop lands in starts with reenter().
export {};
const { log, V } = globalThis.__fuzz;
function* fails() {
  throw new Error('boom');
}
async function f() {
  try {
    for await (const x of fails()) log(x);
  } catch (e) {
    log('caught', e.message);
  }
}
V.run('c1', () => f());
log('end');
