/**
 * XHR and img/script events in real Chromium (issue 10, item 2): `load`, `error`,
 * `readystatechange` and `progress` handlers of an XMLHttpRequest, registered before or after
 * `send()`, by addEventListener or `on*`, run in the context of `send()`; an img's or script's
 * `load`/`error` in the context of setting `src`. No global is patched. The page uses the real
 * SDK; built without the transform, every handler's span is a root.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transform } from '../src/api.js';
import { launchChromium } from './harness/chromium.mjs';
import { TMP_DIR } from './harness/run.js';

const PAGE = join(import.meta.dirname, 'listeners/browser-page.js');
const RUNTIME = join(import.meta.dirname, '../dist/esm/runtime/index.js');
// A 1×1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

interface SpanRow {
  name: string;
  spanId: string;
  parentSpanId?: string;
}

async function bundle(compiled: boolean, listeners: 'dispatch' | 'registration'): Promise<string> {
  const source = readFileSync(PAGE, 'utf8');
  const code = compiled
    ? transform(source, {
        filename: PAGE,
        listeners,
        runtimeModule: RUNTIME,
        onDiagnostic: (d) => {
          throw new Error(d.message);
        },
      })!.code
    : source.replace("'otel-context-transformer/runtime'", JSON.stringify(RUNTIME));
  mkdirSync(TMP_DIR, { recursive: true });
  const result = await build({
    stdin: { contents: code, resolveDir: join(import.meta.dirname, 'listeners'), sourcefile: 'page.js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function serve(script: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/page.js"></script>');
    if (path === '/page.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (path === '/api') return void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 10);
    if (path === '/upload' && req.method === 'POST') return void req.resume().on('end', () => res.writeHead(200).end('received'));
    if (path === '/pixel.gif') return void res.writeHead(200, { 'content-type': 'image/gif' }).end(PIXEL);
    res.writeHead(404).end();
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

/** A port nothing listens on: a server opened and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function runPage(browser: Browser, script: string): Promise<SpanRow[]> {
  const { server, url } = await serve(script);
  const page = await browser.newPage();
  try {
    const port = await closedPort();
    await page.goto(url);
    await page.evaluate((p) => ((window as unknown as { closedPortUrl: string }).closedPortUrl = `http://127.0.0.1:${p}/`), port);
    return (await page.evaluate('window.run()')) as SpanRow[];
  } finally {
    await page.close();
    server.close();
  }
}

const EXPECTED_PARENTS: Record<string, string> = {
  'xhr readystatechange': 'send',
  'xhr onload': 'send',
  'xhr progress': 'send',
  'xhr load': 'send',
  'xhr upload load': 'send upload',
  'xhr upload onloadend': 'send upload',
  'xhr onerror': 'send error',
  'img load': 'img src',
  'script onerror': 'script src',
};

/** Each handler's span name → the name of its parent span (null: a root). */
function parents(spans: SpanRow[]): Record<string, string | null> {
  const byId = new Map(spans.map((s) => [s.spanId, s.name]));
  const result: Record<string, string | null> = {};
  for (const s of spans) if (s.name in EXPECTED_PARENTS) result[s.name] = s.parentSpanId ? (byId.get(s.parentSpanId) ?? 'unknown') : null;
  return result;
}

describe('XHR and img/script events in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const listeners of ['dispatch', 'registration'] as const) {
    it(`run in the context of send() / src (listeners: "${listeners}")`, async () => {
      const spans = await runPage(browser, await bundle(true, listeners));
      expect(parents(spans)).toEqual(EXPECTED_PARENTS);
    });
  }

  it('are roots without the transform', async () => {
    const spans = await runPage(browser, await bundle(false, 'dispatch'));
    const roots = Object.fromEntries(Object.keys(EXPECTED_PARENTS).map((name) => [name, null]));
    expect(parents(spans)).toEqual(roots);
  });
});
