import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Code after await runs in the context of the await, however the awaited promise settles.
export const scenario: Scenario = {
  expect: { handler: null, 'after-await': 'handler', 'after-timer-await': 'handler', 'after-value-await': 'handler' },
  run: async (log) => {
    await tracer.startActiveSpan('handler', async (span) => {
      log(await Promise.resolve('a'));
      tracer.startSpan('after-await').end();
      await sleep(2);
      tracer.startSpan('after-timer-await').end();
      log(await 42);
      tracer.startSpan('after-value-await').end();
      span.end();
    });
  },
};
