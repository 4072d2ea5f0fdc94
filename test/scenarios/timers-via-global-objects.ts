import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// The schedulers reached through window., self., global. and globalThis.
export const scenario: Scenario = {
  expect: { page: null, 'via-window': 'page', 'via-self': 'page', 'via-global': 'page', 'via-globalThis': 'page' },
  run: () =>
    new Promise<void>((done) => {
      tracer.startActiveSpan('page', (span) => {
        window.setTimeout(() => tracer.startSpan('via-window').end(), 1);
        self.setTimeout(() => tracer.startSpan('via-self').end(), 2);
        global.setTimeout(() => tracer.startSpan('via-global').end(), 3);
        globalThis.setTimeout(() => {
          tracer.startSpan('via-globalThis').end();
          span.end();
          done();
        }, 4);
      });
    }),
};
