import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// context.attach (OTel API 1.10) inside compiled async functions, the way a handler bridges a framework
// that gives it no context: attached before the first await, it holds across the handler's own awaits,
// timers, promise callbacks and generators, whether or not the token is disposed, and never reaches the
// caller or the other requests running at the same time.
function* steps(i: number) {
  tracer.startSpan(`gen-${i}-a`).end();
  yield 1;
  tracer.startSpan(`gen-${i}-b`).end();
}

async function handle(i: number, dispose: boolean) {
  const span = tracer.startSpan(`request-${i}`);
  const token = context.attach(trace.setSpan(context.active(), span));
  const gen = steps(i);
  await sleep(3 - i);
  tracer.startSpan(`db-${i}`).end();
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      tracer.startSpan(`timer-${i}`).end();
      resolve();
    }, i),
  );
  await Promise.resolve().then(() => tracer.startSpan(`then-${i}`).end());
  for (const _ of gen) await null;
  if (dispose) {
    token.dispose();
    tracer.startSpan(`after-dispose-${i}`).end();
    await sleep(1);
    tracer.startSpan(`after-dispose-await-${i}`).end();
  }
  span.end();
  return i;
}

const expect: Record<string, string | null> = { caller: null, outer: null, 'outer-after': 'outer', 'request-3': 'outer' };
for (const i of [0, 1, 2, 3]) {
  expect[`request-${i}`] ??= null;
  for (const child of ['db', 'timer', 'then', 'gen-a', 'gen-b']) {
    const [kind, part] = child.split('-');
    expect[part ? `${kind}-${i}-${part}` : `${kind}-${i}`] = `request-${i}`;
  }
}
// Disposed: back in the context the handler was called in, after its awaits too.
expect['after-dispose-1'] = null;
expect['after-dispose-await-1'] = null;
expect['after-dispose-3'] = 'outer';
expect['after-dispose-await-3'] = 'outer';

export const scenario: Scenario = {
  attachSemantics: true,
  expect,
  run: async (log) => {
    // Three requests from the root context (no framework span), one of them disposing its token.
    const requests = [handle(0, false), handle(1, true), handle(2, false)];
    // The caller never sees the attached contexts, although each attach ran before its handler's first await.
    tracer.startSpan('caller').end();
    // One request from inside a span: after the call, the caller is still in its own span.
    const nested = tracer.startActiveSpan('outer', (span) => {
      const p = handle(3, true);
      tracer.startSpan('outer-after').end();
      span.end();
      return p;
    });
    log(await Promise.all([...requests, nested]));
    // Without the transform the attaches above act as a stack and the last one would stay in the slot for the
    // scenarios that run after this one in the same process. With it, this changes nothing: run's own frame puts
    // back what it found when it returns.
    context.attach(ROOT_CONTEXT);
  },
};
