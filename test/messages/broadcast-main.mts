// Compiled with `messages: true, broadcastChannels: ['otel-test-sync']`: talks to a compiled worker thread
// over the declared channel from inside spans, and over an undeclared one (to it and to a worker we did
// not compile); prints the spans of both ends and what the uncompiled worker got.
import { Worker } from 'node:worker_threads';
import { tracer, spans } from '../../../carriers/otel.mjs';

const declared = new BroadcastChannel('otel-test-sync');
const undeclared = new BroadcastChannel('otel-test-other');
const next = (channel: BroadcastChannel) =>
  new Promise<any>((resolve) => channel.addEventListener('message', (event) => resolve((event as MessageEvent).data), { once: true }));

const plain = new Worker(new URL('../../../messages/plain-broadcast-worker.mjs', import.meta.url));
const plainGot = new Promise((resolve) => plain.once('message', resolve));
await new Promise((resolve) => plain.once('online', resolve));
const worker = new Worker(new URL('broadcast-worker.mjs', import.meta.url));
await next(declared); // the worker's channels are open

declared.onmessage = (event) => {
  if (event.data?.n !== undefined) tracer.startSpan(`main handler ${event.data.n}`).end();
};
const replies: unknown[] = [];
for (const n of [0, 1, 2]) {
  const send = () => {
    const reply = next(declared);
    declared.postMessage({ n });
    return reply;
  };
  replies.push(n === 0 ? await send() : await tracer.startActiveSpan(`send ${n}`, async (span) => await send().finally(() => span.end())));
}
await tracer.startActiveSpan('send other', async (span) => {
  const reply = next(declared);
  undeclared.postMessage({ n: 5 });
  replies.push(await reply);
  span.end();
});
const reply = next(declared);
declared.postMessage('report');
const workerSpans = await reply;
const got = await plainGot;
for (const channel of [declared, undeclared]) channel.close();
await worker.terminate();
await plain.terminate();
console.log(JSON.stringify({ spans: spans(), workerSpans, replies, plainGot: got }));
