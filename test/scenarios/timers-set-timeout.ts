import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// setTimeout callbacks run in the context of the setTimeout call; extra arguments pass through.
export const scenario: Scenario = {
  expect: { request: null, 'timeout-callback': 'request' },
  run: (log) =>
    new Promise<void>((done) => {
      tracer.startActiveSpan('request', (span) => {
        setTimeout(
          (a: number, b: string) => {
            log(['args', a, b]);
            tracer.startSpan('timeout-callback').end();
            span.end();
            done();
          },
          1,
          42,
          'x',
        );
      });
    }),
};
