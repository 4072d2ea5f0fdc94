import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// A thenable's then runs in the context of the await that adopts it; rejections and throwing getters pass through.
export const scenario: Scenario = {
  expect: { adopter: null, 'in-then': 'adopter', 'after-thenable': 'adopter' },
  run: async (log) => {
    const thenable = {
      then(resolve: (v: string) => void) {
        tracer.startSpan('in-then').end();
        setTimeout(() => resolve('from-thenable'), 1);
      },
    };
    const throwing = {
      get then(): never {
        throw new Error('getter');
      },
    };
    await tracer.startActiveSpan('adopter', async (span) => {
      log(['value', await thenable]);
      tracer.startSpan('after-thenable').end();
      try {
        await throwing;
      } catch (e) {
        log(['getter error', (e as Error).message]);
      }
      const order: string[] = [];
      const p = (async () => {
        await { then: (r: (v: number) => void) => (order.push('thenable'), r(1)) };
        order.push('after');
      })();
      order.push('sync');
      await p;
      log(['order', order]);
      span.end();
    });
  },
};
