/**
 * Browser workers (issue 9), compile-time half, in headless Debian Chromium with the real web SDK:
 * test/carriers/web-bundled/page.ts spawns workers of its own build as Vite and webpack 5 users write
 * them (`new Worker(new URL('./w.ts', import.meta.url), { type: 'module' })`), built by the real bundler
 * with our plugin. The bundler still recognises each call (it bundles the worker and rewrites the URL),
 * and the worker, classic or module, parents its spans to the spawning span and reads the name it was
 * given. A worker that is not a module of the build (`new Worker('/uncompiled.js')`) is left as written
 * and sees what it always saw. Built without our plugin, the workers start traces of their own.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './harness/chromium.mjs';

const BUILD = path.resolve('test/carriers/web-bundled/build.mjs');
const OUT = path.resolve('test/.tmp/carriers-bundled');

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
interface WorkerReport {
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
  results: { module: WorkerReport; classic: WorkerReport; root: WorkerReport; uncompiled: UncompiledReport };
}

function build(bundler: string, plugin: boolean): Promise<string> {
  const outDir = path.join(OUT, `${bundler}-${plugin ? 'on' : 'off'}`);
  return new Promise((done, fail) =>
    execFile(process.execPath, [BUILD, bundler, outDir, plugin ? 'on' : 'off'], { timeout: 120_000 }, (error, _out, stderr) =>
      error ? fail(new Error(`${bundler} build failed:\n${stderr || error.message}`)) : done(outDir),
    ),
  );
}

/** Serves one build at the root of its own origin (its pages use root-relative URLs: `/page.js`, `/uncompiled.js`). */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = path.join(root, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(root) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

describe.each(['vite', 'webpack'])('%s: browser workers of the build carry the spawning context', (bundler) => {
  let browser: Browser;
  const servers: Server[] = [];
  let fixed: PageResults;
  let broken: PageResults;
  beforeAll(async () => {
    const roots = await Promise.all([build(bundler, true), build(bundler, false)]);
    browser = await launchChromium();
    [fixed, broken] = [await load(roots[0]!), await load(roots[1]!)];
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) server.close();
  });

  async function load(root: string): Promise<PageResults> {
    const { server, url } = await serve(root);
    servers.push(server);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`${e.message}\n${e.stack}`));
    await page.goto(url);
    const done = () => (window as unknown as { carrierResults?: unknown }).carrierResults !== undefined;
    await page.waitForFunction(done, undefined, { timeout: 60_000 });
    const results = (await page.evaluate(() => (window as unknown as { carrierResults: unknown }).carrierResults)) as PageResults;
    await page.close();
    expect(errors).toEqual([]);
    expect(results.error).toBeUndefined();
    return results;
  }

  it('module and classic workers: top level and message handler are children of the spawning span', () => {
    const parent = fixed.spans.find((s) => s.name === 'page')!;
    for (const kind of ['module', 'classic'] as const) {
      const worker = fixed.results[kind];
      expect(
        worker.spans.map((s) => s.name),
        kind,
      ).toEqual(['worker top level', 'worker message handler']);
      for (const span of worker.spans)
        expect([span.traceId, span.parentSpanId], `${kind}: ${span.name}`).toEqual([parent.traceId, parent.spanId]);
      expect(worker.baggage, kind).toEqual({ 'user.id': 'u-42' });
      // The bundler built the worker and gave it its own URL; the worker reads the name it was given.
      expect(worker.href, kind).not.toContain('worker.ts');
    }
    expect(fixed.results.module.name).toBe('given-name');
    expect(fixed.results.classic.name).toBe('');
    expect(fixed.results.root.spans.every((s) => s.parentSpanId === undefined && s.traceId !== parent.traceId)).toBe(true);
  });

  it('a worker that is not a module of the build is left as written: it sees what the untransformed build gives it', () => {
    // Each build has an origin of its own: the worker's URL is compared by its path.
    const seen = (r: UncompiledReport) => ({ ...r, href: new URL(r.href).pathname });
    expect(seen(fixed.results.uncompiled)).toEqual(seen(broken.results.uncompiled));
    expect(seen(fixed.results.uncompiled).href).toBe('/uncompiled.js');
    expect(fixed.results.uncompiled.name).toBe('plain');
    expect(fixed.results.uncompiled.received).toEqual(['app message', 'report']);
  });

  it('built without our plugin, every worker starts a trace of its own', () => {
    const parent = broken.spans.find((s) => s.name === 'page')!;
    for (const kind of ['module', 'classic'] as const) {
      expect(broken.results[kind].spans.length, kind).toBe(2);
      for (const span of broken.results[kind].spans) {
        expect(span.traceId, `${kind}: ${span.name}`).not.toBe(parent.traceId);
        expect(span.parentSpanId, `${kind}: ${span.name}`).toBeUndefined();
      }
      expect(broken.results[kind].baggage, kind).toEqual({});
    }
    expect(broken.results.module.name).toBe('given-name');
  });
});
