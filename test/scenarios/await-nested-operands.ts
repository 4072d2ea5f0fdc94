import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Nested awaits in the operand and evaluation order with awaits in argument lists and logical operators.
export const scenario: Scenario = {
  expect: { calc: null, 'after-nested': 'calc', 'after-args': 'calc', 'after-logical': 'calc' },
  run: async (log) => {
    const g = async (x: number) => {
      await sleep(1);
      return x * 2;
    };
    const f = async (x: number) => x + 1;
    const obj = {
      base: 100,
      m(this: { base: number }, a: number, b: number) {
        return this.base + a + b;
      },
    };
    await tracer.startActiveSpan('calc', async (span) => {
      log(['nested', await f(await g(3))]);
      tracer.startSpan('after-nested').end();
      let i = 0;
      const order = (tag: string) => (log(['eval', tag, i++]), i);
      log(['method', obj.m(order('a'), await g(order('b')))]);
      log(['template', `${order('c')}-${await g(order('d'))}-${order('e')}`]);
      tracer.startSpan('after-args').end();
      const nothing: number | null = null;
      log(['??', nothing ?? (await g(5))]);
      log(['&&', i > 0 && (await g(6))]);
      log(['||', 0 || (await g(7))]);
      log(['?:', i > 100 ? await g(1) : await g(8)]);
      const { a = await g(9), ...rest } = { b: 1 } as { a?: number; b: number };
      log(['destructure-default', a, rest]);
      log(['spread', [...(await Promise.resolve([1, 2]))], { ...(await Promise.resolve({ k: 1 })) }]);
      log(['computed', { [await Promise.resolve('key')]: 1 }]);
      tracer.startSpan('after-logical').end();
      span.end();
    });
  },
};
