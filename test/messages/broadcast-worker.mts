// The worker of broadcast-main.mts: a span per message on either channel, and a reply on the declared
// channel from a later job inside a span of its own.
import { tracer, spans } from '../../../carriers/otel.mjs';

const declared = new BroadcastChannel('otel-test-sync');
const undeclared = new BroadcastChannel('otel-test-other');
const answer = (channel: string) => (event: MessageEvent) => {
  const message = event.data;
  if (message === 'report') return declared.postMessage(spans());
  tracer.startActiveSpan(`worker handler ${message.n}`, (span) => {
    setTimeout(() => {
      tracer.startActiveSpan(`worker reply ${message.n}`, (reply) => {
        declared.postMessage({ n: message.n, got: message, channel });
        reply.end();
      });
      span.end();
    }, 1);
  });
};
declared.onmessage = answer('declared');
undeclared.onmessage = answer('undeclared');
declared.postMessage('up');
