import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// An interleaved program: async functions, then-chains, microtasks, nextTicks and timers. The logged order
// must be identical with and without the transform (no microtask ticks added), and contexts correct.
export const scenario: Scenario = {
  // Its for await over an async generator runs on Hermes in for-await-concurrent-requests.
  notOn: { hermes: 'React Native has no process.nextTick' },
  expect: { a: null, b: null, 'a-end': 'a', 'b-end': 'b' },
  run: async (log) => {
    const step = (who: string, n: number) => log(`${who}${n}`);
    const a = tracer.startActiveSpan('a', async (span) => {
      step('a', 1);
      await null;
      step('a', 2);
      await Promise.resolve().then(() => step('a-then', 1));
      step('a', 3);
      queueMicrotask(() => step('a-micro', 1));
      await { then: (r: () => void) => (step('a-thenable', 1), r()) };
      step('a', 4);
      tracer.startSpan('a-end').end();
      span.end();
    });
    const b = tracer.startActiveSpan('b', async (span) => {
      step('b', 1);
      process.nextTick(() => step('b-tick', 1));
      await Promise.resolve();
      step('b', 2);
      // Node orders a 0 ms timer and an immediate scheduled together by chance: chain them, and resume
      // from the timer itself so that no race between timers decides the order.
      await new Promise<void>((resume) =>
        setImmediate(() => {
          step('b-immediate', 1);
          setTimeout(() => {
            step('b-timer', 1);
            resume();
          }, 0);
        }),
      );
      step('b', 3);
      for await (const x of (async function* () {
        yield 1;
        await null;
        yield 2;
      })())
        step('b-for', x);
      step('b', 4);
      tracer.startSpan('b-end').end();
      span.end();
    });
    Promise.resolve()
      .then(() => step('main-then', 1))
      .then(() => step('main-then', 2));
    await Promise.all([a, b]);
  },
};
