/**
 * End to end in a real browser: examples/browser built with Vite (with the
 * plugin and CompiledContextManager, and without either: the web SDK's default
 * StackContextManager), served on 127.0.0.1 together with an OTLP/HTTP
 * receiver, clicked in headless Debian Chromium through playwright-core.
 * Every click must export one connected trace; the broken build must not.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness/chromium.mjs';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkPackage } from '../examples/link-package.mjs';
import { TMP_DIR } from './harness/run.js';

const ROOT = resolve(import.meta.dirname, '../examples/browser');
const EXPECTED = ['cart loaded', 'render 3 items', 'timer', 'animation frame'];

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

async function buildApp(mode: 'fixed' | 'broken'): Promise<string> {
  const outDir = join(TMP_DIR, `browser-${mode}`);
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    mode: mode === 'broken' ? 'broken' : 'production',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false },
  });
  return outDir;
}

/** Serves the built app, a slow JSON API, and an OTLP/HTTP JSON receiver. */
function serve(dir: string, spans: OtlpSpan[]): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/v1/traces') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const payload = JSON.parse(body);
        for (const rs of payload.resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({ name: s.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    if (url.pathname === '/api/cart') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":3}'), 15);
      return;
    }
    const file = join(dir, url.pathname === '/' ? 'index.html' : url.pathname);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      done({ server, url: `http://127.0.0.1:${address.port}/` });
    }),
  );
}

async function clickThrice(browser: Browser, url: string, spans: OtlpSpan[]): Promise<void> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  for (let click = 1; click <= 3; click++) {
    await page.click('#checkout');
    await page.waitForFunction((n) => document.querySelector('#status')?.textContent === `done ${n}`, click);
  }
  // SimpleSpanProcessor exports each span as it ends; wait until all 15 have arrived.
  const deadline = Date.now() + 10_000;
  while (spans.length < 15 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await page.close();
  expect(errors).toEqual([]);
}

/** The spans as a forest, children indented under their parents (for the README's contrast). */
function render(spans: OtlpSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  const lines: string[] = [];
  for (const root of roots) {
    lines.push(`● ${root.name}`);
    const kids = spans.filter((s) => s.parentSpanId === root.spanId);
    kids.forEach((k, i) => lines.push(`  ${i === kids.length - 1 ? '└─' : '├─'} ${k.name}`));
  }
  return lines.join('\n');
}

/** One tree per click: each expected span is a direct child of its click's root span. */
function connectedClicks(spans: OtlpSpan[]): number {
  let connected = 0;
  for (let click = 1; click <= 3; click++) {
    const root = spans.find((s) => s.name === `click ${click}`);
    if (!root || root.parentSpanId) continue;
    const children = spans.filter((s) => s.traceId === root.traceId && s.parentSpanId === root.spanId).map((s) => s.name);
    if (EXPECTED.every((name) => children.includes(name))) connected++;
  }
  return connected;
}

describe('browser: Vite build in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    linkPackage();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const mode of ['fixed', 'broken'] as const) {
    it(`${mode === 'fixed' ? 'with the plugin, each click is one connected trace' : 'without it (StackContextManager), clicks fall apart'}`, async () => {
      const dir = await buildApp(mode);
      const spans: OtlpSpan[] = [];
      const { server, url } = await serve(dir, spans);
      try {
        await clickThrice(browser, url, spans);
      } finally {
        server.close();
      }
      writeFileSync(join(TMP_DIR, `browser-${mode}-traces.txt`), render(spans) + '\n');
      expect(spans).toHaveLength(15);
      if (mode === 'fixed') {
        expect(connectedClicks(spans)).toBe(3);
        expect(new Set(spans.map((s) => s.traceId)).size).toBe(3);
      } else {
        expect(connectedClicks(spans)).toBe(0);
        expect(new Set(spans.map((s) => s.traceId)).size).toBeGreaterThan(3);
      }
    });
  }
});
