/**
 * The README's own snippets, run against the packed package: `npm pack`, the tarball installed by npm into
 * scratch projects (outside this checkout, so nothing resolves from its node_modules), and per integration one
 * app built and run on the real OTel SDK: a request span, then an await and a setTimeout, each followed by a
 * child span that must share the request's trace id and have its span id as parent.
 *
 * The fenced blocks come from README.md, so the README cannot drift from what works:
 * - Install: the `npm install` line (the tarball stands in for the package name) and the manager registration,
 *   which opens the app;
 * - TypeScript plugin: both `npm install` lines as written (exact versions), the tsconfig plugin entry and
 *   `npx tspc -p .`: TypeScript 5 + ts-patch 3 on this Node, TypeScript 6 + ts-patch 4 on Node 24 (it needs 22.15+);
 * - CLI: in a TypeScript 7 project, the README's install line and commands (`npx tsc -p .`, `apply`, `report --check`);
 *   the app run before `apply` is the control (broken trace). There too: ts-patch fails on TypeScript 7 the way
 *   the README says, and the tsconfig plugin handed TypeScript 7 reports one clear diagnostic;
 * - Bundlers: each config as written, built by the bundler's CLI or, for webpack and Rspack (no CLI installed), by
 *   their Node API with the config file imported as is; what the test adds is said where it is added;
 * - Babel: the preset-env config as written; Node load hook: the `app.ts` line, on Node 24 (type stripping).
 * Other packages (bundlers, the SDK) are installed at our lockfile's versions, so npm's cache serves everything.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockedVersion, pack, ROOT, SCRATCH } from './harness/packed.js';
import { blocks, commands, files, README } from './harness/readme.js';
import { traceProblems, type SpanRecord } from './harness/run.js';

const WORK = join(SCRATCH, 'readme');
const APP = join(WORK, 'app');
const TS7 = join(WORK, 'ts7');
const TS6 = join(WORK, 'ts6');
const NODE24 = join(ROOT, 'tools/node24/node_modules/node24/bin/node');

/** `npm install …` lines: package specs, without flags. */
function installSpecs(line: string): string[] {
  expect(line).toMatch(/^npm install /);
  return line
    .split(/\s+/)
    .slice(2)
    .filter((w) => !w.startsWith('-'));
}

const install = blocks('Install');
const tsPlugin = blocks('TypeScript 5 and 6: tsconfig plugin');
const cli = blocks('CLI: after any compiler (TypeScript 7)');
const bundlers = blocks('Bundlers');
const babel = blocks('Babel and React Native');
const loadHook = blocks('Node load hook');

const [installLine] = commands(install.find((b) => b.lang === 'sh')!);
const registration = install.find((b) => b.lang === 'ts')!.code;
const [ts5Line, ts6Line] = commands(tsPlugin.find((b) => b.lang === 'sh')!);
const tsconfigPlugin = tsPlugin.find((b) => b.lang === 'jsonc')!.code;
const tspcCommand = commands(tsPlugin.find((b) => b.lang === 'sh' && b.code.includes('tspc'))!)[0]!;
const cliLines = commands(cli.find((b) => b.lang === 'sh')!);
const bundlerFiles = new Map([...bundlers.flatMap((b) => [...files(b)])]);
const babelConfigs = babel.flatMap((b) => b.code.split(/\n(?=\/\/ babel\.config\.js)/));
const presetEnvBabel = babelConfigs.find((c) => c.includes('@babel/preset-env'))!;
const loadHookLine = commands(loadHook.find((b) => b.lang === 'sh')!).find((l) => l.endsWith(' app.ts'))!;

// --- the app ----------------------------------------------------------------------------------------------------

/** The README's registration, then the SDK with an in-memory exporter, then the request. Printed: the spans. */
const MAIN_TS = `${registration}
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
const tracer = trace.getTracer('app');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(id: string): Promise<void> {
  await tracer.startActiveSpan('request', async (span) => {
    await sleep(1);
    tracer.startSpan('after-await').end();
    await new Promise<void>((resolve) => setTimeout(() => {
      tracer.startSpan('in-timeout').end();
      resolve();
    }, 1));
    span.setAttribute('id', id);
    span.end();
  });
}

handle('r1').then(() => {
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
  console.log('@@SPANS ' + JSON.stringify(spans));
});
`;

const EXPECTED = { request: null, 'after-await': 'request', 'in-timeout': 'request' };

function spansOf(stdout: string): SpanRecord[] {
  const line = stdout.split('\n').find((l) => l.startsWith('@@SPANS '));
  if (!line) throw new Error(`the app printed no spans:\n${stdout}`);
  return JSON.parse(line.slice('@@SPANS '.length));
}

/** Runs a README command line (`npx …`, `node …`) in dir; fails with its output when it fails. */
function run(dir: string, line: string, { node = process.execPath } = {}): string {
  const [command, ...args] = line.split(/\s+/);
  // npx and the tools it starts run on the same Node as `node` lines.
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}` };
  const options = { cwd: dir, encoding: 'utf8' as const, timeout: 120_000, env };
  const result = command === 'node' ? spawnSync(node, args, options) : spawnSync(command!, args, options);
  if (result.status !== 0) throw new Error(`${line} (in ${dir}) failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function runApp(dir: string, file: string, node = process.execPath): SpanRecord[] {
  return spansOf(run(dir, `node ${file}`, { node }));
}

/** A folder per integration under the app project, sharing its node_modules. */
function project(name: string, type: 'module' | 'commonjs', extra: Record<string, string> = {}): string {
  const dir = join(APP, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  writeFileSync(join(dir, 'src/main.ts'), MAIN_TS);
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return dir;
}

const npm = promisify(execFile);
async function npmInstall(dir: string, specs: string[]): Promise<void> {
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  await npm('npm', ['install', ...flags, ...specs], { cwd: dir, timeout: 240_000 });
}

/** A README spec as installed: the package name → the tarball; an unversioned peer → our lockfile's version. */
function asInstalled(spec: string, tarball: string): string {
  if (spec === 'otel-context-transformer') return tarball;
  if (/^@?[^@]+$/.test(spec)) return `${spec}@${lockedVersion(spec)}`;
  return spec;
}

const TEST_PACKAGES = [
  '@opentelemetry/sdk-trace-base',
  ...['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', '@rspack/core', 'ts-loader'],
  ...['@babel/core', '@babel/preset-env', '@babel/preset-typescript'],
];

describe('README snippets against the packed package', () => {
  beforeAll(async () => {
    rmSync(WORK, { recursive: true, force: true });
    const { tarball } = pack(join(WORK, 'tarball'));
    for (const dir of [APP, TS7, TS6]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-scratch', private: true }));
    }
    const readmeSpecs = installSpecs(installLine!).map((s) => asInstalled(s, tarball));
    const sdk = `@opentelemetry/sdk-trace-base@${lockedVersion('@opentelemetry/sdk-trace-base')}`;
    await Promise.all([
      npmInstall(TS6, [...readmeSpecs, sdk, ...installSpecs(ts6Line!)]),
      npmInstall(APP, [...readmeSpecs, ...installSpecs(ts5Line!), ...TEST_PACKAGES.map((p) => `${p}@${lockedVersion(p)}`)]),
      (async () => {
        const ts7Line = cliLines.find((l) => l.startsWith('npm install'))!;
        // ts-patch as well: to see what tspc does on TypeScript 7 (the README says it).
        await npmInstall(TS7, [...readmeSpecs, sdk, ...installSpecs(ts7Line), `ts-patch@${lockedVersion('ts-patch')}`]);
      })(),
    ]);
  }, 300_000);

  it('the install lines pin the versions the tests run', () => {
    expect(installSpecs(installLine!)[0]).toBe('otel-context-transformer');
    expect(installSpecs(ts5Line!)).toEqual([`typescript@${lockedVersion('typescript')}`, `ts-patch@${lockedVersion('ts-patch')}`]);
    // TypeScript 6 and ts-patch 4 are devDependencies under aliases.
    expect(installSpecs(ts6Line!)).toEqual([`typescript@${lockedVersion('typescript-6')}`, `ts-patch@${lockedVersion('ts-patch-4')}`]);
    expect(README).toMatch(/ts-patch 4, which needs Node >= 22\.15/);
    const installed = (dir: string, name: string) =>
      JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(installed(APP, 'typescript')).toBe(lockedVersion('typescript'));
    expect(installed(TS7, 'typescript')).toMatch(/^7\./);
    expect(installed(TS6, 'ts-patch')).toBe(lockedVersion('ts-patch-4'));
  });

  /** The README's tsconfig entry, with what it leaves to the project: where sources and output go, the module kind. */
  function tsconfigWithPlugin(): string {
    const entry = JSON.parse(tsconfigPlugin.replace(/^\s*\/\/.*$/gm, ''));
    const own = { target: 'es2022', module: 'nodenext', strict: true, skipLibCheck: true, types: [], rootDir: 'src', outDir: 'dist' };
    return JSON.stringify({ ...entry, compilerOptions: { ...entry.compilerOptions, ...own }, include: ['src'] }, null, 2);
  }

  it('tsconfig plugin, built with tspc (TypeScript 5 + ts-patch 3)', () => {
    const dir = project('tspc', 'module', { 'tsconfig.json': tsconfigWithPlugin() });
    run(dir, tspcCommand);
    expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain('otel-context-transformer/runtime');
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('tsconfig plugin, built with tspc (TypeScript 6 + ts-patch 4, on Node 24)', () => {
    expect(existsSync(NODE24), 'tools/node24 is missing: node scripts/ensure-node24.mjs').toBe(true);
    const dir = join(TS6, 'app');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    writeFileSync(join(dir, 'src/main.ts'), MAIN_TS);
    writeFileSync(join(dir, 'tsconfig.json'), tsconfigWithPlugin());
    run(dir, tspcCommand, { node: NODE24 });
    expect(run(dir, 'npx tsc --version', { node: NODE24 })).toMatch(/Version 6\./);
    expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain('otel-context-transformer/runtime');
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('CLI after TypeScript 7: broken before apply, connected after; report --check passes', () => {
    const dir = join(TS7, 'app');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    writeFileSync(join(dir, 'src/main.ts'), MAIN_TS);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...{ target: 'es2022', module: 'nodenext', strict: true, skipLibCheck: true, types: [] },
          ...{ rootDir: 'src', outDir: 'dist' },
        },
      }),
    );
    const [compile, apply, check] = cliLines.filter((l) => !l.startsWith('npm install'));
    expect(compile).toBe('npx tsc -p .');
    run(dir, compile!);
    expect(run(dir, 'npx tsc --version')).toMatch(/Version 7\./);
    // The control: TypeScript's output as it is loses the context after the first await.
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).not.toEqual([]);
    run(dir, apply!);
    run(dir, check!);
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('TypeScript 7: tspc fails inside ts-patch (as the README says); the plugin entry reports one clear diagnostic', () => {
    const dir = join(TS7, 'app');
    const tspc = spawnSync('npx', ['tspc', '-p', '.'], { cwd: existsSync(dir) ? dir : TS7, encoding: 'utf8' });
    expect(tspc.status).not.toBe(0);
    expect(tspc.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'LineFeed')");
    expect(README.replace(/\s+/g, ' ')).toContain("`TypeError: Cannot read properties of undefined (reading 'LineFeed')`");

    // A host without ts-patch loading the plugin: it takes the project's `typescript`, here 7.
    const probe = `
      const plugin = require('otel-context-transformer').default;
      const diagnostics = [];
      const factory = plugin(undefined, {}, { addDiagnostic: (d) => diagnostics.push(d) });
      const unchanged = factory({})('source file');
      console.log(JSON.stringify({ diagnostics, unchanged }));
    `;
    const { diagnostics, unchanged } = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: TS7, encoding: 'utf8' }));
    expect(unchanged).toBe('source file');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].category).toBe(1);
    expect(diagnostics[0].messageText).toMatch(/TypeScript 7\.\d+\.\d+, which has no transformer API/);
    expect(diagnostics[0].messageText).toContain('npx otel-context-transformer apply');
    // Without a diagnostics sink: the same message on stderr, and no exception.
    const bare = spawnSync(process.execPath, ['-e', "require('otel-context-transformer').default()"], { cwd: TS7, encoding: 'utf8' });
    expect(bare.status).toBe(0);
    expect(bare.stderr).toContain('the tsconfig plugin runs on TypeScript 5 and 6 only');
  });

  it('vite (vite build --ssr)', () => {
    const dir = project('vite', 'module', { 'vite.config.ts': bundlerFiles.get('vite.config.ts')! });
    // An SSR build: a Node app (Vite's default is a browser page from index.html).
    const out = run(dir, 'npx vite build --ssr src/main.ts --outDir dist --logLevel warn');
    expect(out).not.toMatch(/warn/i);
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('rollup (rollup -c)', () => {
    // The README leaves "your TypeScript plugin" to you: a few lines over esbuild's transform here.
    const stripTypes = `import { transform } from 'esbuild';
export default () => ({
  name: 'strip-types',
  transform: (code, id) =>
    id.endsWith('.ts') ? transform(code, { loader: 'ts', sourcemap: true }).then((r) => ({ code: r.code, map: r.map })) : null,
});
`;
    const readmeConfig = bundlerFiles.get('rollup.config.mjs')!;
    expect(readmeConfig).toContain('/* your TypeScript plugin */');
    const withPlugin = readmeConfig.replace('/* your TypeScript plugin */', 'typescriptPlugin()');
    const config = `import typescriptPlugin from './strip-types.mjs';\n${withPlugin}`;
    const dir = project('rollup', 'module', { 'rollup.config.mjs': config, 'strip-types.mjs': stripTypes });
    // Rollup resolves no package by itself (apps add @rollup/plugin-node-resolve): the packages stay imports.
    const external = '@opentelemetry/api,@opentelemetry/sdk-trace-base,otel-context-transformer/runtime';
    const result = spawnSync('npx', ['rollup', '-c', 'rollup.config.mjs', '--external', external], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/\(!\)/); // Rollup's warning marker
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('rolldown (rolldown -c)', () => {
    const dir = project('rolldown', 'module', { 'rolldown.config.mjs': bundlerFiles.get('rolldown.config.mjs')! });
    const result = spawnSync('npx', ['rolldown', '-c', 'rolldown.config.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('esbuild (the README script as is)', () => {
    // platform: 'node' bundles to CommonJS (the dependencies are CommonJS that require Node's modules).
    const dir = project('esbuild', 'commonjs', { 'build.mjs': bundlerFiles.get('esbuild')! });
    run(dir, 'node build.mjs');
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  for (const bundler of ['webpack', 'rspack'] as const) {
    it(`${bundler} (the config imported as is${bundler === 'webpack' ? '; ts-loader type-checks' : ''})`, () => {
      // Node's API with the README's config; the test adds a Node target and no minifier (a Node app, read by a test).
      const build = `import config from './${bundler}.config.mjs';
${bundler === 'webpack' ? "import webpack from 'webpack';" : "import { rspack as webpack } from '@rspack/core';"}
const output = { path: new URL('./dist', import.meta.url).pathname, filename: 'main.js' };
const compiler = webpack({ ...config, target: 'node', mode: 'none', output });
compiler.run((error, stats) => {
  compiler.close(() => {});
  if (error || stats.hasErrors() || stats.hasWarnings()) {
    console.error(error ?? stats.toString({ all: false, errors: true, warnings: true }));
    process.exit(1);
  }
});
`;
      const dir = project(bundler, 'commonjs', {
        [`${bundler}.config.mjs`]: bundlerFiles.get(`${bundler}.config.mjs`)!,
        'build.mjs': build,
        'tsconfig.json': JSON.stringify({
          compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', strict: true, skipLibCheck: true, types: [] },
        }),
      });
      run(dir, 'node build.mjs');
      expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
    });
  }

  it('Babel (preset-env config)', () => {
    const dir = project('babel', 'commonjs', { 'babel.config.js': presetEnvBabel });
    const compile = `const babel = require('@babel/core');
const { code } = babel.transformFileSync('src/main.ts');
require('fs').mkdirSync('dist', { recursive: true });
require('fs').writeFileSync('dist/main.js', code);
`;
    writeFileSync(join(dir, 'compile.cjs'), compile);
    run(dir, 'node compile.cjs');
    expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain('otel-context-transformer/runtime');
    expect(traceProblems(runApp(dir, 'dist/main.js'), EXPECTED)).toEqual([]);
  });

  it('Node load hook (node --import otel-context-transformer/register app.ts, Node 24)', () => {
    expect(existsSync(NODE24), 'tools/node24 is missing: node scripts/ensure-node24.mjs').toBe(true);
    const dir = project('register', 'module');
    cpSync(join(dir, 'src/main.ts'), join(dir, 'app.ts'));
    expect(traceProblems(spansOf(run(dir, loadHookLine, { node: NODE24 })), EXPECTED)).toEqual([]);
    // The control: the same file on Node 24 without the hook.
    expect(traceProblems(spansOf(run(dir, 'node app.ts', { node: NODE24 })), EXPECTED)).not.toEqual([]);
  });
});
