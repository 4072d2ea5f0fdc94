import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// Non-function arguments to then/catch pass through: values and rejections flow on unchanged.
export const scenario: Scenario = {
  expect: { chain: null, 'after-passthrough': 'chain' },
  run: async (log) => {
    await tracer.startActiveSpan('chain', (span) =>
      Promise.resolve(5)
        .then(undefined)
        .then(null, null)
        .catch(undefined)
        .then((v) => {
          log(['value', v]);
          return Promise.reject(new Error('e1'));
        })
        .then(() => log('not reached'))
        .then(undefined, (e: Error) => {
          log(['rejected', e.message]);
          tracer.startSpan('after-passthrough').end();
          span.end();
        }),
    );
  },
};
