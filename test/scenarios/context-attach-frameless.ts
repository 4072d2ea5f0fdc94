import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const lookup = (key: string) => Promise.resolve(key.length);

// context.attach in async functions that would otherwise get no frame: one without any await, one whose
// only await ends it (`return await x`), and one attaching inside a callback it runs synchronously. What
// they attach holds in the function and must not reach the caller, disposed or not.
async function withoutAwait(i: number) {
  const span = tracer.startSpan(`no-await-${i}`);
  context.attach(trace.setSpan(context.active(), span));
  tracer.startSpan(`no-await-child-${i}`).end();
  span.end();
  return i;
}

async function tailAwait(key: string) {
  const span = tracer.startSpan(`tail-${key}`);
  context.attach(trace.setSpan(context.active(), span));
  tracer.startSpan(`tail-child-${key}`).end();
  span.end();
  return await lookup(key);
}

async function inCallback(keys: string[]) {
  const span = tracer.startSpan('callback');
  keys.forEach(() => context.attach(trace.setSpan(context.active(), span)));
  tracer.startSpan('callback-child').end();
  span.end();
  return keys.length;
}

export const scenario: Scenario = {
  attachSemantics: true,
  expect: {
    caller: null,
    'after-no-await': 'caller',
    'after-tail': 'caller',
    'after-callback': 'caller',
    'no-await-1': 'caller',
    'no-await-child-1': 'no-await-1',
    'tail-k': 'caller',
    'tail-child-k': 'tail-k',
    callback: 'caller',
    'callback-child': 'callback',
  },
  run: async (log) => {
    await tracer.startActiveSpan('caller', async (span) => {
      log(await withoutAwait(1));
      tracer.startSpan('after-no-await').end();
      log(await tailAwait('k'));
      tracer.startSpan('after-tail').end();
      log(await inCallback(['a', 'b']));
      tracer.startSpan('after-callback').end();
      span.end();
    });
    // Without the transform the attaches act as a stack: leave the slot as later scenarios expect it.
    context.attach(ROOT_CONTEXT);
  },
};
