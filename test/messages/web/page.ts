// The page of test/messages-browser.test.ts, bundled with `messages: true` (compiled/) and without the
// plugin (untransformed/): dedicated workers, classic and module, exchange messages with it from inside
// spans; a worker we never compile echoes what it gets; comlink calls a compiled worker.
import * as Comlink from 'comlink';
import workerpool from 'workerpool';
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

/** Loads `src` in an iframe and waits for its ready message; `exchange` posts to it and resolves with its answer. */
async function frame(src: string): Promise<{ exchange(message: unknown): Promise<any>; remove(): void }> {
  const element = document.createElement('iframe');
  const ready = new Promise<void>((resolve) => {
    const listener = (event: MessageEvent) => {
      if (event.source !== element.contentWindow || !event.data?.ready) return;
      window.removeEventListener('message', listener);
      resolve();
    };
    window.addEventListener('message', listener);
  });
  element.src = src;
  document.body.append(element);
  await ready;
  const target = element.contentWindow!;
  return {
    exchange: (message) =>
      new Promise((resolve) => {
        const listener = (event: MessageEvent) => {
          if (event.source !== target) return;
          window.removeEventListener('message', listener);
          if (event.data?.n !== undefined) tracer.startSpan(`page handler frame ${event.data.n}`).end();
          resolve(event.data);
        };
        window.addEventListener('message', listener);
        target.postMessage(message, '*');
      }),
    remove: () => element.remove(),
  };
}

/** Frames: a compiled same-origin one, the same file cross-origin (localhost), and one we never compile. */
async function frames(): Promise<unknown> {
  const sameOrigin = await frame('frame.html');
  const answers = [await sameOrigin.exchange({ n: 0 })];
  for (const n of [1, 2])
    answers.push(await tracer.startActiveSpan(`send frame ${n}`, (span) => sameOrigin.exchange({ n }).finally(() => span.end())));
  const { frameSpans } = await sameOrigin.exchange('report');
  sameOrigin.remove();

  const crossOrigin = await frame(`${location.href.replace('127.0.0.1', 'localhost')}frame.html`);
  const crossAnswers = [
    await tracer.startActiveSpan('send cross-origin frame', (span) => crossOrigin.exchange({ n: 5 }).finally(() => span.end())),
  ];
  const { frameSpans: crossSpans } = await crossOrigin.exchange('report');
  crossOrigin.remove();

  const plain = await frame('/plain-frame.html');
  const echoes: unknown[] = [];
  await tracer.startActiveSpan('send plain frame', async (span) => {
    echoes.push(await plain.exchange({ n: 10 }));
    echoes.push(await plain.exchange('text'));
    span.end();
  });
  plain.remove();

  // To this window itself: its own listener runs in the posting span.
  const self = await new Promise<unknown>((resolve) => {
    const listener = (event: MessageEvent) => {
      if (event.data?.self === undefined) return;
      window.removeEventListener('message', listener);
      tracer.startSpan('page handler self').end();
      resolve({ data: event.data, origin: event.origin === location.origin, source: event.source === window });
    };
    window.addEventListener('message', listener);
    tracer.startActiveSpan('send self', (span) => {
      window.postMessage({ self: 1 }, location.origin);
      span.end();
    });
  });
  return { answers, frameSpans, crossAnswers, crossSpans, echoes, self };
}

/** workerpool in a browser: web workers of a compiled script. */
async function pool(): Promise<unknown> {
  const tasks = workerpool.pool(new URL('workerpool-worker.js', location.href).href, { maxWorkers: 1, workerType: 'web' });
  const answers = [await tasks.exec('task', [0])];
  for (const n of [1, 2]) {
    answers.push(
      await tracer.startActiveSpan(`submit pool ${n}`, async (span) => {
        try {
          return await tasks.exec('task', [n]);
        } finally {
          span.end();
        }
      }),
    );
  }
  const workerSpans = await tasks.exec('report', []);
  await tasks.terminate();
  return { answers, workerSpans };
}

/** Posts to a port and resolves with the first message it gets back (every message it gets is kept in `seen`). */
function portExchange(port: MessagePort, seen: unknown[], kind: string) {
  port.addEventListener('message', (event) => {
    seen.push({ data: event.data, trusted: event.isTrusted });
    if (event.data?.n !== undefined) tracer.startSpan(`page handler ${kind} ${event.data.n}`).end();
  });
  port.start();
  return (message: unknown) =>
    new Promise<any>((resolve) => {
      port.addEventListener('message', (event) => resolve(event.data), { once: true });
      port.postMessage(message);
    });
}

/** SharedWorkers: a compiled one, one we never compile, and (from the untransformed page) a compiled one. */
async function shared(): Promise<unknown> {
  const seen: unknown[] = [];
  const worker = new SharedWorker('shared-worker.js', { name: 'jobs' });
  const exchange = portExchange(worker.port, seen, 'shared');
  await exchange({ n: 0 });
  for (const n of [1, 2]) {
    await tracer.startActiveSpan(`send shared ${n}`, async (span) => {
      await exchange({ n });
      span.end();
    });
  }
  const { sharedSpans, name } = await exchange('report');

  const plainSeen: unknown[] = [];
  const plain = new SharedWorker('/plain-shared-worker.js', 'plain');
  const plainExchange = portExchange(plain.port, plainSeen, 'plain shared');
  await tracer.startActiveSpan('send plain shared', async (span) => {
    await plainExchange({ n: 10 });
    await plainExchange('text');
    span.end();
  });

  // The compiled shared worker, reached by a page that did not mark its name (the untransformed one).
  const otherSeen: unknown[] = [];
  const other = new SharedWorker('/compiled/shared-worker.js', { name: 'jobs' });
  await portExchange(other.port, otherSeen, 'other shared')({ n: 7 });
  return { seen: seen.slice(0, 3), sharedSpans, name, plainSeen, otherSeen };
}

/** BroadcastChannel: the declared one (`broadcastChannels`), between this page and a compiled worker. */
async function broadcast(): Promise<unknown> {
  const channel = new BroadcastChannel('otel-test-sync');
  const next = () => new Promise<any>((resolve) => channel.addEventListener('message', (event) => resolve(event.data), { once: true }));
  const up = next();
  const worker = new Worker('broadcast-worker.js');
  await up;
  channel.onmessage = (event) => {
    if (event.data?.n !== undefined) tracer.startSpan(`page handler broadcast ${event.data.n}`).end();
  };
  const answers: unknown[] = [];
  for (const n of [0, 1, 2]) {
    const exchange = () => {
      const reply = next();
      channel.postMessage({ n });
      return reply;
    };
    answers.push(
      n === 0
        ? await exchange()
        : await tracer.startActiveSpan(`send broadcast ${n}`, async (span) => {
            try {
              return await exchange();
            } finally {
              span.end();
            }
          }),
    );
  }
  const report = next();
  channel.postMessage('report');
  const { broadcastSpans } = await report;
  channel.close();
  worker.terminate();
  return { answers, broadcastSpans };
}

async function main(): Promise<void> {
  results.broadcast = await broadcast();
  results.shared = await shared();
  results.frames = await frames();
  results.pool = await pool();
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
