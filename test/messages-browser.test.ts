/**
 * Messages, opt-in (`messages: true`, issue 9), in headless Debian Chromium with
 * the real web SDK: test/messages/web/page.ts and its workers bundled by esbuild
 * with our esbuild plugin (`messages: true`, `packages: ["comlink"]`: comlink is
 * compiled on both ends) into compiled/, and without it into untransformed/.
 * Compiled dedicated workers, classic and module, run their message handlers in
 * the page's sending span and the page runs its handlers in the worker's; comlink
 * calls parent the spans the worker makes. A worker we never compile
 * (plain-worker.js) gets exactly what was posted, and so does an untransformed
 * page from a compiled worker. Untransformed, every handler starts its own trace.
 */
import { createServer, type Server } from 'node:http';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { Browser } from 'playwright-core';
import otelContext from '../dist/esm/bundler/esbuild.js';
import { launchChromium } from './harness/chromium.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SRC = path.resolve('test/messages/web');
const OUT = path.resolve('test/.tmp/messages-web');

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
interface Talk {
  seen: Array<{ data: any; trusted: boolean }>;
  workerSpans: Span[];
}
interface PageResults {
  error?: string;
  spans: Span[];
  results: {
    classic: Talk;
    module: Talk;
    plain: unknown[];
    otherFirst: unknown;
    comlink: { answers: number[]; workerSpans: Span[] };
    frames: {
      answers: any[];
      frameSpans: Span[];
      crossAnswers: any[];
      crossSpans: Span[];
      echoes: unknown[];
      self: unknown;
    };
    pool: { answers: unknown[]; workerSpans: Span[] };
    shared: { seen: unknown[]; sharedSpans: Span[]; name: string; plainSeen: unknown[]; otherSeen: unknown[] };
    broadcast: { answers: unknown[]; broadcastSpans: Span[] };
  };
}

async function bundle(variant: 'compiled' | 'untransformed'): Promise<void> {
  const dir = path.join(OUT, variant);
  mkdirSync(dir, { recursive: true });
  const plugins: Plugin[] =
    variant === 'compiled' ? [otelContext({ messages: true, broadcastChannels: ['otel-test-sync'], packages: ['comlink'] }) as Plugin] : [];
  const common = {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
    // workerpool's browser build still names Node's modules behind a platform check.
    external: ['worker_threads', 'os', 'child_process'],
    plugins,
    alias: { 'otel-context-transformer/runtime/messages': path.resolve('dist/esm/runtime/messages-web.js') },
  } as const;
  const entries: Array<[string, string, 'esm' | 'iife']> = [
    ['page.ts', 'page.js', 'esm'],
    ['worker.ts', 'worker.js', 'iife'],
    ['worker.ts', 'worker-module.js', 'esm'],
    ['comlink-worker.ts', 'comlink-worker.js', 'iife'],
    ['frame.ts', 'frame.js', 'esm'],
    ['workerpool-worker.ts', 'workerpool-worker.js', 'iife'],
    ['shared-worker.ts', 'shared-worker.js', 'iife'],
    ['broadcast-worker.ts', 'broadcast-worker.js', 'iife'],
  ];
  for (const [entry, outfile, format] of entries) {
    await build({ ...common, entryPoints: [path.join(SRC, entry)], outfile: path.join(dir, outfile), format });
  }
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><body><script type="module" src="page.js"></script>\n');
  writeFileSync(path.join(dir, 'frame.html'), '<!doctype html><script type="module" src="frame.js"></script>\n');
}

function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = path.join(OUT, new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/$/, '/index.html'));
    if (!file.startsWith(OUT) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

const byName = (spans: Span[], name: string): Span => {
  const span = spans.find((s) => s.name === name);
  expect(span, name).toBeDefined();
  return span!;
};

/**
 * Messages 1 and 2, both ways: the peer's `<peer> handler n` is a child of the page's `send <kind> n`, and
 * the page's `page handler <kind> n` a child of the peer's `<peer> reply n`; message 0, sent outside any
 * span, starts a trace of its own.
 */
function expectCarriedBothWays(pageSpans: Span[], peerSpans: Span[], kind: string, peer: string): void {
  for (const n of [1, 2]) {
    const sent = byName(pageSpans, `send ${kind} ${n}`);
    const handler = byName(peerSpans, `${peer} handler ${n}`);
    expect([handler.traceId, handler.parentSpanId], `${kind} ${n}`).toEqual([sent.traceId, sent.spanId]);
    const reply = byName(peerSpans, `${peer} reply ${n}`);
    const back = byName(pageSpans, `page handler ${kind} ${n}`);
    expect([back.traceId, back.parentSpanId], `${kind} ${n}`).toEqual([sent.traceId, reply.spanId]);
  }
  expect(byName(peerSpans, `${peer} handler 0`).parentSpanId, kind).toBeUndefined();
}

/** Tasks 1 and 2 (a span, and one after an await) are children of the page's span for them; task 0 is a root. */
function expectTasksUnder(pageSpans: Span[], workerSpans: Span[], submit: (n: number) => string, task: (n: number) => string): void {
  for (const n of [1, 2]) {
    const parent = byName(pageSpans, submit(n));
    for (const name of [task(n), `${task(n)} after await`]) {
      const span = byName(workerSpans, name);
      expect([span.traceId, span.parentSpanId], name).toEqual([parent.traceId, parent.spanId]);
    }
  }
  expect(byName(workerSpans, task(0)).parentSpanId).toBeUndefined();
}

describe('messages in Chromium: dedicated workers and comlink', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  const runs: Partial<Record<'compiled' | 'untransformed', PageResults>> = {};
  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    await bundle('compiled');
    await bundle('untransformed');
    copyFileSync(path.join(SRC, 'plain-worker.js'), path.join(OUT, 'plain-worker.js'));
    copyFileSync(path.join(SRC, 'plain-frame.html'), path.join(OUT, 'plain-frame.html'));
    copyFileSync(path.join(SRC, 'plain-shared-worker.js'), path.join(OUT, 'plain-shared-worker.js'));
    ({ server, url } = await serve());
    browser = await launchChromium();
    for (const variant of ['compiled', 'untransformed'] as const) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${url}${variant}/`);
      await page.waitForFunction(() => (window as any).messageResults !== undefined, undefined, { timeout: 30_000 });
      runs[variant] = (await page.evaluate(() => (window as any).messageResults)) as PageResults;
      await page.close();
      expect(errors, variant).toEqual([]);
      expect(runs[variant]!.error, variant).toBeUndefined();
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('compiled workers, classic and module: handlers on each end run in the other end’s sending span', () => {
    const { spans, results } = runs.compiled!;
    for (const kind of ['classic', 'module'] as const) {
      expectCarriedBothWays(spans, results[kind].workerSpans, kind, 'worker');
    }
  });

  it('compiled workers: listeners get the data as posted, never the handshake; carried events are re-dispatched', () => {
    const { results } = runs.compiled!;
    for (const kind of ['classic', 'module'] as const) {
      // n 0 was sent before the page knew the worker takes envelopes: a trusted event, as without us.
      expect(results[kind].seen, kind).toEqual([
        { data: { n: 0, got: { n: 0 }, trusted: true }, trusted: false },
        { data: { n: 1, got: { n: 1 }, trusted: false }, trusted: false },
        { data: { n: 2, got: { n: 2 }, trusted: false }, trusted: false },
      ]);
    }
  });

  it('a worker we did not compile receives exactly what was posted (as the untransformed page posts it)', () => {
    const expected = [
      { data: { n: 10 }, ports: 0, trusted: true, origin: '' },
      { data: { n: 11, list: [1, 2] }, ports: 0, trusted: true, origin: '' },
      { data: 'text', ports: 0, trusted: true, origin: '' },
    ];
    expect(runs.compiled!.results.plain).toEqual(expected);
    expect(runs.untransformed!.results.plain).toEqual(expected);
  });

  it('a page we did not compile receives exactly what a compiled worker posts', () => {
    expect(runs.untransformed!.results.otherFirst).toEqual({ n: 7, got: { n: 7 }, trusted: true });
  });

  it('comlink: the spans a call makes in the worker are children of the calling span', () => {
    const { spans, results } = runs.compiled!;
    expect(results.comlink.answers).toEqual([0, 2, 4]);
    expectTasksUnder(
      spans,
      results.comlink.workerSpans,
      (n) => `call ${n}`,
      (n) => `work ${n}`,
    );
  });

  it('window.postMessage: a compiled same-origin frame and the page run their handlers in each other’s sending span', () => {
    const { spans, results } = runs.compiled!;
    const { frameSpans, answers } = results.frames;
    expectCarriedBothWays(spans, frameSpans, 'frame', 'frame');
    // Listeners get the data as posted; origin kept; a carried event is dispatched again (untrusted).
    expect(answers).toEqual([
      { n: 0, got: { n: 0 }, trusted: true, origin: true },
      { n: 1, got: { n: 1 }, trusted: false, origin: true },
      { n: 2, got: { n: 2 }, trusted: false, origin: true },
    ]);
    // To itself: the page's own listener runs in the posting span, with origin and source as posted.
    expect(results.frames.self).toEqual({ data: { self: 1 }, origin: true, source: true });
    expect(byName(spans, 'page handler self').parentSpanId).toBe(byName(spans, 'send self').spanId);
  });

  it('window.postMessage: a cross-origin frame, compiled or not, and a frame we never compile get exactly what was posted', () => {
    for (const variant of ['compiled', 'untransformed'] as const) {
      const { frames } = runs[variant]!.results;
      // The same compiled frame, served from another origin (its event.origin is the page's): nothing carried.
      expect(frames.crossAnswers, variant).toEqual([{ n: 5, got: { n: 5 }, trusted: true, origin: false }]);
      expect(byName(frames.crossSpans, 'frame handler 5').parentSpanId, variant).toBeUndefined();
      expect(frames.echoes, variant).toEqual([
        { echo: { n: 10 }, trusted: true, ports: 0 },
        { echo: 'text', trusted: true, ports: 0 },
      ]);
    }
  });

  it('workerpool in web workers: a task runs in the context of its exec() call', () => {
    const { spans, results } = runs.compiled!;
    expect(results.pool.answers).toEqual([0, 1, 2].map((n) => ({ got: n, args: 1 })));
    expectTasksUnder(
      spans,
      results.pool.workerSpans,
      (n) => `submit pool ${n}`,
      (n) => `pool task ${n}`,
    );
  });

  it('SharedWorker: a compiled one and the page run their handlers in each other’s sending span', () => {
    const { spans, results } = runs.compiled!;
    const { sharedSpans, seen, name } = results.shared;
    expectCarriedBothWays(spans, sharedSpans, 'shared', 'shared');
    // The page's listeners never see the handshake; the worker reads the name it was given.
    expect(seen).toEqual([
      { data: { n: 0, got: { n: 0 }, trusted: true }, trusted: false },
      { data: { n: 1, got: { n: 1 }, trusted: false }, trusted: false },
      { data: { n: 2, got: { n: 2 }, trusted: false }, trusted: false },
    ]);
    expect(name).toBe('jobs');
  });

  it('SharedWorker: one we did not compile gets exactly what was posted; a page we did not compile, exactly what the compiled one posts', () => {
    const expected = [
      { data: { echo: { n: 10 }, trusted: true, ports: 0 }, trusted: true },
      { data: { echo: 'text', trusted: true, ports: 0 }, trusted: true },
    ];
    expect(runs.compiled!.results.shared.plainSeen).toEqual(expected);
    expect(runs.untransformed!.results.shared.plainSeen).toEqual(expected);
    expect(runs.untransformed!.results.shared.otherSeen).toEqual([{ data: { n: 7, got: { n: 7 }, trusted: true }, trusted: true }]);
  });

  it('BroadcastChannel, declared: a compiled worker and the page run their handlers in each other’s sending span', () => {
    const { spans, results } = runs.compiled!;
    const { broadcastSpans, answers } = results.broadcast;
    expectCarriedBothWays(spans, broadcastSpans, 'broadcast', 'broadcast');
    // Listeners get the data as posted; a carried event is dispatched again (untrusted).
    expect(answers).toEqual([
      { n: 0, got: { n: 0 }, trusted: true },
      { n: 1, got: { n: 1 }, trusted: false },
      { n: 2, got: { n: 2 }, trusted: false },
    ]);
  });

  it('untransformed: every worker handler and comlink call starts a trace of its own', () => {
    const { results } = runs.untransformed!;
    expect(results.comlink.answers).toEqual([0, 2, 4]);
    for (const n of [1, 2]) {
      for (const kind of ['classic', 'module'] as const) {
        expect(byName(results[kind].workerSpans, `worker handler ${n}`).parentSpanId, kind).toBeUndefined();
      }
      expect(byName(results.comlink.workerSpans, `work ${n}`).parentSpanId).toBeUndefined();
      expect(byName(results.frames.frameSpans, `frame handler ${n}`).parentSpanId).toBeUndefined();
      expect(byName(runs.untransformed!.spans, `page handler frame ${n}`).parentSpanId).toBeUndefined();
    }
    expect(byName(runs.untransformed!.spans, 'page handler self').parentSpanId).toBeUndefined();
    expect(results.pool.answers).toEqual([0, 1, 2].map((n) => ({ got: n, args: 1 })));
    for (const n of [1, 2]) expect(byName(results.pool.workerSpans, `pool task ${n}`).parentSpanId).toBeUndefined();
    for (const n of [1, 2]) expect(byName(results.shared.sharedSpans, `shared handler ${n}`).parentSpanId).toBeUndefined();
    expect(results.shared.name).toBe('jobs');
    for (const n of [1, 2]) expect(byName(results.broadcast.broadcastSpans, `broadcast handler ${n}`).parentSpanId).toBeUndefined();
  });
});
