// A compiled same-origin iframe of page.ts (and the same file served cross-origin): a span per message
// from its parent, and a reply to the message's source from a later job inside a span of its own.
import { answerInSpans, spans } from './otel-web.js';

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data;
  const source = event.source as Window;
  if (message === 'report') return source.postMessage({ frameSpans: spans() }, '*');
  answerInSpans('frame', message.n, () =>
    source.postMessage({ n: message.n, got: message, trusted: event.isTrusted, origin: event.origin === location.origin }, '*'),
  );
});
parent.postMessage({ ready: true }, '*');
