import { trace } from '@opentelemetry/api';
import cron from 'node-cron';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// node-cron (the catalog's declared set, issue 10): a task runs on each tick from node-cron's own timer;
// like setInterval's callback, it runs in the context of the schedule call.
export const scenario: Scenario = {
  expect: { scheduled: null, tick: 'scheduled' },
  notOn: { hermes: 'node-cron needs Node (node:events, node:crypto)' },
  run: (log) =>
    new Promise<void>((resolve) => {
      tracer.startActiveSpan('scheduled', (span) => {
        const task = cron.schedule('* * * * * *', () => {
          void task.stop();
          tracer.startSpan('tick').end();
          log('tick');
          resolve();
        });
        span.end();
      });
    }),
};
