/**
 * Browser workers (issue 9), runtime half, in headless Debian Chromium with the
 * real web SDK: test/carriers/web/page.ts spawns workers as the transform will
 * emit it (`new Worker(url, __otelCtx.webWorkerOptions(options))`) from inside
 * a span with baggage. A compiled worker, bundled as a classic script and as a
 * module, parents its top-level and message-handler spans to that span and
 * reads the name it was given. An uncompiled worker that the helper is not
 * applied to sees exactly what a worker spawned by the untransformed build
 * sees. With ?broken (the helper left out) the workers start traces of their own.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness/chromium.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SRC = path.resolve('test/carriers/web');
const OUT = path.resolve('test/.tmp/carriers-web');

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
interface CompiledReport {
  name: string;
  baggage: Record<string, string>;
  spans: Span[];
  href: string;
}
interface UncompiledReport {
  name: string;
  href: string;
  globals: string[];
  received: unknown[];
}
interface PageResults {
  error?: string;
  spans: Span[];
  results: {
    classic: CompiledReport;
    module: CompiledReport;
    rootClassic: CompiledReport;
    uncompiled: UncompiledReport;
    uncompiledThroughHelper: UncompiledReport;
  };
}

async function bundle(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const common = { bundle: true, platform: 'browser', target: 'es2022', logLevel: 'warning', minify: false } as const;
  await build({ ...common, entryPoints: [path.join(SRC, 'page.ts')], outfile: path.join(OUT, 'page.js'), format: 'esm' });
  await build({ ...common, entryPoints: [path.join(SRC, 'worker.ts')], outfile: path.join(OUT, 'worker-classic.js'), format: 'iife' });
  await build({ ...common, entryPoints: [path.join(SRC, 'worker.ts')], outfile: path.join(OUT, 'worker-module.js'), format: 'esm' });
  const fs = await import('node:fs');
  fs.copyFileSync(path.join(SRC, 'uncompiled.js'), path.join(OUT, 'uncompiled.js'));
  fs.writeFileSync(path.join(OUT, 'index.html'), '<!doctype html><script type="module" src="/page.js"></script>\n');
}

function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = path.join(OUT, new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(OUT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

describe('browser workers: the spawning context on a W3C carrier, in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    await bundle();
    ({ server, url } = await serve());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  async function load(query: string): Promise<PageResults> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url + query);
    const done = () => (window as unknown as { carrierResults?: unknown }).carrierResults !== undefined;
    await page.waitForFunction(done, undefined, { timeout: 30_000 });
    const results = (await page.evaluate(() => (window as unknown as { carrierResults: unknown }).carrierResults)) as PageResults;
    await page.close();
    expect(errors).toEqual([]);
    expect(results.error).toBeUndefined();
    return results;
  }

  it('compiled workers, classic and module: top level and message handlers are children of the spawning span', async () => {
    const { spans, results } = await load('');
    const parent = spans.find((s) => s.name === 'page')!;
    for (const kind of ['classic', 'module'] as const) {
      const worker = results[kind];
      expect(
        worker.spans.map((s) => s.name),
        kind,
      ).toEqual(['worker top level', 'worker message handler']);
      for (const span of worker.spans) {
        expect(span.traceId, `${kind}: ${span.name}`).toBe(parent.traceId);
        expect(span.parentSpanId, `${kind}: ${span.name}`).toBe(parent.spanId);
      }
      expect(worker.baggage, kind).toEqual({ 'user.id': 'u-42' });
      // The carrier is cut off the name before the worker's code runs; the URL is untouched.
      expect(worker.href, kind).toBe(`${url}worker-${kind}.js`);
    }
    expect(results.classic.name).toBe('');
    expect(results.module.name).toBe('given name');
    // Outside any span nothing is carried.
    expect(results.rootClassic.spans.every((s) => s.parentSpanId === undefined && s.traceId !== parent.traceId)).toBe(true);
  });

  it('an uncompiled worker left without the helper sees what the untransformed build gives it', async () => {
    const fixed = await load('');
    const broken = await load('?broken');
    expect(fixed.results.uncompiled).toEqual(broken.results.uncompiled);
    expect(fixed.results.uncompiled).toEqual({
      name: 'plain',
      href: `${url}uncompiled.js`,
      globals: broken.results.uncompiled.globals,
      received: ['app message', 'report'],
    });
    // Through the helper, an uncompiled worker would see the carrier in its name, and nothing else:
    // the reason the helper is applied only to workers the build compiles (README, "Threads and processes").
    const through = fixed.results.uncompiledThroughHelper;
    expect(through.name.startsWith('plain\u2063otel-carrier\u2063{"traceparent":"00-')).toBe(true);
    expect({ ...through, name: 'plain' }).toEqual(fixed.results.uncompiled);
  });

  it('without the helper (the untransformed build) compiled workers start traces of their own', async () => {
    const { spans, results } = await load('?broken');
    const parent = spans.find((s) => s.name === 'page')!;
    for (const kind of ['classic', 'module'] as const) {
      expect(results[kind].spans.length, kind).toBe(2);
      for (const span of results[kind].spans) {
        expect(span.traceId, `${kind}: ${span.name}`).not.toBe(parent.traceId);
        expect(span.parentSpanId, `${kind}: ${span.name}`).toBeUndefined();
      }
      expect(results[kind].baggage, kind).toEqual({});
    }
  });
});
