import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// Awaiting the engine's own promises (what async functions return) takes one tick, as without the
// transform, whatever the global Promise is: with zone.js loaded (conformance-zone.test.ts) the global
// Promise is zone's, and a runtime that asked `instanceof Promise` took every native promise for a
// foreign thenable, adding ticks and changing the order against a ticking neighbour.
async function value(n: number) {
  return n;
}

export const scenario: Scenario = {
  expect: { awaiter: null, 'after-awaits': 'awaiter' },
  run: async (log) => {
    const ticker = (async () => {
      for (let i = 0; i < 12; i++) {
        log(`tick ${i}`);
        await null;
      }
    })();
    const awaiter = tracer.startActiveSpan('awaiter', async (span) => {
      for (let i = 0; i < 4; i++) {
        log(`await ${i}`);
        log(`got ${await value(i)}`);
      }
      tracer.startSpan('after-awaits').end();
      span.end();
    });
    await Promise.all([ticker, awaiter]);
  },
};
