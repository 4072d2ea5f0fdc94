import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// A rejected await jumps into catch/finally without passing code after the await; both run in the function's context.
// The error object arrives unchanged.
export const scenario: Scenario = {
  expect: { op: null, 'in-catch': 'op', 'in-finally': 'op', 'after-try': 'op', 'outer-catch': 'op' },
  run: async (log) => {
    const original = new Error('boom');
    const fail = async () => {
      await sleep(1);
      throw original;
    };
    await tracer.startActiveSpan('op', async (span) => {
      try {
        await fail();
        log('not reached');
      } catch (e) {
        log(['same error', e === original]);
        tracer.startSpan('in-catch').end();
      } finally {
        tracer.startSpan('in-finally').end();
      }
      tracer.startSpan('after-try').end();
      // A rejection that leaves an inner async function without a catch.
      const inner = async () => {
        await fail();
      };
      try {
        await inner();
      } catch (e) {
        log(['propagated', e === original]);
        tracer.startSpan('outer-catch').end();
      }
      span.end();
    });
  },
};
