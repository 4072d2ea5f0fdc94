// Runs debug mode's compiled scenario on the real OTel SDK with a capturing diag logger, and prints the
// spans, the crossings logged and the summary logged at exit as one JSON line. Uncompiled on purpose:
// `uncompiledQueue` is the library that holds a callback and calls it later from a job of its own.
//   node runner.mjs <compiled scenario>
import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
const logged = [];
const ours =
  (level) =>
  (message, ...args) => {
    if (String(message).startsWith('otel-context-transformer:')) logged.push({ level, message, args });
  };
// ASYNC_LOGGER: a compiled module whose logger writes later, behind an await and a timer; it gets our messages too.
const compiledLogger = process.env.ASYNC_LOGGER ? await import(pathToFileURL(process.env.ASYNC_LOGGER).href) : undefined;
const alsoTo =
  (level) =>
  (message, ...args) => {
    ours(level)(message, ...args);
    // Only ours: the API's own messages (its registration) would start the logger's work from elsewhere.
    if (String(message).startsWith('otel-context-transformer:')) compiledLogger?.asyncLogger[level](message, ...args);
  };
diag.setLogger(
  { error: alsoTo('error'), warn: alsoTo('warn'), info: alsoTo('info'), debug: alsoTo('debug'), verbose: alsoTo('verbose') },
  DiagLogLevel.DEBUG,
);

globalThis.uncompiledQueue = { later: (cb) => setTimeout(() => cb(), 1) };
// `helpers: "global"`: the classic-script prelude, run as a <script> would run it.
if (process.env.HELPERS_PRELUDE) runInThisContext(readFileSync(process.env.HELPERS_PRELUDE, 'utf8'));
const { scenario } = await import(pathToFileURL(process.argv[2]).href);
await scenario();
const spans = exporter.getFinishedSpans().map((s) => ({
  name: s.name,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId,
}));
const during = logged.length;
// The summary on demand (the runtime's exported function), then as the process exits.
const { debugSummary } = await import('otel-context-transformer/runtime/debug');
const summary = debugSummary();
logged.length = during;
// After the runtime's own exit hook (registered when the first crossing with no span was logged).
process.on('exit', () => {
  const written = compiledLogger?.written;
  process.stdout.write(
    `@@DEBUG ${JSON.stringify({ spans, crossings: logged.slice(0, during), atExit: logged.slice(during), summary, written })}\n`,
  );
});
