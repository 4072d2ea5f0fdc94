// Debug mode's scenario (test/debug-mode.test.ts): one boundary that carries the context, and a callback
// that reaches compiled code through an uncompiled queue, where the context is lost. The test asserts the
// sites below by line and column: keep them where they are.
import { trace } from '@opentelemetry/api';

declare const uncompiledQueue: { later(cb: () => void): void };
const tracer = trace.getTracer('debug-mode');

export function scenario(): Promise<void> {
  return new Promise((done) => {
    tracer.startActiveSpan('request', (request) => {
      setTimeout(() => {
        tracer.startSpan('carried').end();
        uncompiledQueue.later(() => lost().then(() => finish(request, done)));
      }, 1);
    });
  });
}

async function lost(): Promise<void> {
  await null;
  tracer.startSpan('lost').end();
}

function finish(request: { end(): void }, done: () => void): void {
  request.end();
  done();
}
