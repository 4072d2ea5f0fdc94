// The real web SDK in a page or a worker: WebTracerProvider with its default propagator (W3C TraceContext
// + Baggage) and CompiledContextManager, spans kept in memory.
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
// The worker end reads its carrier when runtime/web-worker loads (the page end uses webWorkerOptions from it).
import { CompiledContextManager } from '../../../dist/esm/runtime/web-worker.js';

const exporter = new InMemorySpanExporter();
new WebTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register({ contextManager: new CompiledContextManager() });

export const tracer = trace.getTracer('carriers-web');
export function spans() {
  return exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
}
export function baggage(): Record<string, string> {
  return Object.fromEntries((propagation.getBaggage(context.active())?.getAllEntries() ?? []).map(([k, v]) => [k, v.value]));
}
