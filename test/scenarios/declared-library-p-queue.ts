import { trace } from '@opentelemetry/api';
import PQueue from 'p-queue';
import type { Harness, Scenario } from '../harness/scenario.js';

declare const harness: Harness;
const tracer = trace.getTracer('scenarios');

// p-queue (the catalog's declared set, issue 10): with one slot, the second task starts when the first
// ends, from p-queue's own job; bound where it is added, it runs in the context it was added in (so do
// the tasks of addAll).
const queue = new PQueue({ concurrency: 1 });

export const scenario: Scenario = {
  expect: {
    first: null,
    second: null,
    third: null,
    'first-task': 'first',
    'second-task': 'second',
    'third-task-a': 'third',
    'third-task-b': 'third',
  },
  run: async (log) => {
    const tasks: Array<Promise<unknown>> = [];
    tracer.startActiveSpan('first', (span) => {
      tasks.push(
        queue.add(async () => {
          await new Promise<void>((resolve) => harness.uncompiledSetTimeout(resolve, 5));
          tracer.startSpan('first-task').end();
          return 'one';
        }),
      );
      span.end();
    });
    tracer.startActiveSpan('second', (span) => {
      tasks.push(
        queue.add(() => {
          tracer.startSpan('second-task').end();
          return 'two';
        }),
      );
      span.end();
    });
    // addAll([a, b]): each task bound where the array is added.
    tracer.startActiveSpan('third', (span) => {
      tasks.push(queue.addAll([() => (tracer.startSpan('third-task-a').end(), 'a'), () => (tracer.startSpan('third-task-b').end(), 'b')]));
      span.end();
    });
    log(await Promise.all(tasks));
  },
};
