import { trace } from '@opentelemetry/api';
import type { Harness, Scenario } from '../harness/scenario.js';

declare const harness: Harness;
const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Functions whose one await ends them get no frame (`await tail(x)`). Their callers keep their
// context across them, a thenable they await still runs its then in their caller's context, a
// rejection reaches the caller's catch in context, and nothing leaks to uncompiled code after them.
async function returnAwait<T>(value: T | PromiseLike<T>): Promise<T> {
  return await value;
}
async function lastStatement(ms: number): Promise<void> {
  tracer.startSpan('tail-sync-part').end();
  await sleep(ms);
}
const arrow = async (ms: number) => await sleep(ms);
async function inertReturn(ms: number, flag: boolean): Promise<boolean> {
  const value = await sleep(ms);
  return value === undefined ? flag : !flag;
}
async function rejects(): Promise<never> {
  return await Promise.reject(new Error('tail rejection'));
}

export const scenario: Scenario = {
  expect: {
    outer: null,
    'tail-sync-part': 'outer',
    'in-then': 'outer',
    'after-return-await': 'outer',
    'after-last-statement': 'outer',
    'after-arrow': 'outer',
    'after-inert-return': 'outer',
    'in-catch': 'outer',
    'other-outer': null,
    'other-after': 'other-outer',
  },
  run: async (log) => {
    const thenable = {
      then(resolve: (v: string) => void) {
        tracer.startSpan('in-then').end();
        setTimeout(() => resolve('from-thenable'), 1);
      },
    };
    const first = tracer.startActiveSpan('outer', async (span) => {
      log(['thenable', await returnAwait(thenable)]);
      tracer.startSpan('after-return-await').end();
      await lastStatement(2);
      tracer.startSpan('after-last-statement').end();
      await arrow(1);
      tracer.startSpan('after-arrow').end();
      log(['inert', await inertReturn(1, true)]);
      tracer.startSpan('after-inert-return').end();
      try {
        await rejects();
      } catch (e) {
        log(['caught', (e as Error).message]);
        tracer.startSpan('in-catch').end();
      }
      span.end();
    });
    // Interleaved with the first: each keeps its own context across the same tail functions.
    const second = tracer.startActiveSpan('other-outer', async (span) => {
      await arrow(1);
      await returnAwait(sleep(2));
      tracer.startSpan('other-after').end();
      span.end();
    });
    await Promise.all([first, second]);
    // A tail function resumed and ended in a job: uncompiled code after it sees no span.
    await new Promise<void>((resolve) => harness.uncompiledSetTimeout(() => (log(['uncompiled', harness.activeSpanName()]), resolve()), 1));
  },
};
