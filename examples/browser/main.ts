/**
 * A browser app traced with the web SDK. Its click handler awaits fetch, chains
 * promises, sets a timer and waits for an animation frame. Built with the Vite
 * plugin, CompiledContextManager keeps every span of a click in one trace.
 * The "broken" build (no plugin, the web SDK's default StackContextManager)
 * shows what users get today.
 */
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { SimpleSpanProcessor, StackContextManager, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { CompiledContextManager } from 'otel-context-transformer/runtime';

declare const __COMPILED_CONTEXT__: boolean;

const provider = new WebTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: '/v1/traces' }))],
});
provider.register({ contextManager: __COMPILED_CONTEXT__ ? new CompiledContextManager() : new StackContextManager() });

const tracer = trace.getTracer('browser-example');
const status = document.querySelector('#status')!;
let clicks = 0;

document.querySelector('#checkout')!.addEventListener('click', () => {
  const click = ++clicks;
  void tracer.startActiveSpan(`click ${click}`, async (span) => {
    const response = await fetch(`/api/cart?click=${click}`);
    const cart = (await response.json()) as { items: number };
    tracer.startSpan('cart loaded').end();
    await Promise.resolve(cart).then((c) => tracer.startSpan(`render ${c.items} items`).end());
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        tracer.startSpan('timer').end();
        resolve();
      }, 5),
    );
    await new Promise<void>((resolve) =>
      requestAnimationFrame(() => {
        tracer.startSpan('animation frame').end();
        resolve();
      }),
    );
    span.end();
    status.textContent = `done ${click}`;
  });
});
