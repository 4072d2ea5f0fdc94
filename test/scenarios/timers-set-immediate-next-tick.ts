import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// setImmediate and process.nextTick (with arguments); the order of the callbacks is unchanged.
export const scenario: Scenario = {
  notOn: { hermes: 'React Native has no process.nextTick' },
  expect: { work: null, immediate: 'work', 'next-tick': 'work' },
  run: (log) =>
    new Promise<void>((done) => {
      tracer.startActiveSpan('work', (span) => {
        setImmediate((x: string) => {
          log(['immediate', x]);
          tracer.startSpan('immediate').end();
          span.end();
          done();
        }, 'i');
        process.nextTick(
          (x: string, y: string) => {
            log(['nextTick', x, y]);
            tracer.startSpan('next-tick').end();
          },
          'a',
          'b',
        );
      });
    }),
};
