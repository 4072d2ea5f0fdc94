// Compiled with `messages: true` (test/messages.test.ts): spawns worker.mts and the never-compiled
// plain-worker.mjs, posts to each from inside spans, and prints what every end saw. Paths are
// relative to the compiled copy in test/.tmp/messages/<backend>/.
import { Worker } from 'node:worker_threads';
import { tracer, spans } from '../../../carriers/otel.mjs';

const here = new URL('.', import.meta.url);
const seen: Record<string, unknown[]> = { compiled: [], plain: [] };

function exchange(worker: Worker, message: unknown, transfer?: ArrayBuffer[]): Promise<unknown> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message, transfer);
  });
}

const compiled = new Worker(new URL('worker.mjs', here));
compiled.on('message', (reply: any) => {
  seen.compiled.push(reply);
  if (reply.n !== undefined) tracer.startSpan(`main handler ${reply.n}`).end();
});
// Outside any span: nothing to carry. This first exchange also completes the handshake.
await exchange(compiled, { n: 0 });
const buffer = new ArrayBuffer(8);
await tracer.startActiveSpan('send 1', async (span) => {
  await exchange(compiled, { n: 1, buffer }, [buffer]);
  span.end();
});
const detached = buffer.byteLength;
await tracer.startActiveSpan('send 2', async (span) => {
  await exchange(compiled, { n: 2 });
  span.end();
});
const workerSpans = await exchange(compiled, 'report');
await compiled.terminate();

// A worker we did not compile: it echoes exactly what its listeners receive.
const plain = new Worker(new URL('../../../messages/plain-worker.mjs', here));
plain.on('message', (reply) => seen.plain.push(reply));
await exchange(plain, { n: 10 });
await tracer.startActiveSpan('send plain', async (span) => {
  await exchange(plain, { n: 11, list: [1, 2] });
  await exchange(plain, 'text');
  span.end();
});
await plain.terminate();

// A worker we did not compile, spawning a compiled one: the mark it was spawned with is not for that one.
const middle = new Worker(new URL('../../../messages/plain-middle.mjs', here), { workerData: new URL('worker.mjs', here).href });
const fromGrandchild = await exchange(middle, 'go');
await middle.terminate();

console.log(JSON.stringify({ spans: spans(), workerSpans, seen, detached, fromGrandchild }));
