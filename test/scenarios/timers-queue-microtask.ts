import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// queueMicrotask, also reached as globalThis.queueMicrotask and through an optional call.
export const scenario: Scenario = {
  expect: { job: null, 'microtask-plain': 'job', 'microtask-global': 'job', 'microtask-optional': 'job' },
  run: (log) =>
    new Promise<void>((done) => {
      tracer.startActiveSpan('job', (span) => {
        queueMicrotask(() => {
          log('plain');
          tracer.startSpan('microtask-plain').end();
        });
        globalThis.queueMicrotask(() => {
          log('global');
          tracer.startSpan('microtask-global').end();
        });
        globalThis.queueMicrotask?.(() => {
          log('optional');
          tracer.startSpan('microtask-optional').end();
          span.end();
          done();
        });
      });
    }),
};
