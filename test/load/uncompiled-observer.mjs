// otel-context-ignore-file: plain JavaScript that is never compiled, on purpose.
//
// The "code we did not compile" of the isolation load test (isolation.ts). It
// runs its own interleaved timers, immediates, microtasks, ticks, promise
// chains and native async functions next to the compiled users, and looks at
// the active context in each of its own jobs. It must only ever see the root
// context: a compiled continuation that leaves its context behind when it
// finishes or suspends would show up here.
//
// `deliver` and `later` are called by compiled code: the first resolves a
// promise an uncompiled async loop is waiting on (its continuation is a job of
// its own and must see root), the second schedules a compiled callback with an
// uncompiled setTimeout (nothing binds it). Neither looks at the context while
// called synchronously from compiled code: there the caller's context is
// legitimately active.
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

export function startObserver() {
  let running = true;
  const stats = { observations: 0, nonRoot: 0, delivered: 0, byKind: {}, samples: [] };

  function look(where) {
    stats.observations++;
    stats.byKind[where] = (stats.byKind[where] ?? 0) + 1;
    const ctx = context.active();
    if (ctx !== ROOT_CONTEXT) {
      stats.nonRoot++;
      if (stats.samples.length < 10) {
        stats.samples.push(`${where} saw ${propagation.getBaggage(ctx)?.getEntry('user.id')?.value ?? 'a non-root context'}`);
      }
    }
  }

  // Timer chains with different periods.
  for (let i = 0; i < 4; i++) {
    const tick = () => {
      look('setTimeout');
      if (running) setTimeout(tick, i % 3);
    };
    setTimeout(tick, i);
  }

  // A setImmediate chain: one job per event-loop turn, between the compiled users' jobs.
  const immediate = () => {
    look('setImmediate');
    if (running) setImmediate(immediate);
  };
  setImmediate(immediate);

  // Bursts of microtasks, ticks and promise reactions, every couple of milliseconds.
  const burst = () => {
    let n = 0;
    const micro = () => {
      look('queueMicrotask');
      if (++n < 10) queueMicrotask(micro);
    };
    queueMicrotask(micro);
    process.nextTick(() => look('process.nextTick'));
    Promise.resolve()
      .then(() => look('then'))
      .then(() => look('then.then'))
      .finally(() => look('finally'));
    if (running) setTimeout(burst, 2);
  };
  setTimeout(burst, 0);

  // Native async functions, awaiting promises, timers and immediates.
  const loop = async (name) => {
    while (running) {
      await null;
      look(`${name}: await`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      look(`${name}: await timer`);
      await new Promise((resolve) => setImmediate(resolve));
      look(`${name}: await immediate`);
    }
  };
  const loops = [loop('async loop A'), loop('async loop B')];

  // The mailbox: compiled code resolves what this loop awaits.
  let wake;
  const mailbox = (async () => {
    for (;;) {
      await new Promise((resolve) => (wake = resolve));
      look('mailbox');
      stats.delivered++;
      if (!running) return;
    }
  })();

  return {
    /** Called by compiled code (in its context): wakes the mailbox loop. */
    deliver() {
      const w = wake;
      wake = undefined;
      w?.();
    },
    /** Called by compiled code: runs `callback` from an uncompiled timer (nothing binds it). */
    later(callback, ms = 0) {
      setTimeout(() => callback(), ms);
    },
    async stop() {
      running = false;
      wake?.();
      await Promise.all([...loops, mailbox]);
      return stats;
    },
  };
}
