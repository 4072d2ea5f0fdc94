import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// A then callback runs in the context where it was registered, not where the promise was made or resolved.
export const scenario: Scenario = {
  expect: { creator: null, registrar: null, 'then-callback': 'registrar', 'catch-callback': 'registrar', 'finally-callback': 'registrar' },
  run: async (log) => {
    let resolve!: (v: number) => void;
    let reject!: (e: Error) => void;
    const ok = tracer.startActiveSpan('creator', (span) => {
      const p = new Promise<number>((r) => (resolve = r));
      span.end();
      return p;
    });
    const failing = new Promise<number>((_, r) => (reject = r));
    const chained = tracer.startActiveSpan('registrar', (span) => {
      const a = ok.then((v) => {
        log(['then', v]);
        tracer.startSpan('then-callback').end();
        return v + 1;
      });
      const b = failing
        .catch((e: Error) => {
          log(['catch', e.message]);
          tracer.startSpan('catch-callback').end();
        })
        .finally(() => {
          tracer.startSpan('finally-callback').end();
        });
      span.end();
      return Promise.all([a, b]);
    });
    setTimeout(() => {
      resolve(1);
      reject(new Error('nope'));
    }, 1);
    log(['all', await chained]);
  },
};
