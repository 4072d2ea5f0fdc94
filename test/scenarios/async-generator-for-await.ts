import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Async generator bodies keep their creation context across awaits and yields; for await resumes the
// consumer in its own context after every next(), after the loop and after an early break (return()).
async function* pages() {
  try {
    for (let i = 0; i < 3; i++) {
      await sleep(1);
      tracer.startSpan(`page-${i}`).end();
      yield i;
    }
  } finally {
    tracer.startSpan('pages-finally').end();
  }
}

export const scenario: Scenario = {
  generatorSemantics: true,
  expect: {
    producer: null,
    consumer: null,
    'page-0': 'producer',
    'page-1': 'producer',
    'pages-finally': 'producer',
    'loop-body-0': 'consumer',
    'loop-body-1': 'consumer',
    'after-break': 'consumer',
    'sync-iterable': 'consumer',
    'after-loop': 'consumer',
  },
  run: async (log) => {
    const iterator = tracer.startActiveSpan('producer', (span) => {
      const it = pages();
      span.end();
      return it;
    });
    await tracer.startActiveSpan('consumer', async (span) => {
      for await (const page of iterator) {
        tracer.startSpan(`loop-body-${page}`).end();
        if (page === 1) break;
      }
      tracer.startSpan('after-break').end();
      for await (const v of [Promise.resolve('a'), sleep(1).then(() => 'b')]) {
        log(['sync iterable', v]);
      }
      tracer.startSpan('sync-iterable').end();
      labelled: for await (const v of [1, 2, 3]) {
        if (v === 2) continue labelled;
        log(['labelled', v]);
      }
      tracer.startSpan('after-loop').end();
      span.end();
    });
  },
};
