// Compiled by test/listeners.test.ts (with and without the transform, in both `listeners` modes)
// and run with `node --expose-gc`: prints what span each listener saw, as JSON.
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { EventEmitter } from 'node:events';

context.setGlobalContextManager(new CompiledContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }));
const tracer = trace.getTracer('listeners');
const out = { seen: {} };
const seen = (label) => (out.seen[label] ??= []).push(trace.getActiveSpan()?.spanContext().spanId ?? null);
const inSpan = (name, fn) =>
  tracer.startActiveSpan(name, (span) => {
    out[name] = span.spanContext().spanId;
    try {
      return fn();
    } finally {
      span.end();
    }
  });

// EventEmitter: every registration method, removal with the original function.
const ee = new EventEmitter();
const onData = () => seen('on');
const onAdd = () => seen('addListener');
inSpan('register', () => {
  ee.on('data', onData);
  ee.once('data', () => seen('once'));
  ee.addListener('data', onAdd);
  ee.prependListener('data', () => seen('prependListener'));
  ee.prependOnceListener('data', () => seen('prependOnceListener'));
});
out.listenersHaveOriginal = ee.listeners('data').includes(onData);
out.rawListenersAreFunctions = ee.rawListeners('data').every((l) => typeof l === 'function');
inSpan('dispatch', () => {
  ee.emit('data');
  ee.emit('data');
});
ee.removeListener('data', onData);
ee.off('data', onAdd);
out.emitterCountAfterRemoval = ee.listenerCount('data');
ee.emit('data');

// A `once` listener removed before it fires, with the original function.
const never = () => seen('never');
inSpan('onceRegister', () => ee.once('other', never));
ee.removeListener('other', never);
out.onceRemoved = ee.listenerCount('other');
ee.emit('other');

// EventTarget: de-duplication, handleEvent objects, { once: true }, removal.
const et = new EventTarget();
const onX = () => seen('eventTarget');
const handlerObject = {
  handleEvent() {
    seen('handleEvent');
  },
};
inSpan('targetRegister', () => {
  et.addEventListener('x', onX);
  et.addEventListener('x', onX);
  et.addEventListener('x', handlerObject);
  et.addEventListener('y', () => seen('eventTargetOnce'), { once: true });
});
inSpan('targetDispatch', () => {
  et.dispatchEvent(new Event('x'));
  et.dispatchEvent(new Event('y'));
  et.dispatchEvent(new Event('y'));
});
et.removeEventListener('x', onX);
et.removeEventListener('x', handlerObject);
et.dispatchEvent(new Event('x'));

// Nothing retained once removed: the context captured at registration is collectable.
const kept = () => {};
let ref;
const ee2 = new EventEmitter();
const et2 = new EventTarget();
// removeAllListeners forgets the wrappers it removes.
const ee3 = new EventEmitter();
const controller = new AbortController();
const signalTarget = {
  held: new Set(),
  addEventListener(type, listener, options) {
    if (options.signal.aborted) return;
    this.held.add(listener);
    options.signal.addEventListener('abort', () => this.held.delete(listener), { once: true });
  },
};
inSpan('gc', () => {
  ee3.on('a', kept);
  ee3.on('b', kept);
  ref = new WeakRef(context.active());
  ee2.on('g', kept);
  ee2.once('h', kept);
  et2.addEventListener('g', kept);
  et2.addEventListener('h', kept, { once: true });
  // Dropped when its signal aborts; never added under a signal aborted already. (On a target of our own
  // that keeps the signal contract: Node's EventTarget itself holds an aborted listener for a while.)
  signalTarget.addEventListener('s', kept, { signal: controller.signal });
  signalTarget.addEventListener('t', kept, { signal: AbortSignal.abort() });
});
if (process.argv.includes('--remove')) {
  ee3.removeAllListeners('a');
  ee3.removeAllListeners();
  ee2.removeListener('g', kept);
  ee2.emit('h');
  et2.removeEventListener('g', kept);
  et2.dispatchEvent(new Event('h'));
  controller.abort();
}
for (let i = 0; i < 5; i++) {
  await new Promise((resolve) => setTimeout(resolve, 0));
  globalThis.gc();
}
out.contextCollected = ref.deref() === undefined;
out.emitterStillWorks = ee2.listenerCount('g');
process.stdout.write(JSON.stringify(out));
