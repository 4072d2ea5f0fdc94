/**
 * Debug mode (issue 10, item 6): built with `debug: true`, every crossing is logged through OTel's diag
 * with its site (file:line:col of the original source, relative to the working directory) and the trace
 * and span ids it runs in and found; crossings with no span are summed up at exit. The scenario
 * (test/debug-mode/scenario.ts) carries the context across a setTimeout and loses it through an
 * uncompiled queue; the log shows the first compiled boundaries that ran without it.
 * Through the tsconfig plugin (whole program, type checker), the text transform, Babel, the vite and
 * esbuild plugins, the load hook, the CLI after a plain compiler (sites through its source maps), the
 * `helpers: "global"` preludes, a browser bundle in Chromium; at run time with OTEL_LOG_LEVEL=debug on a
 * build without sites; and every conformance scenario built with `debug: true`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, sep } from 'node:path';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer from '../dist/esm/index.js';
import { transform } from '../dist/esm/api.js';
import { OptionsError, resolveOptions } from '../dist/esm/options.js';
import { writeOutputs } from './harness/backends.js';
import { launchChromium } from './harness/chromium.mjs';
import { BUNDLER_FORMATS, bundleSync } from './harness/bundler-backends.js';
import { runCli } from './harness/cli-backends.js';
import { blocks } from './harness/readme.js';
import { expectConformant } from './harness/expect-scenario.js';
import { runCompiled, scenarioFiles, TMP_DIR, type ScenarioResult } from './harness/run.js';
import type { Scenario } from './harness/scenario.js';

const require = createRequire(import.meta.url);
const HERE = join(import.meta.dirname, 'debug-mode');
const SOURCE = join(HERE, 'scenario.ts');
const RUNNER = join(HERE, 'runner.mjs');
/** What sites call the file: relative to the working directory (vitest runs in the repository root). */
const FILE = 'test/debug-mode/scenario.ts';
const SETTIMEOUT = `${FILE}:12:7`;
const THEN = `${FILE}:14:44`;
const AWAIT = `${FILE}:21:3`;

interface Ids {
  traceId: string;
  spanId: string;
}
interface Logged {
  level: string;
  message: string;
  args: unknown[];
}
interface Run {
  spans: Array<Ids & { name: string; parentSpanId?: string }>;
  crossings: Logged[];
  atExit: Logged[];
  /** What debugSummary() returned after the scenario (it logs too: not among `crossings`). */
  summary: unknown;
}

type Compile = (source: string, outDir: string, debug: boolean) => string;

const compileTsc: Compile = (source, outDir, debug) => {
  const ts = require('typescript') as typeof TS;
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    skipLibCheck: true,
  };
  const program = ts.createProgram([source], options);
  let text = '';
  const diagnostics: TS.Diagnostic[] = [];
  const plugin = otelContextTransformer(program, { debug }, { ts, addDiagnostic: (d: TS.Diagnostic) => diagnostics.push(d) });
  program.emit(undefined, (_, t) => (text = t), undefined, false, { before: [plugin] });
  expect(diagnostics).toEqual([]);
  return write(outDir, text);
};

const compileText: Compile = (source, outDir, debug) => {
  const ts = require('typescript') as typeof TS;
  const result = transform(readFileSync(source, 'utf8'), { filename: source, debug, onDiagnostic: (d) => expect.fail(d.message) });
  const js = ts.transpileModule(result!.code, {
    fileName: source,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  return write(outDir, js);
};

const compileBabel: Compile = (source, outDir, debug) => {
  const babel = require('@babel/core') as typeof import('@babel/core');
  const result = babel.transformSync(readFileSync(source, 'utf8'), {
    filename: source,
    babelrc: false,
    configFile: false,
    sourceType: 'module',
    plugins: [[require.resolve('otel-context-transformer/babel'), { debug }]],
    presets: [require.resolve('@babel/preset-typescript')],
  });
  return write(outDir, result!.code!);
};

function write(outDir: string, code: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'scenario.mjs');
  writeFileSync(file, code);
  return file;
}

function run(file: string, env: Record<string, string> = {}, args: string[] = []): Run {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('OTEL_LOG_LEVEL' in env)) delete environment.OTEL_LOG_LEVEL;
  const stdout = execFileSync(process.execPath, [...args, RUNNER, file], { encoding: 'utf8', env: environment, timeout: 60_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('@@DEBUG '));
  expect(line, stdout).toBeDefined();
  return JSON.parse(line!.slice('@@DEBUG '.length)) as Run;
}

const CROSSING =
  /^otel-context-transformer: (callback|continuation|re-entry) at (.+) runs in (?:no span \(context already lost before this boundary\)|trace (\w{32}) span (\w{16})); before entering: (?:no span|trace (\w{32}) span (\w{16}))$/;
/** The crossings logged, in order, read back from each diag.debug message. */
const records = (r: Run) =>
  r.crossings.map((l) => {
    const m = CROSSING.exec(l.message);
    expect(m, l.message).not.toBeNull();
    const [, crossing, site, traceId, spanId, beforeTrace, beforeSpan] = m!;
    return {
      site,
      crossing,
      ...(traceId ? { runsIn: { traceId, spanId } } : {}),
      ...(beforeTrace ? { before: { traceId: beforeTrace, spanId: beforeSpan } } : {}),
    };
  });

function expectDebugLog(r: Run, sites: { setTimeout: string; then: string; await: string }): void {
  const request = r.spans.find((s) => s.name === 'request')!;
  const carried = r.spans.find((s) => s.name === 'carried')!;
  const lost = r.spans.find((s) => s.name === 'lost')!;
  // The trace as it is: carried across setTimeout, lost through the uncompiled queue.
  expect(carried.parentSpanId).toBe(request.spanId);
  expect(lost.parentSpanId).toBeUndefined();
  const runsIn = { traceId: request.traceId, spanId: request.spanId };
  expect(records(r)).toEqual([
    { site: sites.setTimeout, crossing: 'callback', runsIn },
    { site: sites.await, crossing: 'continuation' },
    { site: sites.then, crossing: 'callback' },
  ]);
  expect(r.crossings.every((l) => l.level === 'debug')).toBe(true);
  expect(r.crossings[0]!.message).toBe(
    `otel-context-transformer: callback at ${sites.setTimeout} runs in trace ${request.traceId} span ${request.spanId}; before entering: no span`,
  );
  expect(r.crossings[1]!.message).toBe(
    `otel-context-transformer: continuation at ${sites.await} runs in no span (context already lost before this boundary); before entering: no span`,
  );
  // The summary, logged once as the process exits: the first compiled boundaries after the loss.
  expect(r.atExit).toHaveLength(1);
  expect(r.atExit[0]!.message).toBe(
    `otel-context-transformer: boundaries crossed with no span (the context was lost before them):\n` +
      `  ${sites.await} continuation ×1\n  ${sites.then} callback ×1`,
  );
  expect(r.summary).toEqual([
    { site: sites.await, crossing: 'continuation', count: 1 },
    { site: sites.then, crossing: 'callback', count: 1 },
  ]);
}

const SITES = { setTimeout: SETTIMEOUT, then: THEN, await: AWAIT };
const BACKENDS: Array<[string, Compile]> = [
  ['tsconfig plugin', compileTsc],
  ['text transform', compileText],
  ['babel', compileBabel],
];

describe('debug mode', () => {
  for (const [name, compile] of BACKENDS) {
    it(`${name}: debug: true logs each crossing with its site and ids, and the summary at exit`, () => {
      const file = compile(SOURCE, join(TMP_DIR, 'debug-mode', name.replace(/\W+/g, '-')), true);
      expect(readFileSync(file, 'utf8')).toContain('"otel-context-transformer/runtime/debug"');
      expectDebugLog(run(file), SITES);
    });
  }

  for (const bundler of ['vite', 'esbuild'] as const) {
    it(`${bundler} plugin: the debug option reaches the transform`, () => {
      const outDir = join(TMP_DIR, 'debug-mode', bundler);
      const spec = { bundler, entries: { scenario: SOURCE }, outDir, format: BUNDLER_FORMATS[bundler], plugin: { debug: true } };
      const [file] = bundleSync(spec);
      expect(readFileSync(file!, 'utf8')).toContain('test/debug-mode/scenario.ts:12:7');
      expectDebugLog(run(file!), SITES);
    });
  }

  it('load hook: the debug option from the environment reaches the transform', () => {
    const outDir = join(TMP_DIR, 'debug-mode', 'loader');
    mkdirSync(outDir, { recursive: true });
    // Node 20 cannot load TypeScript: the hook rewrites the scenario stripped of its types as Node loads it.
    const ts = require('typescript') as typeof TS;
    const stripped = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    const impl = join(outDir, 'scenario-impl.mjs');
    writeFileSync(impl, stripped);
    const entry = join(outDir, 'scenario.mjs');
    writeFileSync(entry, `export { scenario } from './scenario-impl.mjs';\n`);
    const file = relative(process.cwd(), impl).split(sep).join('/');
    // Where each boundary is in the file the hook saw, found by its text.
    const at = (token: string, offset = 0) => {
      const lines = stripped.split('\n');
      const line = lines.findIndex((l) => l.includes(token));
      expect(line, token).toBeGreaterThanOrEqual(0);
      return `${file}:${line + 1}:${lines[line]!.indexOf(token) + 1 + offset}`;
    };
    const options = { debug: true, include: [file] };
    const r = run(entry, { OTEL_CONTEXT_TRANSFORMER_OPTIONS: JSON.stringify(options) }, ['--import', 'otel-context-transformer/register']);
    expectDebugLog(r, { setTimeout: at('setTimeout('), then: at('.then', 1), await: at('await null') });
  });

  it('CLI after a plain compiler: --debug names the original TypeScript source through the source maps', () => {
    const outDir = join(TMP_DIR, 'debug-mode', 'cli');
    rmSync(outDir, { recursive: true, force: true });
    const ts = require('typescript') as typeof TS;
    const options: TS.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      sourceMap: true,
      outDir,
      rootDir: HERE,
    };
    ts.createProgram([SOURCE], options).emit();
    // ES module output (the package is "type": "module"), with scenario.js.map beside it.
    const file = join(outDir, 'scenario.js');
    runCli(['apply', file, '--debug', '--quiet']);
    expect(readFileSync(file, 'utf8')).toContain('"otel-context-transformer/runtime/debug"');
    expectDebugLog(run(file), SITES);
  });

  it('helpers: "global": the debug prelude logs the sites; the plain prelude ignores them', () => {
    const ts = require('typescript') as typeof TS;
    const code = transform(readFileSync(SOURCE, 'utf8'), { filename: SOURCE, debug: true, helpers: 'global' })!.code;
    expect(code).not.toContain('otel-context-transformer/runtime');
    const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const file = write(join(TMP_DIR, 'debug-mode', 'global'), js);
    expectDebugLog(run(file, { HELPERS_PRELUDE: join(process.cwd(), 'dist/global-debug.iife.js') }), SITES);
    const plainPrelude = run(file, { HELPERS_PRELUDE: join(process.cwd(), 'dist/global.iife.js') });
    expect(plainPrelude.crossings).toEqual([]);
    const request = plainPrelude.spans.find((s) => s.name === 'request')!;
    expect(plainPrelude.spans.find((s) => s.name === 'carried')!.parentSpanId).toBe(request.spanId);
  });

  it('a diag logger that is compiled code itself does not log its own crossings (nor loop on them)', () => {
    const ts = require('typescript') as typeof TS;
    const outDir = join(TMP_DIR, 'debug-mode', 'async-logger');
    const file = compileText(SOURCE, outDir, true);
    const loggerSource = join(HERE, 'async-logger.ts');
    const logger = transform(readFileSync(loggerSource, 'utf8'), { filename: loggerSource, debug: true })!.code;
    expect(logger).toContain('async-logger.ts:');
    const loggerFile = join(outDir, 'async-logger.mjs');
    writeFileSync(
      loggerFile,
      ts.transpileModule(logger, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText,
    );
    const r = run(file, { ASYNC_LOGGER: loggerFile });
    expectDebugLog(r, SITES);
    // The logger wrote every line, later, in its own jobs: the crossings, then the summary asked for on demand.
    const written = (r as Run & { written: string[] }).written.filter((m) => m.startsWith('otel-context-transformer:'));
    expect(written.slice(0, 3)).toEqual(r.crossings.map((l) => l.message));
    expect(written).toHaveLength(4);
    expect(written[3]).toMatch(/^otel-context-transformer: boundaries crossed with no span/);
  });

  it('in Chromium: a debug build bundled for the browser logs the same sites', async () => {
    const outDir = join(TMP_DIR, 'debug-mode', 'chromium');
    const scenario = compileText(SOURCE, outDir, true);
    const entry = join(outDir, 'entry.mjs');
    writeFileSync(
      entry,
      [
        `import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';`,
        `import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';`,
        `import { CompiledContextManager } from 'otel-context-transformer/runtime';`,
        `import { debugSummary } from 'otel-context-transformer/runtime/debug';`,
        `import { scenario } from './scenario.mjs';`,
        `const exporter = new InMemorySpanExporter();`,
        `trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));`,
        `context.setGlobalContextManager(new CompiledContextManager().enable());`,
        `const messages = [];`,
        `const take = (m) => { if (String(m).startsWith('otel-context-transformer:')) messages.push({ level: 'debug', message: m, args: [] }); };`,
        `diag.setLogger({ error: take, warn: take, info: take, debug: take, verbose: take }, DiagLogLevel.DEBUG);`,
        `globalThis.uncompiledQueue = { later: (cb) => setTimeout(() => cb(), 1) };`,
        `window.run = async () => {`,
        `  await scenario();`,
        `  const crossings = messages.splice(0);`,
        `  const summary = debugSummary();`,
        `  const spans = exporter.getFinishedSpans().map((s) => ({ name: s.name, traceId: s.spanContext().traceId,`,
        `    spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId }));`,
        `  return { spans, crossings, atExit: messages, summary };`,
        `};`,
      ].join('\n'),
    );
    expect(readFileSync(scenario, 'utf8')).toContain('"otel-context-transformer/runtime/debug"');
    const { build } = await import('esbuild');
    const bundled = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    // The browser entries: no Node carrier code, no process-exit hook to rely on.
    const inputs = Object.keys(bundled.metafile!.inputs);
    expect(inputs.some((i) => i.endsWith('dist/esm/runtime/debug.js'))).toBe(true);
    expect(inputs.filter((i) => /runtime\/(debug-node|node|carrier-node)\.js$/.test(i))).toEqual([]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><title>debug mode</title>');
      await page.addScriptTag({ content: bundled.outputFiles[0]!.text });
      const r = (await page.evaluate('window.run()')) as Run;
      // No exit in a page: the summary is what debugSummary() logged, asked for on demand.
      expectDebugLog(r, SITES);
    } finally {
      await browser.close();
    }
  });

  it('OTEL_LOG_LEVEL=debug at run time logs the crossings of a build without sites', () => {
    const file = compileText(SOURCE, join(TMP_DIR, 'debug-mode', 'no-sites'), false);
    expect(readFileSync(file, 'utf8')).toContain('"otel-context-transformer/runtime"');
    const unknown = '(unknown site)';
    const r = run(file, { OTEL_LOG_LEVEL: 'debug' });
    expectDebugLog(r, { setTimeout: unknown, then: unknown, await: unknown });
  });

  it('is silent when off: no debug build, no OTEL_LOG_LEVEL', () => {
    const file = compileText(SOURCE, join(TMP_DIR, 'debug-mode', 'off'), false);
    const r = run(file);
    expect(r.crossings).toEqual([]);
    expect(r.atExit).toEqual([]);
    expect(r.summary).toEqual([]);
    // The same trace: debug mode changes nothing but the log.
    const request = r.spans.find((s) => s.name === 'request')!;
    expect(r.spans.find((s) => s.name === 'carried')!.parentSpanId).toBe(request.spanId);
    expect(r.spans.find((s) => s.name === 'lost')!.parentSpanId).toBeUndefined();
  });

  it('off, the Node runtime hands compiled code the very helpers of the default runtime (ES module and CommonJS)', () => {
    const probe = (env: Record<string, string>) => {
      const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
      if (!('OTEL_LOG_LEVEL' in env)) delete environment.OTEL_LOG_LEVEL;
      const script = [
        `import * as esm from 'otel-context-transformer/runtime';`,
        `import * as slot from ${JSON.stringify(join(process.cwd(), 'dist/esm/runtime/slot.js'))};`,
        `import { createRequire } from 'node:module';`,
        `const require = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))});`,
        `const cjs = require('otel-context-transformer/runtime');`,
        `const cjsSlot = require(${JSON.stringify(join(process.cwd(), 'dist/cjs/runtime/slot.js'))});`,
        `const names = ['bind', 'frame', 'genFrame', 'resume', 'reenter'];`,
        `console.log(JSON.stringify(names.map((n) => [n, esm[n] === slot[n], cjs[n] === cjsSlot[n]])));`,
      ].join('\n');
      return JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: environment, cwd: process.cwd() }),
      );
    };
    const names = ['bind', 'frame', 'genFrame', 'resume', 'reenter'];
    expect(probe({})).toEqual(names.map((n) => [n, true, true]));
    expect(probe({ OTEL_LOG_LEVEL: 'debug' })).toEqual(names.map((n) => [n, false, false]));
  });

  it('both backends emit the same sites', () => {
    const source = readFileSync(SOURCE, 'utf8');
    const sites = (code: string) => [...code.matchAll(/"(test\/debug-mode\/scenario\.ts:\d+:\d+)"/g)].map((m) => m[1]);
    const ts = require('typescript') as typeof TS;
    const plugin = otelContextTransformer(undefined, { debug: true }, { ts, addDiagnostic: () => {} });
    const fromTs = ts.transpileModule(source, {
      fileName: SOURCE,
      compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext },
      transformers: { before: [plugin] },
    }).outputText;
    const fromText = transform(source, { filename: SOURCE, debug: true })!.code;
    expect(sites(fromText)).toEqual([THEN, SETTIMEOUT, `${FILE}:20:38`, AWAIT]);
    expect(sites(fromTs)).toEqual(sites(fromText));
  });

  it("the README's example prints what the README shows (ids aside)", () => {
    const [example, output] = blocks('Debug mode').filter((b) => b.lang === 'ts' || b.lang === '');
    expect(example?.lang).toBe('ts');
    const project = join(TMP_DIR, 'debug-mode', 'readme');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src/handler.ts'), example!.code);
    // The queue the example names, not compiled: it calls back from a timer of its own.
    writeFileSync(join(project, 'uncompiled-queue.mjs'), 'export const later = (cb) => setTimeout(() => cb(), 1);\n');
    // Sites are relative to the working directory: the build runs in the example's project.
    const build = [
      `const { transform } = await import(${JSON.stringify(join(process.cwd(), 'dist/esm/api.js'))});`,
      `const ts = (await import('typescript')).default;`,
      `const { readFileSync, writeFileSync } = await import('node:fs');`,
      `const code = transform(readFileSync('src/handler.ts', 'utf8'), { filename: 'src/handler.ts', debug: true }).code;`,
      `const js = ts.transpileModule(code, { compilerOptions: { target: 9, module: 99 } }).outputText;`,
      `writeFileSync('handler.mjs', js.replace('./uncompiled-queue.js', './uncompiled-queue.mjs'));`,
    ].join('\n');
    execFileSync(process.execPath, ['--input-type=module', '-e', build], { cwd: project });
    const app = [
      `import { context, diag, DiagConsoleLogger, DiagLogLevel, trace } from '@opentelemetry/api';`,
      `import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';`,
      `import { CompiledContextManager } from 'otel-context-transformer/runtime';`,
      `trace.setGlobalTracerProvider(new BasicTracerProvider());`,
      `context.setGlobalContextManager(new CompiledContextManager().enable());`,
      `diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);`,
      `const { handle } = await import('./handler.mjs');`,
      `await new Promise((done) => handle(done));`,
    ].join('\n');
    writeFileSync(join(project, 'app.mjs'), app);
    const environment = { ...process.env };
    delete environment.OTEL_LOG_LEVEL;
    const printed = execFileSync(process.execPath, [join(project, 'app.mjs')], { encoding: 'utf8', env: environment });
    const ids = (text: string) => text.replace(/trace \w{32} span \w{16}/g, 'trace <id> span <id>').trimEnd();
    expect(ids(printed)).toBe(ids(output!.code));
  });

  it('the option is validated', () => {
    expect(resolveOptions({ debug: true }).runtimeModule).toBe('otel-context-transformer/runtime/debug');
    expect(resolveOptions({ debug: true, runtimeModule: './my-runtime.js' }).runtimeModule).toBe('./my-runtime.js');
    expect(resolveOptions({}).runtimeModule).toBe('otel-context-transformer/runtime');
    expect(() => resolveOptions({ debug: 'yes' })).toThrow(OptionsError);
    expect(() => resolveOptions({ debug: 'yes' })).toThrow('option "debug" must be true or false, got "yes"');
  });
});

/**
 * Built with `debug: true`, every conformance scenario behaves as without it: the same trace trees, no
 * leaks, the same events (values, errors, order) as the untransformed program, in ES modules and in
 * CommonJS (the debug runtime's two builds), with a diag logger at DEBUG taking every message.
 */
const allScenarios = await Promise.all(
  scenarioFiles().map(async (file) => ({ name: basename(file, '.ts'), file, scenario: (await import(file)).scenario as Scenario })),
);
describe('every conformance scenario built with debug: true', () => {
  for (const format of ['esm', 'cjs'] as const) {
    describe(format, () => {
      const scenarios = allScenarios.filter((s) => !(s.scenario.esmOnly && format === 'cjs'));
      let debugRun: Map<string, ScenarioResult>;
      let plainRun: Map<string, ScenarioResult>;
      const compile = (outDir: string, debug: boolean | undefined) => {
        const ts = require('typescript') as typeof TS;
        return writeOutputs(
          scenarios.map((s) => s.file),
          outDir,
          format,
          (file) => {
            const source = readFileSync(file, 'utf8');
            // The scenario's own options (listeners: "registration"), debug on top.
            const options = scenarios.find((s) => s.file === file)?.scenario.options;
            const code = debug === undefined ? source : (transform(source, { ...options, filename: file, debug })?.code ?? source);
            const module = format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
            return ts.transpileModule(code, {
              fileName: file,
              compilerOptions: { target: ts.ScriptTarget.ES2022, module, esModuleInterop: true },
            }).outputText;
          },
        );
      };
      beforeAll(() => {
        debugRun = runCompiled(
          compile(join(TMP_DIR, 'debug-mode', `conformance-${format}`), true),
          'compiled',
          join(HERE, 'conformance-runner.mjs'),
        );
        plainRun = runCompiled(compile(join(TMP_DIR, 'debug-mode', `conformance-plain-${format}`), undefined));
      }, 300_000);
      for (const { name, scenario } of scenarios) {
        it(name, () => expectConformant(name, scenario, debugRun.get(name), plainRun.get(name)));
      }
    });
  }
});
