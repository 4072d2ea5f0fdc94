/**
 * `otel-context-transformer init` on generated workspaces: the plan it prints,
 * the edits --write makes (comments and layout kept), a second run that
 * changes nothing, refusals with the exact manual step, and builds of the
 * edited workspace that really trace: a library's async code called from a
 * service yields one connected trace under `tspc -b`, also when the workspace
 * was built before the plugin was added.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './harness/chromium.mjs';
import { main } from '../dist/esm/cli/index.js';
// @ts-expect-error plain JavaScript shared with `npm run example`
import { copyWorkspace } from '../examples/link-workspace.mjs';

const require = createRequire(import.meta.url);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(repo, 'test', '.tmp', 'init');
const VERSION = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

function write(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path, name);
      else files[name] = readFileSync(path, 'utf8');
    }
  };
  walk(root, '');
  return files;
}

async function init(root: string, ...flags: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return cli(['init', root, ...flags]);
}

async function cli(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
    version: VERSION,
  });
  return { status, stdout, stderr };
}

interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parent?: string;
}

/** Runs the built service under CompiledContextManager (a runtime without AsyncLocalStorage) and returns the spans. */
function runService(root: string): SpanRecord[] {
  const spans = execFileSync(process.execPath, [join(repo, 'examples/trace-app.mjs'), join(root, 'packages/service/dist/main.js')], {
    encoding: 'utf8',
  });
  return (JSON.parse(spans) as { name: string; traceId: string; spanId: string; parentSpanId?: string }[]).map((s) => ({
    ...s,
    parent: s.parentSpanId,
  }));
}

/** Problems with the expected tree: every lib span under its own checkout, in its trace. */
function treeProblems(spans: SpanRecord[]): string[] {
  const problems: string[] = [];
  for (const order of ['A', 'B']) {
    const root = spans.find((s) => s.name === `checkout ${order}`);
    if (!root) {
      problems.push(`no checkout ${order}`);
      continue;
    }
    for (const name of ['inventory.lookup', 'inventory.timer']) {
      for (const part of ['a', 'b']) {
        const span = spans.find((s) => s.name === `${name} ${order}-${part}`);
        if (!span || span.parent !== root.spanId || span.traceId !== root.traceId)
          problems.push(`${name} ${order}-${part} not under checkout ${order}`);
      }
    }
  }
  return problems;
}

const tspc = require.resolve('ts-patch/bin/tspc.js');
const tsc = require.resolve('typescript/bin/tsc');

// The npm workspace of issue #11 is examples/workspace (`npm run example` runs it too): a base tsconfig
// with comments, a library and a service on `tsc -b` project references, and a Vite app.
describe('init on the example npm workspace (project references, Vite app)', () => {
  const root = join(tmp, 'npm');
  let before: Record<string, string>;
  let dryRun: { status: number; stdout: string; stderr: string };
  let written: { status: number; stdout: string; stderr: string };

  beforeAll(async () => {
    copyWorkspace(root);
    // Built once before the plugin exists: the case TypeScript's up-to-date check gets wrong.
    execFileSync(process.execPath, [tsc, '-b'], { cwd: root });
    before = snapshot(root);
    dryRun = await init(root);
    written = await init(root, '--write');
  }, 120_000);

  it('finds every package and its build, and the dry run writes nothing', () => {
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toMatch(/npm workspace at .*, 3 packages/);
    expect(dryRun.stdout).toMatch(/packages\/lib\s+tsc -b/);
    expect(dryRun.stdout).toMatch(/packages\/service\s+tsc -b/);
    expect(dryRun.stdout).toMatch(/apps\/web\s+vite/);
    expect(dryRun.stdout).toContain('dry run: nothing is written');
    expect(dryRun.stdout).toMatch(
      /edit\s+tsconfig\.base\.json\s+add the plugin to compilerOptions\.plugins \(inherited by packages\/lib, packages\/service\)/,
    );
    expect(dryRun.stdout).toMatch(/remove\s+packages\/lib\/tsconfig\.tsbuildinfo/);
    // The plan is what --write did, line for line.
    expect(written.stdout.split('\n').filter((l) => /^\s+(edit|remove)\s/.test(l))).toEqual(
      dryRun.stdout.split('\n').filter((l) => /^\s+(edit|remove)\s/.test(l)),
    );
  });

  it('edits the shared base tsconfig, keeping comments and layout', () => {
    const text = readFileSync(join(root, 'tsconfig.base.json'), 'utf8');
    expect(text).toContain('// Shared by every package: keep this comment.');
    expect(text).toContain('"skipLibCheck": true, // trailing comment and comma stay');
    expect(text).toMatch(/"plugins": \[\s*\{\s*"transform": "otel-context-transformer"\s*\}\s*\]/);
    // Only the base changed among the tsconfigs: the packages inherit it.
    for (const file of ['tsconfig.json', 'packages/lib/tsconfig.json', 'packages/service/tsconfig.json']) {
      expect(readFileSync(join(root, file), 'utf8'), file).toBe(before[file]);
    }
  });

  it('adds the runtime to the packages whose compiled code imports it, and ts-patch at the root', () => {
    const lib = JSON.parse(readFileSync(join(root, 'packages/lib/package.json'), 'utf8'));
    const service = JSON.parse(readFileSync(join(root, 'packages/service/package.json'), 'utf8'));
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(lib.dependencies).toEqual({ 'otel-context-transformer': `^${VERSION}` });
    expect(service.dependencies).toEqual({ '@shop/lib': '*', 'otel-context-transformer': `^${VERSION}` });
    expect(rootManifest.devDependencies['ts-patch']).toBe('^3.3.0');
    expect(rootManifest.scripts).toEqual({ build: 'tsc -b', prepare: 'ts-patch install -s' });
  });

  it('adds the Vite plugin and registers the manager with the web provider', () => {
    const vite = readFileSync(join(root, 'apps/web/vite.config.ts'), 'utf8');
    expect(vite).toBe(`import { defineConfig } from 'vite';
import otelContext from 'otel-context-transformer/vite';

// The app's own settings stay as they are.
export default defineConfig({
  plugins: [otelContext()],
  build: { outDir: 'dist', minify: false },
});
`);
    const otel = readFileSync(join(root, 'apps/web/src/otel.ts'), 'utf8');
    expect(otel).toContain(`import { CompiledContextManager } from 'otel-context-transformer/runtime';`);
    expect(otel).toContain('provider.register({ contextManager: new CompiledContextManager() });');
  });

  it('a second run finds everything in place and changes nothing', async () => {
    const after = snapshot(root);
    const again = await init(root, '--write');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(snapshot(root)).toEqual(after);
  });

  it('tspc -b after init rebuilds the stale output: the library traces under the service', async () => {
    // Without init, adding the plugin by hand leaves the earlier output in place (TypeScript's
    // up-to-date check ignores plugins): this copy shows the problem init's build-info removal solves.
    const stale = join(tmp, 'npm-stale');
    copyWorkspace(stale);
    execFileSync(process.execPath, [tsc, '-b'], { cwd: stale });
    writeFileSync(join(stale, 'tsconfig.base.json'), readFileSync(join(root, 'tsconfig.base.json')));
    execFileSync(process.execPath, [tspc, '-b'], { cwd: stale });
    expect(readFileSync(join(stale, 'packages/lib/dist/index.js'), 'utf8')).not.toContain('__otelCtx');
    expect(treeProblems(runService(stale))).not.toEqual([]);
    // The monorepo's CI gate sees it: report --check at the root fails on the stale packages.
    expect((await cli(['report', '--check', stale])).status).toBe(1);

    execFileSync(process.execPath, [tspc, '-b'], { cwd: root });
    expect(readFileSync(join(root, 'packages/lib/dist/index.js'), 'utf8')).toContain('__otelCtx');
    expect(treeProblems(runService(root))).toEqual([]);
    const gate = await cli(['report', '--check', root]);
    expect(gate.stdout).toMatch(/@shop\/lib/);
    expect(gate.status, gate.stdout + gate.stderr).toBe(0);
  }, 120_000);

  it('the edited Vite config builds the app through the plugin', async () => {
    const { build } = await import('vite');
    await build({ root: join(root, 'apps/web'), configFile: join(root, 'apps/web/vite.config.ts'), logLevel: 'silent' });
    const assets = join(root, 'apps/web/dist/assets');
    const bundle = readdirSync(assets)
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(bundle).toContain('otel-context-transformer.slot.v2');
    expect(bundle).toMatch(/setTimeout\(\w+\(/); // the callback handed to setTimeout is bound
  }, 120_000);
});

/** Spans of one click on the example's web app, built by Vite and loaded in Chromium (the web SDK, its spans kept in memory). */
async function clickWebApp(root: string): Promise<SpanRecord[]> {
  const { build } = await import('vite');
  const web = join(root, 'apps/web');
  await build({ root: web, configFile: join(web, 'vite.config.ts'), logLevel: 'silent' });
  const dist = join(web, 'dist');
  const server = createServer((req, res) => {
    const file = join(dist, new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(dist) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'text/html' }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.waitForFunction(() => typeof (window as unknown as { __spans?: unknown }).__spans === 'function');
    await page.evaluate(() => document.body.click());
    await page.waitForFunction(() => (window as unknown as { __spans(): { name: string }[] }).__spans().some((s) => s.name === 'later'));
    const spans = (await page.evaluate(() => (window as unknown as { __spans(): unknown }).__spans())) as SpanRecord[];
    expect(errors).toEqual([]);
    return spans;
  } finally {
    await browser.close();
    server.close();
  }
}

/** What the test adds to the example's otel.ts: an in-memory exporter on the provider it creates, read by the test. */
function recordWebSpans(root: string): void {
  const file = join(root, 'apps/web/src/otel.ts');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('new WebTracerProvider()');
  writeFileSync(
    file,
    "import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-web';\n" +
      'const exporter = new InMemorySpanExporter();\n' +
      text.replace('new WebTracerProvider()', 'new WebTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })') +
      `(window as any).__spans = () => exporter.getFinishedSpans().map((s) => ({
  name: s.name, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parent: s.parentSpanContext?.spanId,
}));
`,
  );
}

describe("the example workspace's Vite app in Chromium", () => {
  it('one trace per click after init --write; without init the timer callback leaves it', async () => {
    const connected = (spans: SpanRecord[]) => {
      const click = spans.find((s) => s.name === 'click');
      const later = spans.find((s) => s.name === 'later');
      expect(click && later, 'both spans').toBeTruthy();
      return later!.parent === click!.spanId && later!.traceId === click!.traceId;
    };
    const plain = join(tmp, 'web-plain');
    copyWorkspace(plain);
    recordWebSpans(plain);
    expect(connected(await clickWebApp(plain))).toBe(false);

    const root = join(tmp, 'web-init');
    copyWorkspace(root);
    recordWebSpans(root);
    expect((await init(root, '--write')).status).toBe(0);
    expect(connected(await clickWebApp(root))).toBe(true);
  }, 120_000);
});

describe('init on a pnpm workspace (Babel/React Native, webpack, Rollup, Next.js)', () => {
  const root = join(tmp, 'pnpm');
  let result: { status: number; stdout: string; stderr: string };

  beforeAll(async () => {
    rmSync(root, { recursive: true, force: true });
    write(root, {
      'package.json': '{ "name": "mono", "private": true }\n',
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - \"libs/*\" # comment\n  - '!apps/ignored'\n",
      'apps/mobile/package.json': '{ "name": "mobile", "dependencies": { "@opentelemetry/api": "1.9.0" } }\n',
      'apps/mobile/babel.config.js':
        "module.exports = function (api) {\n  api.cache(true);\n  return {\n    presets: ['module:@react-native/babel-preset'],\n  };\n};\n",
      'apps/mobile/App.ts': 'export async function load() { await fetch("/x"); setTimeout(() => {}, 1); }\n',
      'apps/mobile/metro.config.js':
        "const { getDefaultConfig, mergeConfig } = require('@react-native/metro-config');\nmodule.exports = mergeConfig(getDefaultConfig(__dirname), {});\n",
      'apps/admin/package.json': '{ "name": "admin" }\n',
      'apps/admin/webpack.config.cjs':
        "'use strict';\nconst path = require('path');\nmodule.exports = {\n  entry: './src/index.ts',\n  plugins: [new Banner()],\n};\n",
      'apps/site/package.json': '{ "name": "site" }\n',
      'apps/site/next.config.mjs': 'export default { reactStrictMode: true };\n',
      'apps/ignored/package.json': '{ "name": "ignored", "scripts": { "build": "tsc" } }\n',
      'apps/ignored/tsconfig.json': '{}\n',
      'libs/util/package.json': '{ "name": "util" }\n',
      'libs/util/rollup.config.mjs': 'const config = { input: "src/index.js", plugins: makePlugins() };\nexport default config;\n',
      'libs/util/.babelrc': '{\n  // legacy config\n  "presets": ["@babel/preset-env"]\n}\n',
    });
    result = await init(root, '--write');
  });

  it('reads pnpm-workspace.yaml, exclusions included', () => {
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/pnpm workspace at .*, 4 packages/);
    expect(result.stdout).not.toContain('apps/ignored');
  });

  it('puts the Babel plugin first, also in a function config and in .babelrc with comments', () => {
    expect(readFileSync(join(root, 'apps/mobile/babel.config.js'), 'utf8')).toBe(
      "module.exports = function (api) {\n  api.cache(true);\n  return {\n    plugins: ['otel-context-transformer/babel'],\n    presets: ['module:@react-native/babel-preset'],\n  };\n};\n",
    );
    const babelrc = readFileSync(join(root, 'libs/util/.babelrc'), 'utf8');
    expect(babelrc).toContain('// legacy config');
    expect(JSON.parse(babelrc.replace(/\/\/.*\n/g, '\n')).plugins).toEqual(['otel-context-transformer/babel']);
  });

  it('the edited Babel config compiles through the plugin', async () => {
    const babel = require('@babel/core') as typeof import('@babel/core');
    const config = join(root, 'apps/mobile/babel.config.js');
    const text = readFileSync(config, 'utf8').replace(
      "'module:@react-native/babel-preset'",
      `[${JSON.stringify(require.resolve('@react-native/babel-preset'))}, { dev: true }]`,
    );
    writeFileSync(config, text.replace("'otel-context-transformer/babel'", JSON.stringify(join(repo, 'dist/cjs/babel.js'))));
    const out = babel.transformSync(readFileSync(join(root, 'apps/mobile/App.ts'), 'utf8'), {
      filename: join(root, 'apps/mobile/App.ts'),
      configFile: config,
      babelrc: false,
    });
    expect(out?.code).toContain('__otelCtx');
  });

  it("prints the Metro step: our version in cacheVersion, which Metro's cache key does not otherwise see", () => {
    expect(result.stdout).toContain(
      "apps/mobile/metro.config.js: add cacheVersion: `otel-context-transformer@${require('otel-context-transformer/package.json').version}`" +
        " to the config, so that upgrading otel-context-transformer invalidates Metro's cache (see the README, Caches)",
    );
    expect(readFileSync(join(root, 'apps/mobile/metro.config.js'), 'utf8')).not.toContain('cacheVersion');
  });

  it('adds the webpack plugin to a CommonJS config after its directive', () => {
    expect(readFileSync(join(root, 'apps/admin/webpack.config.cjs'), 'utf8')).toBe(
      "'use strict';\nconst otelContext = require('otel-context-transformer/webpack').default;\nconst path = require('path');\nmodule.exports = {\n  entry: './src/index.ts',\n  plugins: [otelContext(), new Banner()],\n};\n",
    );
  });

  it('refuses what it cannot edit safely, with the exact manual step, and leaves it unchanged', () => {
    expect(result.stdout).toContain('To do by hand');
    expect(result.stdout).toMatch(
      /libs\/util\/rollup\.config\.mjs: add otelContext\(\) first in plugins, imported from 'otel-context-transformer\/rollup'/,
    );
    expect(readFileSync(join(root, 'libs/util/rollup.config.mjs'), 'utf8')).toBe(
      'const config = { input: "src/index.js", plugins: makePlugins() };\nexport default config;\n',
    );
    expect(readFileSync(join(root, 'libs/util/rollup.config.mjs'), 'utf8')).not.toContain('otel');
  });

  it('adds the Turbopack loader and the webpack hook to next.config', () => {
    expect(readFileSync(join(root, 'apps/site/next.config.mjs'), 'utf8')).toBe(
      "import otelContext from 'otel-context-transformer/webpack';\n" +
        "export default { turbopack: { rules: { '*.{js,jsx,ts,tsx}': { loaders: ['otel-context-transformer/loader'] } } }, " +
        'webpack: (config) => (config.plugins.unshift(otelContext()), config), reactStrictMode: true };\n',
    );
  });

  it('declares the runtime, and the OTel API where no package of the chain has it', () => {
    expect(JSON.parse(readFileSync(join(root, 'apps/mobile/package.json'), 'utf8')).dependencies).toEqual({
      '@opentelemetry/api': '1.9.0',
      'otel-context-transformer': `^${VERSION}`,
    });
    const admin = JSON.parse(readFileSync(join(root, 'apps/admin/package.json'), 'utf8'));
    // In sorted position, as npm keeps them.
    expect(Object.entries(admin.dependencies)).toEqual([
      ['@opentelemetry/api', '^1.9.0'],
      ['otel-context-transformer', `^${VERSION}`],
    ]);
  });
});

describe('init diagnostics', () => {
  it('a broken tsconfig is named with its line, and nothing is written', async () => {
    const root = join(tmp, 'broken');
    rmSync(root, { recursive: true, force: true });
    write(root, {
      'package.json': '{ "name": "one", "scripts": { "build": "tsc -p ." } }\n',
      'tsconfig.json': '{\n  "compilerOptions": {\n    "strict": true\n    "outDir": "dist"\n  }\n}\n',
    });
    const before = snapshot(root);
    const result = await init(root, '--write');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/tsconfig\.json:4: not valid JSON \(comma expected\)/);
    expect(snapshot(root)).toEqual(before);
  });

  it('TypeScript 7 gets the CLI route instead of a plugin entry', async () => {
    const root = join(tmp, 'ts7');
    rmSync(root, { recursive: true, force: true });
    write(root, {
      'package.json': '{ "name": "seven", "scripts": { "build": "tsc" }, "devDependencies": { "typescript": "^7.0.2" } }\n',
      'tsconfig.json': '{ "compilerOptions": { "outDir": "dist" } }\n',
    });
    const result = await init(root, '--write');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /tsconfig\.json: TypeScript 7 runs no compiler plugins: after tsc, run `npx otel-context-transformer apply <outDir>`/,
    );
    expect(readFileSync(join(root, 'tsconfig.json'), 'utf8')).toBe('{ "compilerOptions": { "outDir": "dist" } }\n');
  });

  it('usage errors exit 2', async () => {
    expect((await init(tmp, 'extra')).status).toBe(2);
    expect((await init(tmp, '--nope')).status).toBe(2);
    expect(existsSync(tmp)).toBe(true);
  });
});
