// The spawned side of bench/carriers.mjs: a worker thread or a child process that loads the SDK and our
// runtime, starts one span at its top level and reports that span's parent (empty when it has none).
import { isMainThread, parentPort } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from '../dist/esm/runtime/node.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
trace.getTracer('peer').startSpan('peer top level').end();
const parent = exporter.getFinishedSpans()[0].parentSpanContext?.spanId ?? '';
if (isMainThread) process.stdout.write(parent);
else parentPort.postMessage(parent);
