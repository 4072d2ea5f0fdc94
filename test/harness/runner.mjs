// Runs compiled scenario modules on the real OpenTelemetry SDK and prints, per
// scenario, the finished spans, the logged events, and any context seen by
// uncompiled code where there should be none. Plain JavaScript on purpose: it
// is the "code we did not compile".
//
//   node runner.mjs <manager> <file>...   manager: compiled | stack | als
import { context, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

const [managerName, ...files] = process.argv.slice(2);
// @opentelemetry/api 1.10 ships an ES module and a CommonJS build, each with its own ROOT_CONTEXT object: a
// manager loaded as CommonJS (AsyncLocalStorageContextManager) hands back the CommonJS one.
const ROOTS = new Set([ROOT_CONTEXT, createRequire(import.meta.url)('@opentelemetry/api').ROOT_CONTEXT]);
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(await createManager(managerName));

async function createManager(name) {
  if (name === 'compiled') return new CompiledContextManager().enable();
  if (name === 'als') {
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    return new AsyncLocalStorageContextManager().enable();
  }
  throw new Error(`unknown manager ${name}`);
}

// Browser scheduling functions, as uncompiled platform code: they call back in
// whatever context the event loop has, like the real ones.
globalThis.window ??= globalThis;
globalThis.self ??= globalThis;
globalThis.requestAnimationFrame ??= (cb) => setTimeout(() => cb(performance.now()), 1);
globalThis.requestIdleCallback ??= (cb) => setTimeout(() => cb({ didTimeout: false, timeRemaining: () => 5 }), 1);
globalThis.scheduler ??= {
  postTask: (cb) =>
    new Promise((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(cb());
        } catch (e) {
          reject(e);
        }
      }, 0),
    ),
};

const activeSpanName = () => trace.getActiveSpan()?.name;
globalThis.harness = {
  uncompiledSetTimeout: (fn, ms = 0) => setTimeout(fn, ms),
  activeSpanName,
};

// Uncompiled jobs that run between the scenario's own: they must never see a span.
let leaks = [];
let probing = false;
function probe(where) {
  const name = activeSpanName();
  if (name !== undefined) leaks.push(`${where} saw span "${name}"`);
}
function immediateProbe() {
  if (!probing) return;
  probe('uncompiled setImmediate');
  setImmediate(immediateProbe);
}
let probeTimer;

for (const file of files) {
  const name = basename(file).replace(/\.(m|c)?js$/, '');
  exporter.reset();
  leaks = [];
  const events = [];
  let error;
  probing = true;
  setImmediate(immediateProbe);
  probeTimer = setInterval(() => {
    probe('uncompiled setInterval');
    queueMicrotask(() => probe('uncompiled microtask'));
  }, 1);
  try {
    const mod = await import(pathToFileURL(file).href);
    const scenario = mod.scenario ?? mod.default?.scenario;
    let timer;
    await Promise.race([
      scenario.run((event) => events.push(event)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('scenario timed out after 10 s')), 10_000);
      }),
    ]);
    clearTimeout(timer);
    // Let stray timers of the scenario fire before we look at the spans.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e);
  }
  probing = false;
  clearInterval(probeTimer);
  if (!ROOTS.has(context.active())) leaks.push('the scenario left a context behind in the slot');
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
  process.stdout.write(`@@RESULT ${JSON.stringify({ name, spans, events, leaks, error })}\n`);
}
