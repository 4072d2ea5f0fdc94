/**
 * Threads and processes (issue 9), runtime half: test/carriers/parent.mjs is
 * written as the transform will emit it (`new Worker(file,
 * __otelCtx.workerOptions(options))`, `spawn(cmd, args,
 * __otelCtx.spawnOptions(options))`, `exec(...__otelCtx.spawnArgs([...]))`) and
 * spawns REAL worker threads and child processes from inside a span, with
 * baggage: Node children and workers using our runtime (CompiledContextManager,
 * or AsyncLocalStorageContextManager set up with --import), and a shell script
 * that prints $TRACEPARENT. `parent.mjs broken` runs the same code with the
 * helpers as identity functions (what the untransformed build runs): every
 * worker and child starts a trace of its own.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { beforeAll, describe, expect, it } from 'vitest';

const PARENT = path.resolve('test/carriers/parent.mjs');
const OUTER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** Node 24 (tools/node24): AsyncLocalStorage on AsyncContextFrame. */
const NODE24 = path.resolve('tools/node24/node_modules/node24/bin/node');

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
interface Reported {
  manager: string;
  spans: Span[];
  baggage: Record<string, string>;
  env: Record<string, string | undefined>;
  workerData?: unknown;
  argv?: string[];
  execArgv?: string[];
  traceparentVariables?: number;
}
interface Run {
  spans: Span[];
  results: Record<string, Reported & Record<string, string>>;
  userObjects: Record<string, { env?: Record<string, string> } & Record<string, unknown>>;
  rootOptionsUnchanged: boolean;
  parentEnvTraceparent: string | null;
}

function runParent(mode: 'fixed' | 'broken', env: Record<string, string> = {}, node = process.execPath): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE', 'OTEL_TEST_MANAGER']) if (!(name in env)) delete childEnv[name];
  const options: ExecFileSyncOptions = { encoding: 'utf8', env: childEnv, timeout: 90_000, stdio: ['ignore', 'pipe', 'inherit'] };
  return JSON.parse(execFileSync(node, [PARENT, mode], options) as string) as Run;
}

const THREADS = ['thread', 'threadSharedEnv', 'threadNoOptions', 'threadAls'];
const NODE_CHILDREN = ['spawn', 'fork', 'forkAls', 'execFileSync'];
const SHELL_CHILDREN = ['exec', 'execFile', 'spawnSync', 'execSync'];

describe('threads and processes: W3C carriers through the runtime helpers', () => {
  let fixed: Run;
  let broken: Run;
  let outer: Run;
  beforeAll(() => {
    fixed = runParent('fixed');
    broken = runParent('broken');
    outer = runParent('fixed', { TRACEPARENT: OUTER });
  });

  it('worker threads: top level, after top-level await and parentPort handlers are children of the spawning span', () => {
    const parent = fixed.spans.find((s) => s.name === 'parent')!;
    for (const name of THREADS) {
      const worker = fixed.results[name]!;
      expect(worker.manager, name).toBe(name === 'threadAls' ? 'AsyncLocalStorageContextManager' : 'CompiledContextManager');
      expect(
        worker.spans.map((s) => s.name),
        name,
      ).toEqual(['worker top level', 'worker after top-level await', 'worker message handler']);
      for (const span of worker.spans) {
        expect(span.traceId, `${name}: ${span.name}`).toBe(parent.traceId);
        expect(span.parentSpanId, `${name}: ${span.name}`).toBe(parent.spanId);
      }
      expect(worker.baggage, name).toEqual({ 'user.id': 'u-42' });
    }
  });

  it('worker threads: workerData, argv, env and execArgv are as written; SHARE_ENV still shares', () => {
    const thread = fixed.results.thread!;
    expect(thread.workerData).toEqual({ job: 7, list: [1, 2] });
    expect(thread.argv).toEqual(['--flag', 'x']);
    expect(thread.execArgv).toEqual([]);
    // The carrier rides in worker_threads environment data, not in the worker's environment.
    expect(thread.env).toEqual({ USER_VAR: 'from-user' });
    expect(fixed.results.threadSharedEnv!.env.SHARED_MARK).toBe('shared-env');
    expect(fixed.results.threadAls!.execArgv).toEqual(['--import', path.resolve('test/carriers/otel.mjs')]);
    const asWritten = { workerData: { job: 7, list: [1, 2] }, argv: ['--flag', 'x'], env: { USER_VAR: 'from-user' } };
    expect(fixed.userObjects.thread).toEqual(asWritten);
  });

  it('Node children adopt TRACEPARENT and BAGGAGE as their root, under either context manager', () => {
    const parent = fixed.spans.find((s) => s.name === 'parent')!;
    const traceparent = `00-${parent.traceId}-${parent.spanId}-01`;
    for (const name of NODE_CHILDREN) {
      const child = fixed.results[name]!;
      expect(child.manager, name).toBe(name === 'forkAls' ? 'AsyncLocalStorageContextManager' : 'CompiledContextManager');
      expect(child.env.TRACEPARENT, name).toBe(traceparent);
      expect(child.env.BAGGAGE, name).toBe('user.id=u-42');
      expect(child.traceparentVariables, name).toBe(1);
      expect(child.baggage, name).toEqual({ 'user.id': 'u-42' });
      expect(
        child.spans.map((s) => s.name),
        name,
      ).toEqual(['child top level', 'child after top-level await']);
      for (const span of child.spans) {
        expect(span.traceId, `${name}: ${span.name}`).toBe(parent.traceId);
        expect(span.parentSpanId, `${name}: ${span.name}`).toBe(parent.spanId);
      }
    }
    // The user's own env option is kept (and copied, never mutated).
    expect(fixed.results.fork!.env.USER_VAR).toBe('fork-user');
    expect(fixed.results.execFileSync!.env.USER_VAR).toBe('sync-user');
    expect(fixed.userObjects.fork!.env!.TRACEPARENT).toBeUndefined();
    expect(fixed.userObjects.execFileSync!.env!.TRACEPARENT).toBeUndefined();
  });

  it('any other program just sees the variables (a shell script printing $TRACEPARENT)', () => {
    const parent = fixed.spans.find((s) => s.name === 'parent')!;
    for (const name of SHELL_CHILDREN) {
      expect(fixed.results[name], name).toEqual({
        TRACEPARENT: `00-${parent.traceId}-${parent.spanId}-01`,
        TRACESTATE: '',
        BAGGAGE: 'user.id=u-42',
        USER_VAR: name === 'execSync' ? 'kept' : '',
      });
    }
    // A stale TRACEPARENT in the user's env option was replaced in the child's copy, and left in the user's object.
    expect(fixed.userObjects.execSync!.env!.TRACEPARENT).toBe('00-11111111111111111111111111111111-2222222222222222-01');
  });

  it('outside any span nothing is carried: the child and the worker start their own traces', () => {
    expect(fixed.rootOptionsUnchanged).toBe(true);
    const child = fixed.results.rootSpawn!;
    expect(child.env.TRACEPARENT).toBeUndefined();
    expect(child.spans.every((s) => s.parentSpanId === undefined)).toBe(true);
    expect(fixed.results.rootThread!.spans.every((s) => s.parentSpanId === undefined)).toBe(true);
    // The environment data entry was deleted at the end of the spawning job.
    expect(fixed.results.laterUncompiledThread!.spans.every((s) => s.parentSpanId === undefined)).toBe(true);
  });

  it('without the helpers (the untransformed build) every worker and child is a trace of its own', () => {
    const parent = broken.spans.find((s) => s.name === 'parent')!;
    for (const name of [...THREADS, ...NODE_CHILDREN]) {
      const reported = broken.results[name]!;
      expect(reported.spans.length, name).toBeGreaterThan(0);
      for (const span of reported.spans) {
        expect(span.traceId, `${name}: ${span.name}`).not.toBe(parent.traceId);
        expect(span.parentSpanId, `${name}: ${span.name}`).toBeUndefined();
      }
      expect(reported.baggage, name).toEqual({});
    }
    for (const name of SHELL_CHILDREN) expect(broken.results[name]!.TRACEPARENT, name).not.toContain(parent.traceId);
  });

  it('Node 24 (AsyncLocalStorage on AsyncContextFrame): threads and Node children join the spawning trace', () => {
    expect(existsSync(NODE24), `${NODE24} is missing: npm install runs tools/node24's install (prepare)`).toBe(true);
    const run = runParent('fixed', {}, NODE24);
    const parent = run.spans.find((s) => s.name === 'parent')!;
    for (const name of [...THREADS, ...NODE_CHILDREN]) {
      const reported = run.results[name]!;
      expect(reported.spans.length, name).toBeGreaterThan(1);
      for (const span of reported.spans) {
        expect([span.traceId, span.parentSpanId], `${name}: ${span.name}`).toEqual([parent.traceId, parent.spanId]);
      }
    }
    expect(run.results.threadAls!.manager).toBe('AsyncLocalStorageContextManager');
  });

  it("a process spawned with TRACEPARENT takes it as its root and hands its own span's down, replacing it", () => {
    const parent = outer.spans.find((s) => s.name === 'parent')!;
    expect(outer.parentEnvTraceparent).toBe(OUTER);
    expect(parent.traceId).toBe(OUTER.split('-')[1]);
    expect(parent.parentSpanId).toBe(OUTER.split('-')[2]);
    for (const name of ['spawn', 'execFileSync']) {
      expect(outer.results[name]!.env.TRACEPARENT, name).toBe(`00-${parent.traceId}-${parent.spanId}-01`);
      expect(outer.results[name]!.traceparentVariables, name).toBe(1);
    }
    // Outside any span the root is the carried context: the child inherits the very same variable.
    expect(outer.rootOptionsUnchanged).toBe(true);
    expect(outer.results.rootSpawn!.env.TRACEPARENT).toBe(OUTER);
    for (const span of outer.results.rootSpawn!.spans) expect(span.parentSpanId).toBe(OUTER.split('-')[2]);
    for (const span of outer.results.rootThread!.spans) expect(span.parentSpanId).toBe(OUTER.split('-')[2]);
  });
});

describe('spawnArgs: the carrying options land where child_process looks for them', () => {
  let runtime: typeof import('../dist/esm/runtime/node.js');
  const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
  const inSpan = <T>(fn: () => T): T => context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), fn);
  const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  beforeAll(async () => {
    runtime = await import('../dist/esm/runtime/node.js');
    context.setGlobalContextManager(new runtime.CompiledContextManager().enable());
    const propagators = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
    propagation.setGlobalPropagator(new CompositePropagator({ propagators }));
  });

  const cb = () => {};
  const args = ['a'];
  const shapes: [string, unknown[], boolean, boolean, number][] = [
    // name, arguments, withArgv, withCallback, where the options end up
    ['spawn(cmd)', ['cmd'], true, false, 1],
    ['spawn(cmd, args)', ['cmd', args], true, false, 2],
    ['spawn(cmd, options)', ['cmd', { cwd: '/' }], true, false, 1],
    ['spawn(cmd, null, options)', ['cmd', null, { cwd: '/' }], true, false, 2],
    ['spawn(cmd, args, options)', ['cmd', args, { cwd: '/' }], true, false, 2],
    ['exec(cmd)', ['cmd'], false, true, 1],
    ['exec(cmd, callback)', ['cmd', cb], false, true, 1],
    ['exec(cmd, options, callback)', ['cmd', { cwd: '/' }, cb], false, true, 1],
    ['exec(cmd, null, callback)', ['cmd', null, cb], false, true, 1],
    ['execFile(file, callback)', ['f', cb], true, true, 1],
    ['execFile(file, args, callback)', ['f', args, cb], true, true, 2],
    ['execFile(file, args, options, callback)', ['f', args, { cwd: '/' }, cb], true, true, 2],
    ['execSync(cmd, options)', ['cmd', { cwd: '/' }], false, false, 1],
  ];
  for (const [name, input, withArgv, withCallback, at] of shapes) {
    it(name, () => {
      const copy = [...input];
      const out = inSpan(() => runtime.spawnArgs(input, withArgv, withCallback));
      expect(input).toEqual(copy);
      const options = out[at] as { env: Record<string, string>; cwd?: string };
      expect(options.env.TRACEPARENT).toBe(TRACEPARENT);
      const given = input[at];
      if (given && typeof given === 'object' && !Array.isArray(given)) expect(options.cwd).toBe('/');
      // Everything else is where it was: the options took the place of the given ones (or of null), or were inserted.
      const replaced = at < input.length && typeof input[at] !== 'function';
      expect(out.filter((_, i) => i !== at)).toEqual(input.filter((_, i) => !(replaced && i === at)));
    });
  }

  it('shapes child_process rejects stay as they are (Node raises its own error)', () => {
    for (const input of [
      ['cmd', 'not-args'],
      ['cmd', args, 42],
      ['cmd', args, [1]],
    ]) {
      expect(inSpan(() => runtime.spawnArgs(input, true, false))).toBe(input);
    }
    // fork and spawn take no callback: a function there is left for Node to reject.
    const withFunction = ['m', cb];
    expect(inSpan(() => runtime.spawnArgs(withFunction, true, false))).toBe(withFunction);
  });

  it('outside any span the arguments are returned as they are', () => {
    const input = ['cmd', args, { cwd: '/' }];
    expect(runtime.spawnArgs(input, true, false)).toBe(input);
    const options = { cwd: '/' };
    expect(runtime.spawnOptions(options)).toBe(options);
    expect(runtime.webWorkerOptions(options)).toBe(options);
  });

  it('spawnOptions keeps own properties and the prototype, and copies inherited env variables', () => {
    const base = { inheritedOption: 1 };
    const options = Object.assign(Object.create(base), { cwd: '/', env: Object.assign(Object.create({ FROM_PROTO: 'p' }), { OWN: 'o' }) });
    const out = inSpan(() => runtime.spawnOptions(options)) as typeof options;
    expect(out).not.toBe(options);
    expect(Object.getPrototypeOf(out)).toBe(base);
    expect(out.inheritedOption).toBe(1);
    expect({ ...out.env }).toEqual({ FROM_PROTO: 'p', OWN: 'o', TRACEPARENT });
    expect(options.env.TRACEPARENT).toBeUndefined();
  });

  it("the app's own propagator: its field travels as the normalised variable and the child reads it back", async () => {
    const { appPropagator } = await import('./carriers/custom-propagator.mjs');
    propagation.disable();
    propagation.setGlobalPropagator(appPropagator);
    const appValue = `${spanContext.traceId}:${spanContext.spanId}`;
    try {
      const options = inSpan(() => runtime.spawnOptions({ encoding: 'utf8' as const }));
      expect((options as { env: Record<string, string> }).env.X_APP_TRACE_ID).toBe(appValue);
      const out = JSON.parse(execFileSync(process.execPath, [path.resolve('test/carriers/custom-child.mjs')], options) as string);
      expect(out).toEqual({ traceId: spanContext.traceId, parentSpanId: spanContext.spanId, env: appValue });
    } finally {
      propagation.disable();
      const propagators = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
      propagation.setGlobalPropagator(new CompositePropagator({ propagators }));
    }
  });

  it('a propagator that throws: the spawn goes ahead as written, carrying nothing', () => {
    const throwing = {
      fields: () => ['x'],
      inject: () => {
        throw new Error('inject');
      },
      extract: () => {
        throw new Error('extract');
      },
    };
    propagation.disable();
    propagation.setGlobalPropagator(throwing);
    try {
      const options = { cwd: '/' };
      expect(inSpan(() => runtime.spawnOptions(options))).toBe(options);
      expect(inSpan(() => runtime.webWorkerOptions(options))).toBe(options);
    } finally {
      propagation.disable();
      const propagators = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
      propagation.setGlobalPropagator(new CompositePropagator({ propagators }));
    }
  });

  it('envName normalises propagation fields as the environment-variable carrier spec says', async () => {
    const { envName } = await import('../dist/esm/runtime/carrier-node.js');
    expect(['traceparent', 'x-b3-traceid', 'uber-trace-id', '1abc', '', 'ÿé'].map(envName)).toEqual([
      'TRACEPARENT',
      'X_B3_TRACEID',
      'UBER_TRACE_ID',
      '_1ABC',
      '_',
      '__',
    ]);
  });
});
