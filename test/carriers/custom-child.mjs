// A Node child whose app registers its own propagator after our runtime has loaded: the carried context is
// read through that propagator, from the variable its field normalises to (X_APP_TRACE_ID).
import { context, propagation, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from '../../dist/esm/runtime/node.js';
import { appPropagator } from './custom-propagator.mjs';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
propagation.setGlobalPropagator(appPropagator);
trace.getTracer('custom').startSpan('custom child').end();
const [span] = exporter.getFinishedSpans();
const parentSpanId = span.parentSpanContext?.spanId;
process.stdout.write(JSON.stringify({ traceId: span.spanContext().traceId, parentSpanId, env: process.env.X_APP_TRACE_ID }));
