import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Implicit awaits in async generators: `yield await x`, and `return x`, which awaits x before the
// finally blocks run. The context must not leak while suspended there, and finally runs in the
// generator's creation context.
async function* job() {
  try {
    yield await sleep(1).then(() => 1);
    tracer.startSpan('after-yield-await').end();
    return sleep(3).then(() => 'done');
  } finally {
    tracer.startSpan('job-finally').end();
  }
}

export const scenario: Scenario = {
  generatorSemantics: true,
  expect: { maker: null, 'after-yield-await': 'maker', 'job-finally': 'maker', 'catch-default': 'maker' },
  run: async (log) => {
    await tracer.startActiveSpan('maker', async (span) => {
      const it = job();
      span.end();
      log(['first', await it.next()]);
      log(['second', await it.next()]);
      log(['third', await it.next()]);
      // A destructuring catch parameter with a default: evaluated on the rejection path.
      try {
        await sleep(1).then(() => Promise.reject({ code: 'E1' }));
      } catch ({ code, detail = tracer.startSpan('catch-default').end() ?? 'none' }) {
        log(['caught', code, detail]);
      }
    });
  },
};
