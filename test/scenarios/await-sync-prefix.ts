import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// The body of an async function before its first await runs synchronously in the caller's context.
// A control: this works without the transform too.
export const scenario: Scenario = {
  breaksWithout: false,
  expect: { caller: null, 'before-first-await': 'caller' },
  run: async () => {
    const f = async () => {
      tracer.startSpan('before-first-await').end();
      await null;
    };
    await tracer.startActiveSpan('caller', (span) => {
      const p = f();
      span.end();
      return p;
    });
  },
};
