// A compiled dedicated worker (classic and module): a span per message, and a reply posted from a later
// job inside a span of its own.
import { answerInSpans, spans } from './otel-web.js';

self.addEventListener('message', (event: MessageEvent) => {
  const message = event.data;
  if (message === 'report') return postMessage(spans());
  answerInSpans('worker', message.n, () => self.postMessage({ n: message.n, got: message, trusted: event.isTrusted }));
});
