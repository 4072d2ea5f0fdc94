// The real web SDK in a page or a worker (test/messages-browser.test.ts): WebTracerProvider with its default
// propagator (W3C TraceContext + Baggage) and CompiledContextManager, spans kept in memory.
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { CompiledContextManager } from '../../../dist/esm/runtime/messages-web.js';

const exporter = new InMemorySpanExporter();
new WebTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register({ contextManager: new CompiledContextManager() });

export const tracer = trace.getTracer('messages-web');
export function spans() {
  return exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
}

/**
 * How every compiled peer answers message `n`: a span `<peer> handler n`, and from a later job (a timer
 * set inside it) a span `<peer> reply n` in which `reply` posts the answer.
 */
export function answerInSpans(peer: string, n: number, reply: () => void): void {
  tracer.startActiveSpan(`${peer} handler ${n}`, (span) => {
    setTimeout(() => {
      tracer.startActiveSpan(`${peer} reply ${n}`, (replySpan) => {
        reply();
        replySpan.end();
      });
      span.end();
    }, 1);
  });
}
