// The page of test/messages-browser.test.ts, bundled with `messages: true` (compiled/) and without the
// plugin (untransformed/): dedicated workers, classic and module, exchange messages with it from inside
// spans; a worker we never compile echoes what it gets; comlink calls a compiled worker.
import * as Comlink from 'comlink';
import { spans, tracer } from './otel-web.js';

const results: Record<string, unknown> = {};

function exchange(worker: Worker, message: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const listener = (event: MessageEvent) => {
      worker.removeEventListener('message', listener);
      resolve(event.data);
    };
    worker.addEventListener('message', listener);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(message);
  });
}

async function talk(kind: string, worker: Worker): Promise<unknown> {
  const seen: unknown[] = [];
  worker.onmessage = (event) => {
    seen.push({ data: event.data, trusted: event.isTrusted });
    if (event.data.n !== undefined) tracer.startSpan(`page handler ${kind} ${event.data.n}`).end();
  };
  await exchange(worker, { n: 0 });
  for (const n of [1, 2]) await tracer.startActiveSpan(`send ${kind} ${n}`, (span) => exchange(worker, { n }).finally(() => span.end()));
  const workerSpans = await exchange(worker, 'report');
  worker.terminate();
  return { seen: seen.slice(0, 3), workerSpans };
}

async function main(): Promise<void> {
  results.classic = await talk('classic', new Worker('worker.js'));
  results.module = await talk('module', new Worker('worker-module.js', { type: 'module', name: 'given name' }));

  // Never compiled, in either build.
  const plain = new Worker('/plain-worker.js');
  const echoes: unknown[] = [await exchange(plain, { n: 10 })];
  await tracer.startActiveSpan('send plain', async (span) => {
    echoes.push(await exchange(plain, { n: 11, list: [1, 2] }));
    echoes.push(await exchange(plain, 'text'));
    span.end();
  });
  plain.terminate();
  results.plain = echoes;

  // The compiled worker spawned by this page, compiled or not: what this page's listener gets first.
  const other = new Worker('/compiled/worker.js');
  results.otherFirst = await exchange(other, { n: 7 });
  other.terminate();

  const api = Comlink.wrap<{ work(n: number): Promise<number>; report(): Promise<unknown> }>(new Worker('comlink-worker.js'));
  const answers = [await api.work(0)];
  for (const n of [1, 2]) answers.push(await tracer.startActiveSpan(`call ${n}`, (span) => api.work(n).finally(() => span.end())));
  results.comlink = { answers, workerSpans: await api.report() };
}

main()
  .then(() => ((window as any).messageResults = { spans: spans(), results }))
  .catch((e) => ((window as any).messageResults = { error: String(e?.stack ?? e) }));
