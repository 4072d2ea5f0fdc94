// A compiled dedicated worker of page.ts on the declared BroadcastChannel: a span per message, and a reply
// on the channel from a later job inside a span of its own.
import { answerInSpans, spans } from './otel-web.js';

const channel = new BroadcastChannel('otel-test-sync');
channel.onmessage = (event) => {
  const message = event.data;
  if (message === 'report') return channel.postMessage({ broadcastSpans: spans() });
  answerInSpans('broadcast', message.n, () => channel.postMessage({ n: message.n, got: message, trusted: event.isTrusted }));
};
channel.postMessage('up');
