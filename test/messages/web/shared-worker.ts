// A compiled SharedWorker of page.ts: a span per message on each connection, and a reply posted from a
// later job inside a span of its own; 'report' answers with its spans and the name it sees.
import { spans, tracer } from './otel-web.js';

self.addEventListener('connect', (connect) => {
  const port = (connect as MessageEvent).ports[0]!;
  port.onmessage = (event) => {
    const message = event.data;
    if (message === 'report') return port.postMessage({ sharedSpans: spans(), name: (self as unknown as { name: string }).name });
    tracer.startActiveSpan(`shared handler ${message.n}`, (span) => {
      setTimeout(() => {
        tracer.startActiveSpan(`shared reply ${message.n}`, (reply) => {
          port.postMessage({ n: message.n, got: message, trusted: event.isTrusted });
          reply.end();
        });
        span.end();
      }, 1);
    });
  };
});
