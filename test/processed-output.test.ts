/**
 * Output already transformed by any integration, minified or not, is
 * recognised as such by `report` and `apply` (issue 11): never reported as
 * "not rewritten", never wrapped twice, never given a `require(...)`.
 *
 * Real builds: a small browser app through Vite with our plugin, minified by
 * each minifier Vite offers (oxc, terser, esbuild) and not at all, and through
 * webpack in production mode (with and without module concatenation); the same
 * app without the plugin (whose bundle holds the runtime too, for
 * CompiledContextManager: that alone must not pass); Rolldown and esbuild with
 * the runtime external; `helpers: "global"`; the tsconfig plugin's output
 * minified by terser. Each built directory then goes through the CLI (the bin,
 * in a child process).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN } from './harness/cli-backends.js';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'test/.tmp/processed-output');

const MAIN = `import { context, trace } from '@opentelemetry/api';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { load } from './load.js';

context.setGlobalContextManager(new CompiledContextManager().enable());
const tracer = trace.getTracer('app');
document.querySelector('button')?.addEventListener('click', () => {
  tracer.startActiveSpan('click', async (span) => {
    const value = await load(1);
    setTimeout(() => { tracer.startSpan('later').end(); span.end(); }, 1);
    Promise.resolve(value).then((x) => console.log(x));
  });
});
`;
const LOAD = `export async function load(id) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return fetch('/items/' + id).then((response) => response.text());
}
`;
/**
 * The boundaries of the two modules: 2 await, 1 setTimeout, 2 then, 1 `Promise.resolve(value)` (a thenable
 * it resolves with is adopted in the caller's context); `setTimeout(resolve)` needs no binding.
 */
const BOUNDARIES = 6;

interface Report {
  boundaries: Array<{ kind: string; rewritten: boolean; processedOutput?: string }>;
  rewritten: number;
  notRewritten: number;
}

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out[relative(dir, join(d, e.name))] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** report --check passes and lists every boundary as rewritten; apply leaves every byte as it was. */
function expectRecognised(dir: string, evidence: string, boundaries = BOUNDARIES): void {
  const before = files(dir);
  const check = cli(['report', '--check', '--json', '.'], dir);
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
  const all = JSON.parse(cli(['report', '--json', '.'], dir).stdout) as Report;
  expect(all.notRewritten).toBe(0);
  expect(all.rewritten).toBe(boundaries);
  expect(new Set(all.boundaries.map((b) => b.processedOutput))).toEqual(new Set([evidence]));
  const apply = cli(['apply', '.'], dir);
  expect(apply.status).toBe(0);
  expect(apply.stderr).toMatch(/apply: 0 files rewritten/);
  expect(files(dir)).toEqual(before);
}

function fresh(name: string): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src/main.js'), MAIN);
  writeFileSync(join(dir, 'src/load.js'), LOAD);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><button>go</button><script type="module" src="/src/main.js"></script>\n');
  return dir;
}

async function viteApp(name: string, minify: false | 'oxc' | 'terser' | 'esbuild', plugin: boolean): Promise<string> {
  const dir = fresh(name);
  const { build } = (await import('vite')) as typeof import('vite');
  const otel = (await import('otel-context-transformer/vite')).default as (o?: object) => never;
  const plugins = plugin ? [otel()] : [];
  await build({ configFile: false, root: dir, logLevel: 'silent', envDir: false, plugins, build: { outDir: 'dist', minify } });
  return join(dir, 'dist');
}

describe('Vite (a browser app), with our plugin', () => {
  const MINIFIERS = [['oxc'], ['terser'], ['esbuild'], [false]] as const;
  it.each(MINIFIERS)('minify: %s — report --check passes, apply changes nothing', async (minify) => {
    const dist = await viteApp(`vite-${minify}`, minify, true);
    const bundle = Object.entries(files(dist)).find(([f]) => f.endsWith('.js'))![1];
    expect(bundle).not.toContain('__otelCtx');
    expectRecognised(dist, 'bundled-runtime');
  });

  it('without the plugin the bundle holds the runtime too, and report --check fails on it', async () => {
    const dist = await viteApp('vite-no-plugin', 'oxc', false);
    expect(Object.values(files(dist)).join('')).toContain('otel-context-transformer.slot.v2');
    const check = cli(['report', '--check', '--json', '.'], dist);
    expect(check.status).toBe(1);
    expect((JSON.parse(check.stdout) as Report).notRewritten).toBe(BOUNDARIES);
  });
});

describe('webpack, production mode (terser; exports renamed to `n.U`)', () => {
  it.each([[true], [false]])('concatenateModules: %s — report --check passes, apply changes nothing', async (concatenateModules) => {
    const dir = fresh(`webpack-${concatenateModules}`);
    const webpack = require('webpack') as typeof import('webpack');
    const otel = (await import('otel-context-transformer/webpack')).default as (o?: object) => never;
    const out = join(dir, 'dist');
    const compiler = webpack({
      mode: 'production',
      context: dir,
      entry: './src/main.js',
      output: { path: out, filename: 'main.js' },
      plugins: [otel()],
      optimization: { concatenateModules },
      target: 'web',
    });
    await new Promise<void>((done, fail) =>
      compiler.run((error, stats) => {
        compiler.close(() => {});
        if (error || stats?.hasErrors()) fail(error ?? new Error(stats!.toString('errors-only')));
        else done();
      }),
    );
    expect(readFileSync(join(out, 'main.js'), 'utf8')).not.toContain('__otelCtx');
    expectRecognised(out, 'bundled-runtime');
  });
});

describe('the runtime external, minified', () => {
  beforeAll(() => fresh('external'));

  it('rolldown (ES module, oxc minifier): `import {suspend as …} from "…/runtime"`', async () => {
    const dir = join(WORK, 'external');
    const { rolldown } = require('rolldown') as typeof import('rolldown');
    const otel = (await import('otel-context-transformer/rolldown')).default as (o?: object) => never;
    const external = [/^otel-context-transformer\//, /^@opentelemetry\//];
    const bundle = await rolldown({ input: join(dir, 'src/main.js'), plugins: [otel()], external });
    await bundle.write({ dir: join(dir, 'rolldown'), format: 'es', minify: true });
    await bundle.close();
    expect(Object.values(files(join(dir, 'rolldown'))).join('')).toMatch(/from"otel-context-transformer\/runtime"/);
    expectRecognised(join(dir, 'rolldown'), 'runtime-module');
  });

  it('esbuild (CommonJS, minified): `require("…/runtime")` and its helpers as properties', async () => {
    const dir = join(WORK, 'external');
    const esbuild = require('esbuild') as typeof import('esbuild');
    const otel = (await import('otel-context-transformer/esbuild')).default as (o?: object) => never;
    await esbuild.build({
      entryPoints: [join(dir, 'src/main.js')],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'node',
      outfile: join(dir, 'esbuild/main.cjs'),
      external: ['otel-context-transformer/*', '@opentelemetry/*'],
      plugins: [otel()],
      logLevel: 'silent',
    });
    expect(readFileSync(join(dir, 'esbuild/main.cjs'), 'utf8')).toMatch(/require\("otel-context-transformer\/runtime"\)/);
    expectRecognised(join(dir, 'esbuild'), 'runtime-module');
  });
});

describe('other integrations, then a minifier', () => {
  it('helpers: "global" (Vite, oxc): the helpers key', async () => {
    const dir = fresh('global');
    const { build } = (await import('vite')) as typeof import('vite');
    const otel = (await import('otel-context-transformer/vite')).default as (o?: object) => never;
    const plugins = [otel({ helpers: 'global' })];
    await build({ configFile: false, root: dir, logLevel: 'silent', envDir: false, plugins, build: { outDir: 'dist' } });
    expectRecognised(join(dir, 'dist'), 'global-helpers');
  });

  it('the tsconfig plugin, then terser', async () => {
    const dir = fresh('tsc-terser');
    const ts = require('typescript') as typeof TS;
    type Plugin = (program?: TS.Program, config?: object, extras?: object) => TS.TransformerFactory<TS.SourceFile>;
    const plugin = (await import('otel-context-transformer')).default as Plugin;
    const { minify } = require('terser') as typeof import('terser');
    mkdirSync(join(dir, 'out'), { recursive: true });
    for (const name of ['main', 'load']) {
      const source = readFileSync(join(dir, `src/${name}.js`), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        fileName: join(dir, `src/${name}.ts`),
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        transformers: { before: [plugin(undefined, {}, { ts })] },
      });
      expect(outputText).toContain('__otelCtx');
      const minified = await minify(outputText, { module: true, mangle: true, compress: true });
      expect(minified.code).not.toContain('__otelCtx');
      writeFileSync(join(dir, `out/${name}.js`), minified.code!);
    }
    expectRecognised(join(dir, 'out'), 'runtime-module');
  });
});
