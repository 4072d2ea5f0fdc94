// A compiled SharedWorker of page.ts: a span per message on each connection, and a reply posted from a
// later job inside a span of its own; 'report' answers with its spans and the name it sees.
import { answerInSpans, spans } from './otel-web.js';

self.addEventListener('connect', (connect) => {
  const port = (connect as MessageEvent).ports[0]!;
  port.onmessage = (event) => {
    const message = event.data;
    if (message === 'report') return port.postMessage({ sharedSpans: spans(), name: (self as unknown as { name: string }).name });
    answerInSpans('shared', message.n, () => port.postMessage({ n: message.n, got: message, trusted: event.isTrusted }));
  };
});
