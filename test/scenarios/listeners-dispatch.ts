import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// The default (listeners: "dispatch"): emit() and dispatchEvent() run their listeners in the
// dispatcher's context, wherever they were added (the AsyncContext proposal) — here a timer callback
// that carries "click"; the listeners were added in "mount".
export const scenario: Scenario = {
  expect: { mount: null, click: null, on: 'click', once: 'click', prependListener: 'click', addEventListener: 'click' },
  notOn: { hermes: 'React Native has neither node:events nor EventTarget' },
  run: () => {
    // Not imported: Hermes has no node:events, and a bundle of every scenario must still build and load there (notOn).
    const { EventEmitter } = (process as unknown as { getBuiltinModule(id: string): typeof import('node:events') }).getBuiltinModule(
      'node:events',
    );
    const emitter = new EventEmitter();
    const target = new EventTarget();
    const span = (name: string) => () => tracer.startSpan(name).end();
    tracer.startActiveSpan('mount', (mount) => {
      emitter.on('data', span('on'));
      emitter.once('data', span('once'));
      emitter.prependListener('data', span('prependListener'));
      target.addEventListener('x', span('addEventListener'));
      mount.end();
    });
    return new Promise<void>((done) => {
      tracer.startActiveSpan('click', (click) => {
        setTimeout(() => {
          emitter.emit('data');
          target.dispatchEvent(new Event('x'));
          click.end();
          done();
        }, 0);
      });
    });
  },
};
