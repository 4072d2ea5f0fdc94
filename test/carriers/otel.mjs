// SDK setup shared by every process and worker of test/carriers.test.ts: the real SDK, an in-memory
// exporter, W3C TraceContext + Baggage, and the context manager named by OTEL_TEST_MANAGER or workerData.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from '../../dist/esm/runtime/node.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
const manager = process.env.OTEL_TEST_MANAGER === 'als' ? new AsyncLocalStorageContextManager() : new CompiledContextManager();
context.setGlobalContextManager(manager.enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

export const tracer = trace.getTracer('carriers');
export const managerName = manager.constructor.name;
export function spans() {
  return exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
}
/** The baggage entries of the active context. */
export function baggage() {
  return Object.fromEntries((propagation.getBaggage(context.active())?.getAllEntries() ?? []).map(([k, v]) => [k, v.value]));
}
