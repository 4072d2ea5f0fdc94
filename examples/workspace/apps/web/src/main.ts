import { trace } from '@opentelemetry/api';
import './otel';

const tracer = trace.getTracer('web');
document.body.addEventListener('click', () => {
  tracer.startActiveSpan('click', (span) => {
    setTimeout(() => {
      tracer.startSpan('later').end();
      span.end();
    }, 1);
  });
});
