/**
 * Messages, opt-in (`messages: true`, issue 9), in Node with REAL worker threads:
 * test/messages/main.mts spawns a worker and posts to it from inside spans,
 * the worker answers from spans of its own; pool-main.mts submits tasks to a
 * real Piscina and Tinypool. Each is compiled by the TypeScript plugin (whole
 * program, type checker on), the text transform, the Babel plugin, the CLI and the Node
 * load hook (OTEL_CONTEXT_TRANSFORMER_OPTIONS, in every worker too), and run
 * (the TypeScript plugin's output on Node 20 and on Node 24);
 * "untransformed" is the same source with types stripped and nothing else: every
 * handler and task then starts a trace of its own, so each assertion on a parent
 * span fails without the transform. Workers we did not compile (plain-worker.mjs,
 * and plain-main.mjs spawning a compiled worker) see exactly what was posted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer from '../dist/esm/index.js';
import { transform } from '../dist/esm/api.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;
const SRC = path.resolve('test/messages');
const OUT = path.resolve('test/.tmp/messages');
const FILES = [
  'main.mts',
  'worker.mts',
  'pool-main.mts',
  'pool-task.mts',
  'workerpool-main.mts',
  'workerpool-worker.mts',
  'broadcast-main.mts',
  'broadcast-worker.mts',
];
/** What every backend compiles with (the CLI as flags, the load hook in its environment variable). */
const OPTIONS = { messages: true, broadcastChannels: ['otel-test-sync'] };
const COMPILER_OPTIONS = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext };

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
interface MainRun {
  spans: Span[];
  workerSpans: Span[];
  seen: { compiled: any[]; plain: any[] };
  detached: number;
  fromGrandchild: unknown;
}
interface WorkerpoolRun {
  spans: Span[];
  taskSpans: Span[];
  results: unknown[];
  plain: unknown[];
}
interface BroadcastRun {
  spans: Span[];
  workerSpans: Span[];
  replies: unknown[];
  plainGot: unknown;
}
interface PoolRun {
  spans: Span[];
  taskSpans: Span[];
  results: unknown[];
}

function stripTypes(source: string, fileName: string): string {
  return ts.transpileModule(source, { fileName, compilerOptions: COMPILER_OPTIONS }).outputText;
}

type Compile = (files: string[]) => Map<string, string>;
const BACKENDS: Record<string, Compile> = {
  tsc(files) {
    const program = ts.createProgram(files, {
      ...COMPILER_OPTIONS,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['node'],
      skipLibCheck: true,
      noEmitOnError: false,
      outDir: path.join(OUT, 'tsc-out'),
    });
    const problems: TS.Diagnostic[] = [];
    const before = [otelContextTransformer(program, OPTIONS, { ts, addDiagnostic: (d: TS.Diagnostic) => problems.push(d) })];
    const out = new Map<string, string>();
    program.emit(undefined, (name, text) => out.set(path.basename(name), text), undefined, false, { before });
    expect(problems).toEqual([]);
    return out;
  },
  text(files) {
    return new Map(
      files.map((file) => {
        const source = readFileSync(file, 'utf8');
        const problems: string[] = [];
        const code = transform(source, { filename: file, ...OPTIONS, onDiagnostic: (d) => problems.push(d.message) })?.code;
        expect(problems).toEqual([]);
        return [path.basename(file).replace(/\.mts$/, '.mjs'), stripTypes(code ?? source, file)];
      }),
    );
  },
  babel(files) {
    const babel = require('@babel/core') as typeof import('@babel/core');
    return new Map(
      files.map((file) => {
        const result = babel.transformSync(readFileSync(file, 'utf8'), {
          filename: file,
          babelrc: false,
          configFile: false,
          plugins: [[require.resolve('otel-context-transformer/babel'), OPTIONS]],
          presets: [require.resolve('@babel/preset-typescript')],
        });
        return [path.basename(file).replace(/\.mts$/, '.mjs'), result!.code!];
      }),
    );
  },
  untransformed(files) {
    return new Map(files.map((file) => [path.basename(file).replace(/\.mts$/, '.mjs'), stripTypes(readFileSync(file, 'utf8'), file)]));
  },
  'tsc, on Node 24'(files) {
    return BACKENDS.tsc!(files);
  },
  'tsc, AsyncLocalStorageContextManager'(files) {
    return BACKENDS.tsc!(files);
  },
  // The untransformed files, rewritten in place by `otel-context-transformer apply --messages --broadcast-channels …` (see compileAll).
  cli(files) {
    return BACKENDS.untransformed!(files);
  },
  // The untransformed files, rewritten as Node loads them (here and in every worker: --import is in execArgv).
  'load hook'(files) {
    return BACKENDS.untransformed!(files);
  },
};
/** How each backend's output runs: the load hook compiles at load time (never the plain-*.mjs ends). */
const RUNS: Record<string, { node?: string; args?: string[]; env?: Record<string, string> }> = {
  // Node 24 (tools/node24, installed by npm test): its MessagePort internals, and require() of ES modules in the pools.
  'tsc, on Node 24': { node: path.resolve('tools/node24/node_modules/node24/bin/node') },
  // Every thread's SDK with AsyncLocalStorageContextManager (test/carriers/otel.mjs reads OTEL_TEST_MANAGER).
  'tsc, AsyncLocalStorageContextManager': { env: { OTEL_TEST_MANAGER: 'als' } },
  'load hook': {
    args: ['--import', pathToFileURL(path.resolve('dist/esm/register.js')).href],
    env: { OTEL_CONTEXT_TRANSFORMER_OPTIONS: JSON.stringify({ ...OPTIONS, exclude: ['**/node_modules/**', '**/plain-*.mjs'] }) },
  },
};

function compileAll(backend: string): string {
  const dir = path.join(OUT, backend);
  mkdirSync(dir, { recursive: true });
  const out = BACKENDS[backend]!(FILES.map((f) => path.join(SRC, f)));
  for (const [name, text] of out) writeFileSync(path.join(dir, name), text);
  if (backend === 'cli')
    execFileSync(process.execPath, [
      path.resolve('bin/otel-context-transformer.mjs'),
      'apply',
      '--messages',
      '--broadcast-channels',
      'otel-test-sync',
      '--quiet',
      dir,
    ]);
  return dir;
}

function run<T>(backend: string, file: string, ...args: string[]): T {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE', 'OTEL_TEST_MANAGER']) delete env[name];
  Object.assign(env, RUNS[backend]?.env);
  const nodeArgs = RUNS[backend]?.args ?? [];
  const node = RUNS[backend]?.node ?? process.execPath;
  expect(existsSync(node), `${node} is missing: node scripts/ensure-node24.mjs`).toBe(true);
  const stdout = execFileSync(node, [...nodeArgs, file, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return JSON.parse(stdout) as T;
}

const byName = (spans: Span[], name: string): Span => {
  const span = spans.find((s) => s.name === name);
  expect(span, name).toBeDefined();
  return span!;
};

/**
 * Messages 1 and 2, both ways: the worker's `worker handler n` is a child of `send n`, and `main handler n`
 * a child of the worker's `worker reply n` (posted from a later job inside a span of its own); message 0,
 * sent outside any span, starts a trace of its own.
 */
function expectCarriedBothWays(spans: Span[], workerSpans: Span[]): void {
  for (const n of [1, 2]) {
    const sent = byName(spans, `send ${n}`);
    const handler = byName(workerSpans, `worker handler ${n}`);
    expect([handler.traceId, handler.parentSpanId], `worker handler ${n}`).toEqual([sent.traceId, sent.spanId]);
    const reply = byName(workerSpans, `worker reply ${n}`);
    const back = byName(spans, `main handler ${n}`);
    expect([back.traceId, back.parentSpanId], `main handler ${n}`).toEqual([sent.traceId, reply.spanId]);
  }
  expect(byName(workerSpans, 'worker handler 0').parentSpanId).toBeUndefined();
}

/** Tasks 1 and 2 (a span, and one after an await) are children of `submit n`; task 0 is a root. */
function expectTasksUnder(spans: Span[], taskSpans: Span[]): void {
  for (const n of [1, 2]) {
    const submit = byName(spans, `submit ${n}`);
    for (const name of [`task ${n}`, `task ${n} after await`]) {
      const task = byName(taskSpans, name);
      expect([task.traceId, task.parentSpanId], name).toEqual([submit.traceId, submit.spanId]);
    }
  }
  expect(byName(taskSpans, 'task 0').parentSpanId).toBeUndefined();
}

describe.each(['tsc', 'tsc, on Node 24', 'tsc, AsyncLocalStorageContextManager', 'text', 'babel', 'cli', 'load hook'])(
  'messages through %s',
  (backend) => {
    let dir: string;
    let main: MainRun;
    beforeAll(() => {
      dir = compileAll(backend);
      main = run<MainRun>(backend, path.join(dir, 'main.mjs'));
    });

    it('worker_threads: a message handler runs in the sender’s context, both ways', () => {
      expectCarriedBothWays(main.spans, main.workerSpans);
      for (const n of [1, 2]) {
        expect(byName(main.workerSpans, `worker reply ${n}`).parentSpanId).toBe(byName(main.workerSpans, `worker handler ${n}`).spanId);
      }
      // Sent outside any span: nothing carried, the handler starts its own trace.
      expect(byName(main.workerSpans, 'worker handler 0').parentSpanId).toBeUndefined();
    });

    it('worker_threads: listeners get the data as posted (transfers too) and never see the handshake', () => {
      expect(main.seen.compiled.slice(0, 3)).toEqual([
        { n: 0, got: { n: 0 } },
        { n: 1, got: { n: 1, bytes: 8 } },
        { n: 2, got: { n: 2 } },
      ]);
      expect(main.seen.compiled).toHaveLength(4); // and the report
      expect(main.detached).toBe(0);
    });

    it('a worker we did not compile receives exactly what was posted', () => {
      expect(main.seen.plain).toEqual([
        { value: { n: 10 }, viaEvent: { n: 10 }, count: 1 },
        { value: { n: 11, list: [1, 2] }, viaEvent: { n: 11, list: [1, 2] }, count: 2 },
        { value: 'text', viaEvent: 'text', count: 3 },
      ]);
    });

    it('a worker we did not compile, spawning a compiled one, receives exactly what that one posts', () => {
      expect(main.fromGrandchild).toEqual({ n: 9, got: { n: 9 } });
    });

    it('a spawner we did not compile receives exactly what the compiled worker posts', () => {
      const got = run<unknown[]>(backend, path.resolve(SRC, 'plain-main.mjs'), pathToFileURL(path.join(dir, 'worker.mjs')).href);
      expect(got).toEqual([{ n: 5, got: { n: 5 } }]);
    });

    it.each(['piscina', 'tinypool'])('%s: a task runs in the context of its run() call', (pool) => {
      const result = run<PoolRun>(backend, path.join(dir, 'pool-main.mjs'), pool);
      expect(result.results).toEqual([
        { how: 'default', got: { n: 0 } },
        { how: 'default', got: { n: 1 } },
        { how: 'named', got: { n: 2, bytes: [1, 2, 3] } },
        ...(pool === 'piscina' ? [{ how: 'default', moved: [7, 8] }, { senderLength: 0 }] : []),
      ]);
      expectTasksUnder(result.spans, result.taskSpans);
    });

    it('BroadcastChannel: a declared channel carries both ways; an undeclared one is left as written', () => {
      const result = run<BroadcastRun>(backend, path.join(dir, 'broadcast-main.mjs'));
      expect(result.replies).toEqual([
        { n: 0, got: { n: 0 }, channel: 'declared' },
        { n: 1, got: { n: 1 }, channel: 'declared' },
        { n: 2, got: { n: 2 }, channel: 'declared' },
        { n: 5, got: { n: 5 }, channel: 'undeclared' },
      ]);
      expectCarriedBothWays(result.spans, result.workerSpans);
      // Undeclared: nothing carried, and a worker we did not compile gets the message as posted.
      expect(byName(result.workerSpans, 'worker handler 5').parentSpanId).toBeUndefined();
      expect(result.plainGot).toEqual({ data: { n: 5 }, type: 'message' });
    });

    it('workerpool: exec and proxy tasks run in the context of their call; uncompiled workers get the arguments as submitted', () => {
      const result = run<WorkerpoolRun>(backend, path.join(dir, 'workerpool-main.mjs'));
      expect(result.results).toEqual([{ got: 0, args: 1 }, { got: 1, args: 1 }, { got: 2, args: 1 }, 42, 42]);
      expectTasksUnder(result.spans, result.taskSpans);
      const asSubmitted = [
        { args: [1, { a: [2] }], length: 2 },
        { args: [], length: 0 },
        { args: [], length: 0 },
      ];
      expect(result.plain).toEqual([...asSubmitted, ...asSubmitted]);
    });
  },
);

describe('messages untransformed (what the assertions above fail on)', () => {
  it('every handler and task starts a trace of its own', () => {
    const dir = compileAll('untransformed');
    const main = run<MainRun>('untransformed', path.join(dir, 'main.mjs'));
    for (const n of [1, 2]) {
      expect(byName(main.workerSpans, `worker handler ${n}`).parentSpanId).toBeUndefined();
      expect(byName(main.spans, `main handler ${n}`).parentSpanId).toBeUndefined();
    }
    for (const pool of ['piscina', 'tinypool']) {
      const result = run<PoolRun>('untransformed', path.join(dir, 'pool-main.mjs'), pool);
      for (const n of [1, 2]) expect(byName(result.taskSpans, `task ${n}`).parentSpanId, pool).toBeUndefined();
    }
    const broadcast = run<BroadcastRun>('untransformed', path.join(dir, 'broadcast-main.mjs'));
    for (const n of [1, 2]) expect(byName(broadcast.workerSpans, `worker handler ${n}`).parentSpanId, 'broadcast').toBeUndefined();
    const workerpool = run<WorkerpoolRun>('untransformed', path.join(dir, 'workerpool-main.mjs'));
    for (const n of [1, 2]) expect(byName(workerpool.taskSpans, `task ${n}`).parentSpanId, 'workerpool').toBeUndefined();
  });
});

describe('message helpers, toward ends that take no envelopes: exactly what the call would do', () => {
  it('postMessage and messageConstruct pass values, this, errors and new.target through', async () => {
    const helpers = await import('../dist/esm/runtime/messages-node.js');
    const { MessageChannel } = await import('node:worker_threads');
    const { port1, port2 } = new MessageChannel();
    const received = new Promise((resolve) => port2.once('message', resolve));
    const message = { a: [1, { b: 2 }] };
    const other = new MessageChannel();
    const returned = other.port1.postMessage(message);
    other.port1.close();
    expect(helpers.postMessage(port1, message)).toBe(returned);
    expect(await received).toEqual(message);
    // The same error as the call itself throws.
    const direct = (() => {
      try {
        port1.postMessage(() => 1);
      } catch (error) {
        return error as Error;
      }
    })();
    expect(() => helpers.postMessage(port1, () => 1)).toThrow(direct!.constructor as new () => Error);
    expect(() => helpers.postMessage(undefined, 1)).toThrow(TypeError);
    port1.close();
    // A target's own postMessage gets the target as `this` and the arguments as given.
    const target = {
      postMessage(this: unknown, ...args: unknown[]) {
        return { self: this, args };
      },
    };
    expect(helpers.postMessage(target, 1, [2], 3)).toEqual({ self: target, args: [1, [2], 3] });
    // Any other constructor named like a channel's: as `new` would.
    class Worker {
      seen: unknown[];
      target: unknown;
      constructor(...args: unknown[]) {
        this.seen = args;
        this.target = new.target;
      }
    }
    const made = helpers.messageConstruct(Worker, 'a', { b: 1 }) as Worker;
    expect(made).toBeInstanceOf(Worker);
    expect(made.seen).toEqual(['a', { b: 1 }]);
    expect(made.target).toBe(Worker);
    expect(() => helpers.messageConstruct((() => 1) as never)).toThrow(TypeError);
  });

  it('carryingPool, carriedPoolWorker, declaredChannel: the call as written wherever nothing is carried', async () => {
    const helpers = await import('../dist/esm/runtime/messages-node.js');
    const api = await import('@opentelemetry/api');
    // A pool whose exec reports what it was given (`this` included) and throws on what workerpool rejects.
    const calls: unknown[][] = [];
    const rejection = new TypeError('Array expected as argument "params"');
    const made = { kind: 'pool' } as Record<string, any>;
    made.exec = function (this: unknown, method: unknown, params: unknown, ...rest: unknown[]) {
      if (params != null && !Array.isArray(params)) throw rejection;
      calls.push([this, method, params, ...rest]);
      return 'answer';
    };
    const factoryArgs: unknown[] = [];
    const pool = helpers.carryingPool((...args: unknown[]) => (factoryArgs.push(...args), made), 'script.js', { maxWorkers: 1 }) as any;
    expect(pool).toBe(made);
    expect(factoryArgs).toEqual(['script.js', { maxWorkers: 1 }]);
    // Outside any span: the very params array, `this`, every argument and the return value.
    const params = [1, { a: 2 }];
    const options = { on: () => {} };
    expect(pool.exec('task', params, options)).toBe('answer');
    expect(calls.pop()).toEqual([made, 'task', params, options]);
    expect(calls).toEqual([]);
    // Inside a span, with the W3C propagator registered: a copy of the params that also holds the fields.
    api.propagation.setGlobalPropagator(new (await import('@opentelemetry/core')).W3CTraceContextPropagator());
    const spanContext = { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 };
    const active = api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext);
    api.context.setGlobalContextManager(new helpers.CompiledContextManager().enable());
    try {
      api.context.with(active, () => pool.exec('task', params));
      const [, , sent] = calls.pop() as [unknown, unknown, unknown[]];
      expect(sent).not.toBe(params);
      expect([...sent]).toEqual(params); // the same elements: what `apply` passes on
      expect(Object.keys(sent)).toEqual(['0', '1', 'otel-context-transformer.message.v1']);
      expect(params).toEqual([1, { a: 2 }]); // the caller's array untouched
      expect(Object.keys(params)).toEqual(['0', '1']);
      // What workerpool rejects is rejected with its own error; a function goes through as written.
      expect(() => api.context.with(active, () => pool.exec('task', 'not an array'))).toThrow(rejection);
      const fn = () => 1;
      api.context.with(active, () => pool.exec(fn, [1]));
      expect(calls.pop()).toEqual([made, fn, [1]]);
    } finally {
      api.context.disable();
      api.propagation.disable();
    }
    // carriedPoolWorker: the registration's arguments and result, in the main thread (no port to gate).
    const registered: unknown[] = [];
    expect(helpers.carriedPoolWorker((...args: unknown[]) => (registered.push(...args), 'registered'), { task: 1 }, { x: 2 })).toBe(
      'registered',
    );
    expect(registered).toEqual([{ task: 1 }, { x: 2 }]);
    // declaredChannel: an undeclared name, or another constructor of the name, is constructed as `new` would.
    const other = helpers.declaredChannel(['sync'], BroadcastChannel, 'other') as BroadcastChannel;
    expect(other).toBeInstanceOf(BroadcastChannel);
    expect(other.name).toBe('other');
    other.close();
    class BroadcastChannelLike {
      target: unknown;
      constructor(public name: string) {
        this.target = new.target;
      }
    }
    const like = helpers.declaredChannel(['sync'], BroadcastChannelLike, 'sync') as BroadcastChannelLike;
    expect([like.name, like.target]).toEqual(['sync', BroadcastChannelLike]);
  });
});
