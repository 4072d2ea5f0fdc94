import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Two requests in flight at once, each consuming an async generator with for await (through yield*
// delegation, an early break, and a sync iterable of promises): every loop body and the code after
// each loop stay in their own request's trace while the other request's turns interleave with them.
// On Hermes, Babel's for-await finds async generators under "@@asyncIterator" (no Symbol.asyncIterator).
async function* feed(request: string) {
  for (let i = 0; i < 3; i++) {
    await sleep(1);
    yield `${request}-${i}`;
  }
}

async function* relay(request: string) {
  yield* feed(request);
}

async function handle(request: string, log: (event: unknown) => void) {
  await tracer.startActiveSpan(request, async (span) => {
    for await (const item of relay(request)) {
      log(['body', item]);
      tracer.startSpan(`${item}-body`).end();
    }
    tracer.startSpan(`${request}-after-loop`).end();
    for await (const item of feed(request)) {
      if (item.endsWith('-1')) break;
    }
    tracer.startSpan(`${request}-after-break`).end();
    for await (const value of [sleep(1).then(() => 'x'), 'y']) {
      log(['sync', request, value]);
      tracer.startSpan(`${request}-sync-${value}`).end();
    }
    tracer.startSpan(`${request}-after-sync-loop`).end();
    span.end();
  });
}

const expected: Record<string, string | null> = {};
for (const request of ['req-a', 'req-b']) {
  expected[request] = null;
  for (const i of [0, 1, 2]) expected[`${request}-${i}-body`] = request;
  for (const after of ['after-loop', 'after-break', 'sync-x', 'sync-y', 'after-sync-loop']) expected[`${request}-${after}`] = request;
}

export const scenario: Scenario = {
  expect: expected,
  run: async (log) => {
    await Promise.all([handle('req-a', log), handle('req-b', log)]);
  },
};
