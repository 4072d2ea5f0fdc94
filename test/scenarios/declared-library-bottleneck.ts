import { trace } from '@opentelemetry/api';
import Bottleneck from 'bottleneck';
import type { Harness, Scenario } from '../harness/scenario.js';

declare const harness: Harness;

const tracer = trace.getTracer('scenarios');

// A library that holds callbacks (the catalog's declared set, issue 10): bottleneck runs a job when the
// limiter lets it, from its own jobs, so without the transform the second job runs in the context of
// whatever finished the first. The job is bound where it is scheduled.
const limiter = new Bottleneck({ maxConcurrent: 1 });

export const scenario: Scenario = {
  expect: { first: null, second: null, 'first-job': 'first', 'second-job': 'second' },
  run: async (log) => {
    const jobs: Array<Promise<unknown>> = [];
    tracer.startActiveSpan('first', (span) => {
      jobs.push(
        limiter.schedule(async () => {
          await new Promise<void>((resolve) => harness.uncompiledSetTimeout(resolve, 5));
          tracer.startSpan('first-job').end();
          return 'one';
        }),
      );
      span.end();
    });
    tracer.startActiveSpan('second', (span) => {
      jobs.push(
        limiter.schedule(async () => {
          tracer.startSpan('second-job').end();
          return 'two';
        }),
      );
      span.end();
    });
    log(await Promise.all(jobs));
  },
};
