import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Promise.all / allSettled / race / any over arr.map(async ...): each callback starts in the caller's
// context; the awaiter resumes in its own.
export const scenario: Scenario = {
  notOn: { hermes: "Hermes 0.12's Promise has no allSettled and no any (apps that use them load a polyfill)" },
  expect: {
    batch: null,
    'item-0': 'batch',
    'item-1': 'batch',
    'item-2': 'batch',
    'settled-0': 'batch',
    'settled-1': 'batch',
    raced: 'batch',
    any: 'batch',
    'after-all': 'batch',
  },
  run: async (log) => {
    await tracer.startActiveSpan('batch', async (span) => {
      const results = await Promise.all(
        [0, 1, 2].map(async (i) => {
          await sleep(3 - i);
          tracer.startSpan(`item-${i}`).end();
          return i * 10;
        }),
      );
      log(['all', results]);
      const settled = await Promise.allSettled(
        [0, 1].map(async (i) => {
          await sleep(1);
          tracer.startSpan(`settled-${i}`).end();
          if (i) throw new Error('second');
          return i;
        }),
      );
      log(['allSettled', settled.map((s) => s.status)]);
      log([
        'race',
        await Promise.race([
          sleep(5).then(() => 'slow'),
          (async () => {
            await sleep(1);
            tracer.startSpan('raced').end();
            return 'fast';
          })(),
        ]),
      ]);
      log([
        'any',
        await Promise.any([
          Promise.reject(new Error('x')),
          (async () => {
            await null;
            tracer.startSpan('any').end();
            return 'ok';
          })(),
        ]),
      ]);
      await sleep(6);
      tracer.startSpan('after-all').end();
      span.end();
    });
  },
};
