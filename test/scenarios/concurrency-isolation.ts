import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Hundreds of concurrent requests interleaving awaits, timers and promise callbacks never see each other's span.
const N = 300;
const expect: Record<string, string | null> = {};
for (let i = 0; i < N; i++) {
  expect[`request-${i}`] = null;
  expect[`db-${i}`] = `request-${i}`;
  expect[`render-${i}`] = `request-${i}`;
}

export const scenario: Scenario = {
  expect,
  run: async (log) => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const handle = (i: number) =>
      tracer.startActiveSpan(`request-${i}`, async (span) => {
        await sleep(Math.floor(random() * 4));
        await Promise.resolve().then(() => tracer.startSpan(`db-${i}`).end());
        await new Promise<void>((resolve) =>
          setTimeout(
            () => {
              tracer.startSpan(`render-${i}`).end();
              resolve();
            },
            Math.floor(random() * 3),
          ),
        );
        span.end();
      });
    await Promise.all(Array.from({ length: N }, (_, i) => handle(i)));
    log('done');
  },
};
