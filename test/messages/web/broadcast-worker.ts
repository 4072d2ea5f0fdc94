// A compiled dedicated worker of page.ts on the declared BroadcastChannel: a span per message, and a reply
// on the channel from a later job inside a span of its own.
import { spans, tracer } from './otel-web.js';

const channel = new BroadcastChannel('otel-test-sync');
channel.onmessage = (event) => {
  const message = event.data;
  if (message === 'report') return channel.postMessage({ broadcastSpans: spans() });
  tracer.startActiveSpan(`broadcast handler ${message.n}`, (span) => {
    setTimeout(() => {
      tracer.startActiveSpan(`broadcast reply ${message.n}`, (reply) => {
        channel.postMessage({ n: message.n, got: message, trusted: event.isTrusted });
        reply.end();
      });
      span.end();
    }, 1);
  });
};
channel.postMessage('up');
