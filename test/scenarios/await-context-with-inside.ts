import { context, trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// context.with inside a continuation: the inner context is scoped; the function's own comes back after it.
export const scenario: Scenario = {
  expect: { fn: null, side: null, 'in-with': 'side', 'after-with': 'fn', 'after-with-await': 'fn' },
  run: async () => {
    const side = tracer.startSpan('side');
    await tracer.startActiveSpan('fn', async (span) => {
      await sleep(1);
      await context.with(trace.setSpan(context.active(), side), async () => {
        await sleep(1);
        tracer.startSpan('in-with').end();
      });
      tracer.startSpan('after-with').end();
      await sleep(1);
      tracer.startSpan('after-with-await').end();
      span.end();
    });
    side.end();
  },
};
