/**
 * Next.js client code, built with the real `next` (static export) and clicked
 * in headless Debian Chromium with @opentelemetry/sdk-trace-web: with webpack
 * (our webpack plugin in next.config's `webpack` hook) and with Turbopack (which
 * runs webpack loaders but not webpack plugins: `otel-context-transformer/loader`
 * in `turbopack.rules`). Each click is one trace; the same app built without
 * the integration falls apart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness/chromium.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocks } from './harness/readme.js';
// @ts-expect-error plain JavaScript shared with `npm run example`
import { linkNodeModules } from '../examples/link-workspace.mjs';

const require = createRequire(import.meta.url);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(repo, 'test', '.tmp', 'nextjs');

const APP = {
  'app/layout.jsx': 'export default function RootLayout({ children }) {\n  return (<html><body>{children}</body></html>);\n}\n',
  'app/tracing.js': `import { InMemorySpanExporter, SimpleSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { CompiledContextManager } from 'otel-context-transformer/runtime';

let exporter;
export function setupTracing(withManager) {
  if (exporter || typeof window === 'undefined') return;
  exporter = new InMemorySpanExporter();
  const provider = new WebTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // Without the integration, the web SDK's default (StackContextManager), as today.
  provider.register(withManager ? { contextManager: new CompiledContextManager() } : {});
  window.__spans = () => exporter.getFinishedSpans().map((s) => ({
    name: s.name, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parent: s.parentSpanContext?.spanId,
  }));
}
`,
  'app/page.jsx': `'use client';
import { trace } from '@opentelemetry/api';
import { setupTracing } from './tracing';
import { WITH_MANAGER } from './mode';

setupTracing(WITH_MANAGER);
const tracer = trace.getTracer('next-app');
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function onClick(n) {
  await tracer.startActiveSpan('click ' + n, async (span) => {
    await pause(5);
    tracer.startSpan('after await ' + n).end();
    await fetch('/index.txt').then(() => tracer.startSpan('then ' + n).end());
    setTimeout(() => {
      tracer.startSpan('timer ' + n).end();
      span.end();
      document.getElementById('status').textContent = 'done ' + n;
    }, 1);
  });
}

let clicks = 0;
export default function Page() {
  return (<main><button id="go" onClick={() => onClick(++clicks)}>go</button><p id="status">ready</p></main>);
}
`,
};

interface Variant {
  name: string;
  bundler: 'webpack' | 'turbopack';
  integrated: boolean;
  config: string;
}

/** The README's next.config for a bundler, plus what the test needs: a static export, and Turbopack allowed to read this checkout. */
function readmeConfig(bundler: 'webpack' | 'turbopack'): string {
  const block = blocks('Next.js').find((b) => b.code.includes(`— ${bundler === 'webpack' ? 'webpack' : 'Turbopack'} (`));
  if (!block) throw new Error(`README's Next.js section has no ${bundler} config`);
  let config = block.code.replace('export default {', "export default {\n  output: 'export',");
  // The test's node_modules link into this checkout, which Turbopack must be allowed to read.
  if (bundler === 'turbopack') config = config.replace('turbopack: {', `turbopack: { root: ${JSON.stringify(repo)},`);
  expect(config).toContain("output: 'export'");
  return config;
}

const VARIANTS: Variant[] = [
  { name: 'webpack-plugin', bundler: 'webpack', integrated: true, config: readmeConfig('webpack') },
  { name: 'turbopack-loader', bundler: 'turbopack', integrated: true, config: readmeConfig('turbopack') },
  {
    name: 'turbopack-plain',
    bundler: 'turbopack',
    integrated: false,
    config: `export default { output: 'export', turbopack: { root: ${JSON.stringify(repo)} } };\n`,
  },
];

function buildVariant(variant: Variant): string {
  const dir = join(tmp, variant.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'app'), { recursive: true });
  const files = {
    ...APP,
    'package.json': '{ "name": "next-app", "private": true }\n',
    'next.config.mjs': variant.config,
    'app/mode.js': `export const WITH_MANAGER = ${variant.integrated};\n`,
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  linkNodeModules(dir, {});
  const next = join(dirname(require.resolve('next/package.json')), 'dist/bin/next');
  execFileSync(process.execPath, [next, 'build', ...(variant.bundler === 'webpack' ? ['--webpack'] : [])], {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_PATH: join(dir, 'node_modules') },
    stdio: 'pipe',
    timeout: 300_000,
  });
  return join(dir, 'out');
}

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parent?: string;
}

async function clickTwice(browser: Browser, url: string): Promise<SpanRecord[]> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { __spans?: unknown }).__spans === 'function');
  for (const n of [1, 2]) {
    await page.click('#go');
    await page.waitForFunction((k) => document.getElementById('status')?.textContent === `done ${k}`, n);
  }
  const spans = (await page.evaluate(() => (window as unknown as { __spans(): unknown }).__spans())) as SpanRecord[];
  await page.close();
  expect(errors).toEqual([]);
  return spans;
}

/** Clicks whose three children are direct children of the click's span, in its trace. */
function connectedClicks(spans: SpanRecord[]): number {
  return [1, 2].filter((n) => {
    const root = spans.find((s) => s.name === `click ${n}`);
    return (
      root &&
      ['after await', 'then', 'timer'].every((child) => {
        const span = spans.find((s) => s.name === `${child} ${n}`);
        return span && span.parent === root.spanId && span.traceId === root.traceId;
      })
    );
  }).length;
}

describe('Next.js client code in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const variant of VARIANTS) {
    const title = variant.integrated
      ? `${variant.bundler} with ${variant.bundler === 'webpack' ? 'the webpack plugin' : 'the loader in turbopack.rules'}: one trace per click`
      : `${variant.bundler} without the integration: clicks fall apart`;
    it(
      title,
      async () => {
        const out = buildVariant(variant);
        const { server, url } = await serve(out);
        let spans: SpanRecord[];
        try {
          spans = await clickTwice(browser, url);
        } finally {
          server.close();
        }
        expect(spans).toHaveLength(8);
        if (variant.integrated) {
          expect(connectedClicks(spans)).toBe(2);
          expect(new Set(spans.map((s) => s.traceId)).size).toBe(2);
        } else {
          expect(connectedClicks(spans)).toBe(0);
        }
      },
      400_000,
    );
  }
});
