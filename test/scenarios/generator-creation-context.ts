import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// Generator bodies run in the context the generator object was created in, at every resumption,
// whoever calls next(); throw() into the generator lands in its catch in that context too.
function* counter() {
  try {
    for (let i = 0; i < 2; i++) {
      tracer.startSpan(`gen-step-${i}`).end();
      yield i;
    }
    yield* inner();
  } catch (e) {
    tracer.startSpan('gen-catch').end();
    yield -1;
  }
}
function* inner() {
  tracer.startSpan('delegate').end();
  yield 100;
}

export const scenario: Scenario = {
  generatorSemantics: true,
  expect: {
    creator: null,
    consumer: null,
    'gen-step-0': 'creator',
    'gen-step-1': 'creator',
    delegate: 'creator',
    'gen-catch': 'creator',
  },
  run: async (log) => {
    const gen = tracer.startActiveSpan('creator', (span) => {
      const g = counter();
      span.end();
      return g;
    });
    tracer.startActiveSpan('consumer', (span) => {
      log(['next', gen.next().value, gen.next().value, gen.next().value]);
      log(['throw', gen.throw(new Error('into')).value]);
      log(['return', gen.return(5)]);
      span.end();
    });
  },
};
