// Runs a compiled examples/app on the OTel SDK with CompiledContextManager and
// prints the finished spans as JSON.
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { pathToFileURL } from 'node:url';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());

const app = await import(pathToFileURL(process.argv[2]).href);
await app.main();
const spans = exporter.getFinishedSpans().map((s) => ({
  name: s.name,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId,
  start: s.startTime[0] * 1e9 + s.startTime[1],
}));
process.stdout.write(JSON.stringify(spans));
