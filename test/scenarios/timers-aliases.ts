import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// Schedulers reached through what they are, not how they are spelt (issue 10): a const alias called
// optionally, a destructured alias, an alias of an alias, `.call` and `.apply` on the global itself.
const later = queueMicrotask;
const { setTimeout: st } = globalThis;
const wait = st;

// No scheduler's name in these bodies: the boundary-word prefilter alone would skip them.
function soon(cb: () => void) {
  later?.(cb);
}
function afterTwo(cb: () => void) {
  wait(cb, 2);
}

export const scenario: Scenario = {
  expect: {
    page: null,
    'via-alias': 'page',
    'via-destructured': 'page',
    'via-alias-of-alias': 'page',
    'via-call': 'page',
    'via-apply': 'page',
  },
  run: () =>
    new Promise<void>((done) => {
      tracer.startActiveSpan('page', (span) => {
        soon(() => tracer.startSpan('via-alias').end());
        st(() => tracer.startSpan('via-destructured').end(), 1);
        afterTwo(() => tracer.startSpan('via-alias-of-alias').end());
        setTimeout.call(globalThis, () => tracer.startSpan('via-call').end(), 3);
        setTimeout.apply(globalThis, [
          () => {
            tracer.startSpan('via-apply').end();
            span.end();
            done();
          },
          4,
        ]);
      });
    }),
};
