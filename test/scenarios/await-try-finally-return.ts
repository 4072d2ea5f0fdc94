import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// return await inside try/finally, and awaits inside finally while a return or throw is pending.
export const scenario: Scenario = {
  expect: { outer: null, 'finally-after-return': 'outer', 'finally-after-throw': 'outer', 'after-both': 'outer' },
  run: async (log) => {
    const withReturn = async () => {
      try {
        return await Promise.resolve('value');
      } finally {
        await sleep(1);
        tracer.startSpan('finally-after-return').end();
      }
    };
    const withThrow = async () => {
      try {
        await sleep(1);
        throw new Error('pending');
      } finally {
        await Promise.resolve();
        tracer.startSpan('finally-after-throw').end();
      }
    };
    await tracer.startActiveSpan('outer', async (span) => {
      log(['returned', await withReturn()]);
      try {
        await withThrow();
      } catch (e) {
        log(['thrown', (e as Error).message]);
      }
      tracer.startSpan('after-both').end();
      span.end();
    });
  },
};
