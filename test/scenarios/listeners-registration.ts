import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// listeners: "registration": EventEmitter listeners (on, once, addListener, prependListener,
// prependOnceListener) and EventTarget listeners run in the context where they were added, not the
// emitter's; removal with the original function still removes them.
export const scenario: Scenario = {
  options: { listeners: 'registration' },
  expect: {
    mount: null,
    click: null,
    on: 'mount',
    once: 'mount',
    addListener: 'mount',
    prependListener: 'mount',
    prependOnceListener: 'mount',
    addEventListener: 'mount',
    'after-removal': 'click',
  },
  notOn: { hermes: 'React Native has neither node:events nor EventTarget' },
  run: async (log) => {
    // Not imported: Hermes has no node:events, and a bundle of every scenario must still build and load there (notOn).
    const { EventEmitter } = (process as unknown as { getBuiltinModule(id: string): typeof import('node:events') }).getBuiltinModule(
      'node:events',
    );
    const emitter = new EventEmitter();
    const target = new EventTarget();
    const span = (name: string) => () => tracer.startSpan(name).end();
    const on = span('on');
    const onTarget = span('addEventListener');
    tracer.startActiveSpan('mount', (mount) => {
      emitter.on('data', on);
      emitter.once('data', span('once'));
      emitter.addListener('data', span('addListener'));
      emitter.prependListener('data', span('prependListener'));
      emitter.prependOnceListener('data', span('prependOnceListener'));
      target.addEventListener('x', onTarget);
      mount.end();
    });
    tracer.startActiveSpan('click', (click) => {
      emitter.emit('data');
      target.dispatchEvent(new Event('x'));
      emitter.removeListener('data', on);
      target.removeEventListener('x', onTarget);
      log(['listeners left', emitter.listenerCount('data')]);
      emitter.on('again', span('after-removal'));
      emitter.emit('again');
      click.end();
    });
  },
};
