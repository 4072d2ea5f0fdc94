import { trace } from '@opentelemetry/api';
import pLimit from 'p-limit';
import type { Harness, Scenario } from '../harness/scenario.js';

declare const harness: Harness;
const tracer = trace.getTracer('scenarios');

// p-limit (the catalog's declared set, issue 10): `limit(task)` runs the task when a slot frees, from
// p-limit's own job; bound where it is submitted, it runs in the context it was submitted in.
const limit = pLimit(1);

// No boundary word in this body: `limit` is one because of where it comes from.
function submit<T>(task: () => T | Promise<T>) {
  return limit(task);
}

export const scenario: Scenario = {
  expect: { first: null, second: null, 'first-task': 'first', 'second-task': 'second' },
  run: async (log) => {
    const tasks: Array<Promise<unknown>> = [];
    tracer.startActiveSpan('first', (span) => {
      tasks.push(
        submit(async () => {
          await new Promise<void>((resolve) => harness.uncompiledSetTimeout(resolve, 5));
          tracer.startSpan('first-task').end();
          return 'one';
        }),
      );
      span.end();
    });
    tracer.startActiveSpan('second', (span) => {
      tasks.push(submit(() => (tracer.startSpan('second-task').end(), 'two')));
      span.end();
    });
    log(await Promise.all(tasks));
  },
};
