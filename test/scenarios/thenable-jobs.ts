import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

/** A thenable (not a promise) whose then starts a span: it runs in a job of its own, after the call that adopts it. */
function thenable(span: string, value: string) {
  return {
    then(resolve: (v: string) => void) {
      tracer.startSpan(span).end();
      resolve(value);
    },
  };
}

// Promise.resolve(x) and a promise executor's resolve(x) call a thenable x's then in a later job
// (NewPromiseResolveThenableJob): it runs in the context of the call. A promise passes through as itself.
export const scenario: Scenario = {
  expect: {
    caller: null,
    'via-promise-resolve': 'caller',
    'via-executor-resolve': 'caller',
    'via-global-promise': 'caller',
    after: 'caller',
  },
  run: async (log) => {
    await tracer.startActiveSpan('caller', async (span) => {
      const adopted = Promise.resolve(thenable('via-promise-resolve', 'a'));
      log(await adopted);
      log(await new Promise<string>((resolve) => resolve(thenable('via-executor-resolve', 'b'))));
      log(await globalThis.Promise.resolve(thenable('via-global-promise', 'c')));
      const native = Promise.resolve(1);
      log(['same promise', Promise.resolve(native) === native]);
      // Jobs in order: the thenable's then runs one job after the resolve, as without the transform.
      const order: string[] = [];
      const settled = new Promise<void>((resolve) => resolve({ then: (r: () => void) => (order.push('then'), r()) } as unknown as void));
      void Promise.resolve().then(() => order.push('first job'));
      await settled;
      log(['order', order]);
      tracer.startSpan('after').end();
      span.end();
    });
  },
};
