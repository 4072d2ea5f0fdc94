/**
 * Boundaries recognised by what they are (issue 10, items 3 and 4), where the scenario list
 * (test/scenarios: timers-aliases, declared-library-*) cannot show it because only some backends can:
 * the tsconfig plugin's type checker follows a boundary through another file (an exported alias, a
 * re-exported class), a subclass and a typed receiver; the `boundaries` option declares a library of
 * the user's own. Each program runs on the real OTel SDK (runner.mjs: CompiledContextManager,
 * InMemorySpanExporter), with and without the transform, and is broken without it.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer from '../dist/esm/index.js';
import { transform, type ApiOptions } from '../dist/esm/api.js';
import babelPlugin from '../dist/esm/babel.js';
import { runCompiled, TMP_DIR, traceProblems, type ScenarioResult } from './harness/run.js';
import { scenario as pQueueScenario } from './scenarios/declared-library-p-queue.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;
const babel = require('@babel/core') as typeof import('@babel/core');
const ROOT = join(TMP_DIR, 'declared-boundaries');

/** A dependency of the user's own that runs submitted jobs later, from its own timer (uncompiled, as node_modules is). */
const JOB_POOL = {
  'package.json': JSON.stringify({ name: 'job-pool', version: '1.0.0', type: 'module', main: 'index.js', types: 'index.d.ts' }),
  'index.js': `export class Pool {
  constructor() { this.jobs = []; }
  submit(job) { this.jobs.push(job); if (this.jobs.length === 1) setTimeout(() => { for (const j of this.jobs.splice(0)) j(); }, 2); }
}
`,
  'index.d.ts': 'export declare class Pool { submit(job: () => void): void; }\n',
};
const JOB_POOL_BOUNDARY = [{ module: 'job-pool', call: 'Pool.prototype.submit', callbackArg: 0 }];

/** A scenario module: two submissions from two spans, each task must run under its own. */
function twoTasks(imports: string, setup: string, submit: (task: string) => string): string {
  return `import { trace } from '@opentelemetry/api';
${imports}
const tracer = trace.getTracer('declared');
${setup}
export const scenario = {
  run: async () => {
    const tasks: unknown[] = [];
    tracer.startActiveSpan('first', (span) => {
      tasks.push(${submit(`async () => { await new Promise<void>((r) => (globalThis as any).harness.uncompiledSetTimeout(r, 5)); tracer.startSpan('first-task').end(); }`)});
      span.end();
    });
    tracer.startActiveSpan('second', (span) => {
      tasks.push(${submit(`() => { tracer.startSpan('second-task').end(); }`)});
      span.end();
    });
    await Promise.all(tasks);
    await new Promise<void>((r) => (globalThis as any).harness.uncompiledSetTimeout(r, 10));
  },
};
`;
}
const TWO_TASKS = { first: null, second: null, 'first-task': 'first', 'second-task': 'second' };

interface Case {
  files: Record<string, string>;
  expect: Record<string, string | null>;
  options?: ApiOptions;
}

const CASES: Record<string, Case> = {
  'an alias exported by another file, called where no scheduler is named': {
    files: {
      'util.ts': 'export const later = queueMicrotask;\nexport const { setTimeout: wait } = globalThis;\n',
      'main.ts': `import { trace } from '@opentelemetry/api';
import { later, wait } from './util.js';
const tracer = trace.getTracer('declared');
function soon(cb: () => void) { later(cb); }
function afterTwo(cb: () => void) { wait(cb, 2); }
export const scenario = {
  run: () => new Promise<void>((done) => {
    tracer.startActiveSpan('page', (span) => {
      soon(() => tracer.startSpan('via-later').end());
      afterTwo(() => { tracer.startSpan('via-wait').end(); span.end(); done(); });
    });
  }),
};
`,
    },
    expect: { page: null, 'via-later': 'page', 'via-wait': 'page' },
  },
  // Not in the scenario list: bundlers refuse bottleneck's optional Redis code (a direct eval).
  'bottleneck (the shipped set), CommonJS': {
    files: {
      'main.ts': twoTasks(
        "import Bottleneck from 'bottleneck';",
        'const limiter = new Bottleneck({ maxConcurrent: 1 });',
        (t) => `limiter.schedule(${t})`,
      ),
    },
    expect: TWO_TASKS,
  },
  // Loaded lazily: the binding's origin is the awaited import() (no static import names the module).
  'p-limit loaded by await import()': {
    files: {
      'main.ts': twoTasks('', "const { default: pLimit } = await import('p-limit');\nconst limit = pLimit(1);", (t) => `limit(${t})`),
    },
    expect: TWO_TASKS,
  },
  // Not in the scenario list: the React Native bundle cannot hold node-cron (it needs Node's built-ins).
  'node-cron (the shipped set): each tick in the context of the schedule call': {
    files: {
      'main.ts': `import { trace } from '@opentelemetry/api';
import cron from 'node-cron';
const tracer = trace.getTracer('declared');
export const scenario = {
  run: () => new Promise<void>((done) => {
    tracer.startActiveSpan('scheduled', (span) => {
      const task = cron.schedule('* * * * * *', () => { void task.stop(); tracer.startSpan('tick').end(); done(); });
      span.end();
    });
  }),
};
`,
    },
    expect: { scheduled: null, tick: 'scheduled' },
  },
  'p-queue re-exported under another name': {
    files: {
      'queues.ts': "export { default as Queue } from 'p-queue';\n",
      'main.ts': twoTasks("import { Queue } from './queues.js';", 'const queue = new Queue({ concurrency: 1 });', (t) => `queue.add(${t})`),
    },
    expect: TWO_TASKS,
  },
  'a subclass of p-queue': {
    files: {
      'main.ts': twoTasks(
        "import PQueue from 'p-queue';",
        'class TracedQueue extends PQueue {}\nconst queue = new TracedQueue({ concurrency: 1 });',
        (t) => `queue.add(${t})`,
      ),
    },
    expect: TWO_TASKS,
  },
  'a receiver typed as p-queue': {
    files: {
      'main.ts': twoTasks(
        "import PQueue from 'p-queue';",
        'const queue = new PQueue({ concurrency: 1 });\nfunction submit(q: PQueue, task: () => unknown) { return q.add(task); }',
        (t) => `submit(queue, ${t})`,
      ),
    },
    expect: TWO_TASKS,
  },
  'a library of the user\'s own, declared in "boundaries"': {
    files: {
      'main.ts': twoTasks(
        "import { Pool } from 'job-pool';",
        'const pool = new Pool();',
        (t) => `new Promise<void>((done) => pool.submit(() => { Promise.resolve((${t})()).then(() => done()); }))`,
      ),
    },
    expect: TWO_TASKS,
    options: { boundaries: JOB_POOL_BOUNDARY },
  },
};

/** The tsconfig plugin on a whole Program (with the checker), or transform() then a plain transpile (no checker). */
function compile(name: string, which: 'checker' | 'text', transformOn: boolean, options: ApiOptions = {}): string {
  const dir = join(ROOT, slug(name), which, transformOn ? 'on' : 'off');
  const src = join(dir, 'src');
  const out = join(dir, 'out');
  mkdirSync(src, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const files = CASES[name]!.files;
  for (const [file, text] of Object.entries(files)) writeFileSync(join(src, file), text);
  const compilerOptions: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    esModuleInterop: true,
    skipLibCheck: true,
    strict: false,
    outDir: out,
  };
  const problems: string[] = [];
  if (which === 'checker') {
    const program = ts.createProgram(
      Object.keys(files).map((f) => join(src, f)),
      compilerOptions,
    );
    const addDiagnostic = (d: TS.Diagnostic) => problems.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    const before = transformOn ? [otelContextTransformer(program, options, { ts, addDiagnostic })] : [];
    program.emit(undefined, undefined, undefined, false, { before });
  } else {
    for (const [file, text] of Object.entries(files)) {
      const filename = join(src, file);
      const onDiagnostic = (d: { message: string }) => problems.push(d.message);
      const rewritten = transformOn ? (transform(text, { ...options, filename, onDiagnostic })?.code ?? text) : text;
      const js = ts.transpileModule(rewritten, { fileName: filename, compilerOptions }).outputText;
      writeFileSync(join(out, file.replace(/\.ts$/, '.js')), js);
    }
  }
  expect(problems).toEqual([]);
  // The runner names results by file: one per case.
  const named = join(out, `${slug(name)}.js`);
  writeFileSync(named, `export { scenario } from './main.js';\n`);
  return named;
}

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
}

function run(file: string): ScenarioResult {
  const results = runCompiled([file]);
  const result = [...results.values()][0];
  expect(result, file).toBeDefined();
  expect(result!.error).toBeUndefined();
  return result!;
}

beforeAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
  const pool = join(ROOT, 'node_modules', 'job-pool');
  mkdirSync(pool, { recursive: true });
  for (const [file, text] of Object.entries(JOB_POOL)) writeFileSync(join(pool, file), text);
  // The outputs' package.json (type: module) ends the package scope in which the runtime's self-reference resolves.
  symlinkSync(join(import.meta.dirname, '..'), join(ROOT, 'node_modules', 'otel-context-transformer'), 'dir');
});

describe('with the type checker (tsconfig plugin)', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: each task runs in the context it was submitted in, and not without the transform`, () => {
      const withTransform = run(compile(name, 'checker', true, c.options));
      expect(traceProblems(withTransform.spans, c.expect)).toEqual([]);
      expect(withTransform.leaks).toEqual([]);
      const without = run(compile(name, 'checker', false));
      expect(traceProblems(without.spans, c.expect)).not.toEqual([]);
    });
  }
});

describe('without a checker (text transform: bundlers, Babel, CLI, load hook)', () => {
  it.each([
    'bottleneck (the shipped set), CommonJS',
    'node-cron (the shipped set): each tick in the context of the schedule call',
    'p-limit loaded by await import()',
  ])('%s: fixed', (name) => {
    expect(traceProblems(run(compile(name, 'text', true)).spans, CASES[name]!.expect)).toEqual([]);
    expect(traceProblems(run(compile(name, 'text', false)).spans, CASES[name]!.expect)).not.toEqual([]);
  });

  it('a library of the user\'s own, declared in "boundaries": fixed', () => {
    const name = 'a library of the user\'s own, declared in "boundaries"';
    const c = CASES[name]!;
    expect(traceProblems(run(compile(name, 'text', true, c.options)).spans, c.expect)).toEqual([]);
    expect(traceProblems(run(compile(name, 'text', false)).spans, c.expect)).not.toEqual([]);
    // Undeclared, it stays broken: the option is what fixes it.
    expect(traceProblems(run(compile(name, 'text', true)).spans, c.expect)).not.toEqual([]);
  });

  // What only the checker can follow (README: "What is recognised"): the text transform leaves these as they were.
  it.each([
    'an alias exported by another file, called where no scheduler is named',
    'p-queue re-exported under another name',
    'a subclass of p-queue',
    'a receiver typed as p-queue',
  ])('%s: not recognised without the checker', (name) => {
    expect(traceProblems(run(compile(name, 'text', true)).spans, CASES[name]!.expect)).not.toEqual([]);
  });
});

describe('look-alikes are never rewritten, with or without the checker', () => {
  const source = `import PQueue from 'p-queue';
export function typedParameter(sched: typeof queueMicrotask, cb: () => void) { sched(cb); }
export function shadowed(cb: () => void) { const setTimeout = (f: () => void) => f(); setTimeout(cb); }
let reassignable = queueMicrotask;
export function viaLet(cb: () => void) { reassignable(cb); }
export function reassigned(cb: () => void) { reassignable = (f) => f(); }
class OwnQueue extends PQueue { override add(task: any): any { return super.add(task); } }
export function overridden(q: OwnQueue, cb: () => void) { q.add(cb); }
export function applyWithoutArray(args: [() => void, number]) { setTimeout.apply(globalThis, args); }
`;
  const expectUntouched = (out: string) => {
    expect(out).toMatch(/sched\(cb\)/);
    expect(out).toMatch(/setTimeout\(cb\)/);
    expect(out).toMatch(/reassignable\(cb\)/);
    expect(out).toMatch(/q\.add\(cb\)/);
    expect(out).toMatch(/setTimeout\.apply\(globalThis, args\)/);
  };

  it('the text transform', () => {
    const out = transform(source, { filename: 'look.ts' })?.code ?? source;
    expectUntouched(out);
  });

  it('the tsconfig plugin with the checker', () => {
    const dir = join(ROOT, 'look-alikes');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'look.ts'), source);
    const program = ts.createProgram([join(dir, 'look.ts')], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['node'],
      skipLibCheck: true,
      noEmit: false,
      outDir: join(dir, 'out'),
    });
    let out = '';
    program.emit(undefined, (file, text) => void (file.endsWith('.js') && (out = text)), undefined, false, {
      before: [otelContextTransformer(program, {}, { ts })],
    });
    expectUntouched(out);
    // The subclass's own add is not p-queue's: still not a boundary; super.add inside it is p-queue's.
    expect(out).toContain('super.add(__otelCtx.bindAlways(task))');
  });
});

describe('the boundaries option reaches every backend the same way', () => {
  const source = "import { Pool } from 'job-pool';\nconst pool = new Pool();\nexport function f(cb) { pool.submit(cb); }\n";
  const bound = 'pool.submit(__otelCtx.bindAlways(cb))';

  it('Babel', () => {
    const out = babel.transformSync(source, {
      filename: 'a.js',
      babelrc: false,
      configFile: false,
      plugins: [[babelPlugin, { boundaries: JOB_POOL_BOUNDARY }]],
    })!.code!;
    expect(out).toContain(bound);
    const plain = babel.transformSync(source, { filename: 'a.js', babelrc: false, configFile: false, plugins: [babelPlugin] })!.code!;
    expect(plain).not.toContain('bindAlways');
  });

  it('Babel reports an invalid entry by its index and field', () => {
    expect(() =>
      babel.transformSync(source, {
        filename: 'a.js',
        babelrc: false,
        configFile: false,
        plugins: [[babelPlugin, { boundaries: [{ module: 'job-pool', call: 'Pool.prototype.submit', callbackArg: 'first' }] }]],
      }),
    ).toThrow(/option "boundaries", entry 0: field "callbackArg" must be a non-negative integer/);
  });
});

describe('preset "node" under AsyncLocalStorageContextManager', () => {
  const scenarioFile = join(import.meta.dirname, 'scenarios', 'declared-library-p-queue.ts');
  const EXPECT = pQueueScenario.expect;

  /** transform() with the preset, then a plain transpile, as the api-transform backend does. */
  function build(transformOn: boolean): { file: string; code: string } {
    const dir = join(ROOT, 'preset-node', transformOn ? 'on' : 'off');
    mkdirSync(dir, { recursive: true });
    const source = readFileSync(scenarioFile, 'utf8');
    const problems: string[] = [];
    const rewritten = transformOn
      ? (transform(source, { filename: scenarioFile, preset: 'node', onDiagnostic: (d) => problems.push(d.message) })?.code ?? source)
      : source;
    expect(problems).toEqual([]);
    const code = ts.transpileModule(rewritten, {
      fileName: scenarioFile,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, esModuleInterop: true },
    }).outputText;
    const file = join(dir, 'declared-library-p-queue.mjs');
    writeFileSync(file, code);
    return { file, code };
  }

  it('rewrites only the declared boundary, and ALS carries the rest: each task under its own span', () => {
    const { file, code } = build(true);
    // The awaits and the scheduler-free code are left to AsyncLocalStorage: only the queue's tasks are bound
    // (two by add, two by addAll).
    expect(code.match(/__otelCtx\.\w+/g)).toEqual(Array(4).fill('__otelCtx.bindAlways'));
    const result = [...runCompiled([file], 'als').values()][0]!;
    expect(result.error).toBeUndefined();
    expect(traceProblems(result.spans, EXPECT)).toEqual([]);
    expect(result.leaks).toEqual([]);
  });

  it("without the transform AsyncLocalStorage runs the later tasks in the first task's context", () => {
    const result = [...runCompiled([build(false).file], 'als').values()][0]!;
    expect(result.error).toBeUndefined();
    expect(traceProblems(result.spans, EXPECT)).toEqual([
      '"second-task" should be a child of "second"',
      '"third-task-a" should be a child of "third"',
      '"third-task-b" should be a child of "third"',
    ]);
  });
});
