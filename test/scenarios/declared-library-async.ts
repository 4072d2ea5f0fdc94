import { trace } from '@opentelemetry/api';
import async from 'async';
import type { Harness, Scenario } from '../harness/scenario.js';

declare const harness: Harness;
const tracer = trace.getTracer('scenarios');

// async (the catalog's declared set, issue 10): a queue's completion callback runs when the worker calls
// back, from the worker's job; async.setImmediate defers through the library's own scheduler. Each is
// bound where it is handed over.
const queue = async.queue((task: string, done: (error?: Error | null) => void) => harness.uncompiledSetTimeout(() => done(), 2), 1);

export const scenario: Scenario = {
  expect: { pushed: null, deferred: null, 'push-done': 'pushed', 'immediate-ran': 'deferred' },
  run: (log) =>
    new Promise<void>((resolve) => {
      let left = 2;
      const finish = (what: string) => {
        log(what);
        if (--left === 0) resolve();
      };
      tracer.startActiveSpan('pushed', (span) => {
        queue.push('job', () => {
          tracer.startSpan('push-done').end();
          finish('push');
        });
        span.end();
      });
      tracer.startActiveSpan('deferred', (span) => {
        async.setImmediate(() => {
          tracer.startSpan('immediate-ran').end();
          finish('immediate');
        });
        span.end();
      });
    }),
};
