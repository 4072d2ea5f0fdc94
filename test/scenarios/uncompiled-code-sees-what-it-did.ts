import { trace } from '@opentelemetry/api';
import type { Harness, Scenario } from '../harness/scenario.js';

declare const harness: Harness;
const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Code we did not compile sees exactly what it would have seen without us: its own callbacks run in the
// root context even when scheduled from inside a compiled span, while compiled continuations around
// them keep theirs. The events (what uncompiled code saw) must match the untransformed run.
export const scenario: Scenario = {
  expect: { compiled: null, 'after-uncompiled': 'compiled' },
  run: async (log) => {
    await tracer.startActiveSpan('compiled', async (span) => {
      log(['uncompiled sync call', harness.activeSpanName()]);
      await new Promise<void>((resolve) =>
        harness.uncompiledSetTimeout(() => {
          log(['uncompiled timer', harness.activeSpanName()]);
          resolve();
        }, 1),
      );
      await sleep(1);
      tracer.startSpan('after-uncompiled').end();
      span.end();
    });
  },
};
