// fuzz regression: known issue for-await-sync-next-throws, minimized by hand; the current generator
// finds it again with seed 194 (`npm run fuzz -- --seed 194 --count 1 --avoid-known`, checked against
// the runtime before the fix). All backends, ctx. Fixed in 1544d4b (src/runtime/slot.ts forAwait).
// `for await` over a sync iterable whose next() throws (a sync generator that throws, an iterator
// that throws): the async-from-sync wrapper turns the throw into a rejected promise and the loop
// awaits it. forAwait()'s next() was `leave(f, next.call(iterator))`, so when next() threw, leave()
// never ran: the function suspended with its own context in the slot, and since its frame still
// held what it found at the call, it put that back when it completed, in a later job — the caller's
// context then stayed in the slot for every job after ("leak: uncompiled setImmediate saw context
// c1", seen by the runner's probe). Now leave() runs in a finally around the call, in next() and in
// the return() closure alike.
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
