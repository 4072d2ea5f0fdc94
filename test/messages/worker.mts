// The compiled worker of main.mts: a span per message, and a reply posted from a later job inside a span of its own.
import { parentPort } from 'node:worker_threads';
import { tracer, spans } from '../../../carriers/otel.mjs';

const port = parentPort!;
port.on('message', (message: any) => {
  if (message === 'report') return port.postMessage(spans());
  tracer.startActiveSpan(`worker handler ${message.n}`, (span) => {
    setTimeout(() => {
      tracer.startActiveSpan(`worker reply ${message.n}`, (reply) => {
        port.postMessage({ n: message.n, got: { n: message.n, bytes: message.buffer?.byteLength } });
        reply.end();
      });
      span.end();
    }, 1);
  });
});
