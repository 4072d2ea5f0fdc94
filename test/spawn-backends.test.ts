/**
 * Threads and processes (issue 9), compile-time half: test/carriers/spawning.ts spawns real worker
 * threads and child processes from inside a span with baggage, written as anyone writes it. Compiled
 * by each backend where child_process and worker_threads exist (the tsconfig plugin with and without
 * the type checker, transform(), a bundler, Babel, the load hook, the CLI) and run on the real SDK
 * (test/carriers/run-compiled.mjs), every worker and child joins the spawning trace: worker threads
 * under CompiledContextManager and AsyncLocalStorageContextManager, Node children under either, and
 * a shell script that prints $TRACEPARENT. Compiled without the transform, each starts a trace of its
 * own. (test/carriers.test.ts covers the runtime helpers by themselves.)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { transform } from '../dist/esm/api.js';
import { BACKENDS, type Backend } from './harness/backends.js';
import { TMP_DIR } from './harness/run.js';

const SOURCE = resolve('test/carriers/spawning.ts');
const RUNNER = resolve('test/carriers/run-compiled.mjs');

/** Where the boundary exists: Node (not Hermes or React Native's presets). */
const NAMES = [
  'tsc5-esm',
  'tsc5-cjs',
  'tsc5-transpile',
  'api-transform-esm',
  'api-transform-cjs',
  'bundler-esbuild-cjs',
  'bundler-vite-esm',
  'babel-env-node6-cjs',
  'loader-import-esm',
  'loader-require-cjs',
  'cli-tsc5-esm',
  'cli-tsc5-cjs',
];
/** The untransformed build of one ES module and one CommonJS backend (the plain output differs only in format). */
const BROKEN = ['tsc5-esm', 'api-transform-cjs'];

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
type Reported = Record<string, any> & { spans?: Span[] };
interface Run {
  spans: Span[];
  results: Record<string, Reported>;
  userObjects: Record<string, any>;
}

const THREADS = ['thread', 'threadSharedEnv', 'threadNoOptions', 'threadSpread', 'threadLazy', 'threadAls'];
const NODE_CHILDREN = ['spawn', 'fork', 'forkAls', 'execFileSync'];
const SHELL_CHILDREN = ['exec', 'execFile', 'spawnSync', 'execSync'];

function backend(name: string): Backend {
  const found = BACKENDS.find((b) => b.name === name);
  if (!found) throw new Error(`no backend ${name}`);
  return found;
}

function run(output: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE', 'OTEL_TEST_MANAGER']) delete env[name];
  return new Promise((done, fail) =>
    execFile(process.execPath, [RUNNER, output], { encoding: 'utf8', env, timeout: 90_000 }, (error, stdout, stderr) =>
      error ? fail(new Error(`${output}: ${stderr || error.message}`)) : done(JSON.parse(stdout) as Run),
    ),
  );
}

async function compileAndRun(name: string, transform: boolean): Promise<Run> {
  const out = join(TMP_DIR, 'spawn', name, transform ? 'transformed' : 'plain');
  const [output] = backend(name).compile([SOURCE], out, transform);
  return run(output!);
}

for (const name of NAMES) {
  describe(`backend ${name}`, () => {
    let fixed: Run;
    let broken: Run | undefined;
    beforeAll(async () => {
      [fixed, broken] = await Promise.all([compileAndRun(name, true), BROKEN.includes(name) ? compileAndRun(name, false) : undefined]);
    }, 180_000);

    it('worker threads (CompiledContextManager, AsyncLocalStorageContextManager) and Node children join the spawning trace', () => {
      const parent = fixed.spans.find((s) => s.name === 'parent')!;
      for (const worker of [...THREADS, ...NODE_CHILDREN]) {
        const reported = fixed.results[worker]!;
        const als = worker === 'threadAls' || worker === 'forkAls';
        expect(reported.manager, worker).toBe(als ? 'AsyncLocalStorageContextManager' : 'CompiledContextManager');
        expect(reported.spans!.length, worker).toBe(THREADS.includes(worker) ? 3 : 2);
        for (const span of reported.spans!) {
          expect([span.traceId, span.parentSpanId], `${worker}: ${span.name}`).toEqual([parent.traceId, parent.spanId]);
        }
        expect(reported.baggage, worker).toEqual({ 'user.id': 'u-42' });
      }
    });

    it('a program that is not Node sees the variables; user options stay as written', () => {
      const parent = fixed.spans.find((s) => s.name === 'parent')!;
      for (const shell of SHELL_CHILDREN) {
        expect(fixed.results[shell], shell).toEqual({
          TRACEPARENT: `00-${parent.traceId}-${parent.spanId}-01`,
          TRACESTATE: '',
          BAGGAGE: 'user.id=u-42',
          USER_VAR: shell === 'execSync' ? 'kept' : '',
        });
      }
      const thread = fixed.results.thread!;
      expect([thread.workerData, thread.argv, thread.execArgv, thread.env]).toEqual([
        { job: 7, list: [1, 2] },
        ['--flag', 'x'],
        [],
        { USER_VAR: 'from-user' },
      ]);
      expect(fixed.results.threadSharedEnv!.env.SHARED_MARK).toBe('shared-env');
      expect(fixed.results.threadSpread!.workerData).toBe(3);
      expect(fixed.results.fork!.env.USER_VAR).toBe('fork-user');
      expect(fixed.results.fork!.traceparentVariables).toBe(1);
      // The user's objects are never written to.
      expect(fixed.userObjects.thread).toEqual({
        workerData: { job: 7, list: [1, 2] },
        argv: ['--flag', 'x'],
        env: { USER_VAR: 'from-user' },
      });
      expect(fixed.userObjects.fork.env.TRACEPARENT).toBeUndefined();
      expect(fixed.userObjects.execSync.env.TRACEPARENT).toBe('00-11111111111111111111111111111111-2222222222222222-01');
    });

    if (BROKEN.includes(name)) {
      it('without the transform every worker and child starts a trace of its own', () => {
        const parent = broken!.spans.find((s) => s.name === 'parent')!;
        for (const worker of [...THREADS, ...NODE_CHILDREN]) {
          const reported = broken!.results[worker]!;
          expect(reported.spans!.length, worker).toBeGreaterThan(1);
          for (const span of reported.spans!) {
            expect(span.traceId, `${worker}: ${span.name}`).not.toBe(parent.traceId);
            expect(span.parentSpanId, `${worker}: ${span.name}`).toBeUndefined();
          }
        }
        for (const shell of SHELL_CHILDREN) expect(broken!.results[shell]!.TRACEPARENT, shell).not.toContain(parent.traceId);
        expect(broken!.results.exec!.TRACEPARENT).toBe('');
      });
    }
  });
}

describe('spawn sites and the options', () => {
  const source = [
    "import { spawn } from 'node:child_process';",
    "import { Worker } from 'node:worker_threads';",
    "spawn('ls', ['-l']);",
    "new Worker('./w.js');",
    "new globalThis.Worker(new URL('./w.js', import.meta.url), { type: 'module' });",
  ].join('\n');
  const output = (options: Parameters<typeof transform>[1]) => transform(source, options)?.code ?? source;

  it('skip: threads leaves both Workers alone, skip: processes the child processes', () => {
    const threads = output({ filename: 'a.ts', skip: ['threads'] });
    expect(threads).toContain("spawn('ls', ['-l'], __otelCtx.spawnOptions())");
    expect(threads).toContain("new Worker('./w.js');");
    expect(threads).toContain("{ type: 'module' });");
    const processes = output({ filename: 'a.ts', skip: ['processes'] });
    expect(processes).toContain("spawn('ls', ['-l']);");
    expect(processes).toContain("new Worker('./w.js', __otelCtx.workerOptions());");
    expect(processes).toContain("{ type: 'module', name: __otelCtx.webWorkerName() });");
  });

  it('// otel-context-ignore leaves a spawn site as written', () => {
    const marked = "// otel-context-ignore\nconst w = new Worker(new URL('./w.js', import.meta.url));\nspawn('ls');\n";
    const out = transform(`import { spawn } from 'node:child_process';\n${marked}`, { filename: 'a.mjs' })!.code;
    expect(out).toContain("const w = new Worker(new URL('./w.js', import.meta.url));");
    expect(out).toContain("spawn('ls', __otelCtx.spawnOptions());");
  });

  it('helpers: "global" leaves spawn sites alone (its prelude has no carrier helpers)', () => {
    expect(output({ filename: 'a.ts', helpers: 'global' })).toBe(source);
  });
});

describe('spawn sites in output of the transform that a bundler renamed', () => {
  it('is recognised by its carrier helper and left as it is (the CLI over a bundle of a compiled page)', () => {
    const bundled = [
      'import{webWorkerName as a,spawnOptions as s}from"otel-context-transformer/runtime";',
      'import{spawn as p}from"node:child_process";',
      'new Worker(new URL("./w.js",import.meta.url),{name:a()});p("ls",[],s());',
    ].join('');
    const found: Array<{ kind: string; rewritten: boolean }> = [];
    const result = transform(bundled, { filename: 'bundle.js', onBoundary: (b) => found.push(b) });
    expect(result).toBeUndefined();
    expect(found.map((b) => [b.kind, b.rewritten])).toEqual([
      ['new Worker', true],
      ['spawn', true],
    ]);
  });
});

describe('spawn sites rewritten in a .ts file type-check as the original did (a type-checking loader after a bundler plugin)', () => {
  const browserSource = [
    'export function start(name: string, options: WorkerOptions) {',
    "  const a = new Worker(new URL('./w.js', import.meta.url));",
    "  const b = new Worker(new URL('./w.js', import.meta.url), { type: 'module', name });",
    "  const c = new Worker(new URL('./w.js', import.meta.url), options);",
    '  return [a, b, c];',
    '}',
  ].join('\n');
  const cases = [
    { name: 'spawning.ts', source: readFileSync(SOURCE, 'utf8'), resolution: ts.ModuleResolutionKind.NodeNext, lib: 'lib.es2022.d.ts' },
    { name: 'page.ts', source: browserSource, resolution: ts.ModuleResolutionKind.Bundler, lib: 'lib.dom.d.ts' },
  ];

  it.each(cases)('$name', ({ name, source, resolution, lib }) => {
    const dir = join(TMP_DIR, 'spawn-types', name.replace(/\.ts$/, ''));
    mkdirSync(dir, { recursive: true });
    const rewritten = transform(source, { filename: join(dir, name) })!.code;
    expect(rewritten).toContain('__otelCtx.');
    const diagnostics = (text: string, file: string) => {
      writeFileSync(join(dir, file), text);
      const program = ts.createProgram([join(dir, file)], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: resolution === ts.ModuleResolutionKind.NodeNext ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
        moduleResolution: resolution,
        lib: ['lib.es2022.d.ts', lib],
        types: ['node'],
        skipLibCheck: true,
      });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    // The original checks clean; so must what we made of it.
    expect(diagnostics(source, name)).toEqual([]);
    expect(diagnostics(rewritten, `rewritten-${name}`)).toEqual([]);
  });
});
