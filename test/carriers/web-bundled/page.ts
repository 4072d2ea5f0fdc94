// A page that spawns workers of its own build, written as anyone writes it for Vite or webpack 5
// (`new Worker(new URL('./w.ts', import.meta.url), options)`): built with and without our plugin by
// test/carriers-bundled.test.ts. The bundler must still recognise the call after our rewrite.
import { context, propagation } from '@opentelemetry/api';
import { spans, tracer } from '../web/otel-web.js';

function ask(worker: Worker, first?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
    if (first !== undefined) worker.postMessage(first);
    worker.postMessage('report');
  });
}

const pending: Record<string, Promise<unknown>> = {};
const withBaggage = propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: 'u-42' } }));
context.with(withBaggage, () =>
  tracer.startActiveSpan('page', (span) => {
    pending.module = ask(new Worker(new URL('../web/worker.ts', import.meta.url), { type: 'module', name: 'given-name' }));
    pending.classic = ask(new Worker(new URL('../web/worker.ts', import.meta.url)));
    // Not a module of this build (it may be anything): left as written, it sees what it always saw.
    pending.uncompiled = ask(new Worker('/uncompiled.js', { name: 'plain' }), 'app message');
    span.end();
  }),
);
// Outside any span nothing is carried.
pending.root = ask(new Worker(new URL('../web/worker.ts', import.meta.url), { type: 'module' }));

(async () => {
  const results: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(pending)) results[name] = await p;
  (window as unknown as { carrierResults: unknown }).carrierResults = { spans: spans(), results };
})().catch((e) => ((window as unknown as { carrierResults: unknown }).carrierResults = { error: String(e) }));
