// The workerpool worker of bench/messages.mjs: answers with the span id its task runs under (empty when
// none). workerData.carry: registered through carriedPoolWorker, as code compiled with `messages: true`
// registers it; otherwise through workerpool.worker, as without the option.
import { workerData } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import workerpool from 'workerpool';
import * as __otelCtx from '../dist/esm/runtime/messages-node.js';

trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }));
context.setGlobalContextManager(new __otelCtx.CompiledContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

const methods = { under: () => trace.getSpanContext(context.active())?.spanId ?? '' };
if (workerData.carry) __otelCtx.carriedPoolWorker(workerpool.worker, methods);
else workerpool.worker(methods);
