// A compiled same-origin iframe of page.ts (and the same file served cross-origin): a span per message
// from its parent, and a reply to the message's source from a later job inside a span of its own.
import { spans, tracer } from './otel-web.js';

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data;
  const source = event.source as Window;
  if (message === 'report') return source.postMessage({ frameSpans: spans() }, '*');
  tracer.startActiveSpan(`frame handler ${message.n}`, (span) => {
    setTimeout(() => {
      tracer.startActiveSpan(`frame reply ${message.n}`, (reply) => {
        source.postMessage({ n: message.n, got: message, trusted: event.isTrusted, origin: event.origin === location.origin }, '*');
        reply.end();
      });
      span.end();
    }, 1);
  });
});
parent.postMessage({ ready: true }, '*');
