// A compiled dedicated worker (classic and module): a span per message, and a reply posted from a later
// job inside a span of its own.
import { spans, tracer } from './otel-web.js';

self.addEventListener('message', (event: MessageEvent) => {
  const message = event.data;
  if (message === 'report') return postMessage(spans());
  tracer.startActiveSpan(`worker handler ${message.n}`, (span) => {
    setTimeout(() => {
      tracer.startActiveSpan(`worker reply ${message.n}`, (reply) => {
        self.postMessage({ n: message.n, got: message, trusted: event.isTrusted });
        reply.end();
      });
      span.end();
    }, 1);
  });
});
