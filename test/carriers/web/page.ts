// The spawning page, written as the transform will emit it: `new Worker(url, __otelCtx.webWorkerOptions(o))`.
// With ?broken the helper is an identity function: the same code with the call left out.
import { context, propagation } from '@opentelemetry/api';
import * as __otelCtx from '../../../dist/esm/runtime/web-worker.js';
import { spans, tracer } from './otel-web.js';

const broken = location.search.includes('broken');
const H = broken ? { webWorkerOptions: <T>(o: T) => o } : __otelCtx;

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
    pending.classic = ask(new Worker('/worker-classic.js', H.webWorkerOptions(undefined)));
    pending.module = ask(new Worker('/worker-module.js', H.webWorkerOptions({ type: 'module', name: 'given name' } as WorkerOptions)));
    // Uncompiled workers: as the planner leaves them (no helper), and, to show what it would see, through the helper.
    pending.uncompiled = ask(new Worker('/uncompiled.js', { name: 'plain' }), 'app message');
    pending.uncompiledThroughHelper = ask(new Worker('/uncompiled.js', H.webWorkerOptions({ name: 'plain' })), 'app message');
    span.end();
  }),
);
// Outside any span nothing is carried.
pending.rootClassic = ask(new Worker('/worker-classic.js', H.webWorkerOptions(undefined)));

(async () => {
  const results: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(pending)) results[name] = await p;
  (window as unknown as { carrierResults: unknown }).carrierResults = { spans: spans(), results };
})().catch((e) => ((window as unknown as { carrierResults: unknown }).carrierResults = { error: String(e) }));
