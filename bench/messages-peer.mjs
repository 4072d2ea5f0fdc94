// The worker of bench/messages.mjs: the SDK and the messages runtime; answers each message with the span id
// its handler runs under (empty when none). workerData.carry: the reply goes through the helper, as code
// compiled with `messages: true` posts it; otherwise through parentPort.postMessage, as without the option.
import { parentPort, workerData } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as __otelCtx from '../dist/esm/runtime/messages-node.js';

trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }));
context.setGlobalContextManager(new __otelCtx.CompiledContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

const post = workerData.carry ? (m) => __otelCtx.postMessage(parentPort, m) : (m) => parentPort.postMessage(m);
parentPort.on('message', (message) => post({ seq: message.seq, under: trace.getSpanContext(context.active())?.spanId ?? '' }));
