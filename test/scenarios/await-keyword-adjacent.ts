import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Written as esbuild and tsx print it: `await(0, f)()`, `yield(x)`, `return(x)` with no space after
// the keyword. A helper call inserted there must not run into the keyword (`await__otelCtx`).
// prettier-ignore
async function* ticks() {
  yield(await(sleep(1), 1));
  tracer.startSpan('after-yield').end();
  return(2);
}

// prettier-ignore
export const scenario: Scenario = {
  expect: { handler: null, 'after-await': 'handler', 'after-yield': 'handler', 'after-return-await': 'handler' },
  run: async (log) => {
    await tracer.startActiveSpan('handler', async (span) => {
      log(await(0, sleep)(2));
      tracer.startSpan('after-await').end();
      const it = ticks();
      log(await(it.next()));
      log(await(it.next()));
      log(await(async () => { await(sleep(1)); tracer.startSpan('after-return-await').end(); return(await(Promise.resolve(3))); })());
      span.end();
    });
  },
};
