/**
 * AsyncContext.Variable / Snapshot (TC39 proposal semantics) on the compiled
 * slot. A separate file from runtime.test.ts on purpose: constructing a
 * Variable turns propagation on for the whole process.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncContext, install, Snapshot, Variable } from '../src/runtime/async-context.js';
import * as __otelCtx from '../src/runtime/index.js';
import { CompiledContextManager } from '../src/runtime/index.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AsyncContext.Variable', () => {
  it('get() returns the default value outside any run, or undefined without one', () => {
    const withDefault = new Variable({ defaultValue: 'dflt' });
    const without = new Variable<string>();
    expect(withDefault.get()).toBe('dflt');
    expect(without.get()).toBeUndefined();
  });

  it('run() passes args, returns the value, calls fn with undefined this, and nests', () => {
    const v = new Variable<number>({ defaultValue: 0 });
    const other = new Variable<string>();
    const seen: unknown[] = [];
    const result = v.run(
      1,
      function (this: unknown, a: string, b: string) {
        seen.push(this, a, b, v.get());
        other.run('x', () => {
          v.run(2, () => seen.push(v.get(), other.get()));
          seen.push(v.get(), other.get());
        });
        seen.push(other.get());
        return 'result';
      },
      'a',
      'b',
    );
    expect(result).toBe('result');
    expect(seen).toEqual([undefined, 'a', 'b', 1, 2, 'x', 1, 'x', undefined]);
    expect(v.get()).toBe(0);
  });

  it('run() restores the previous value when fn throws, with the same error object', () => {
    const v = new Variable({ defaultValue: 'outer' });
    const error = new Error('boom');
    v.run('one', () => {
      let caught: unknown;
      try {
        v.run('two', () => {
          throw error;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(error);
      expect(v.get()).toBe('one');
    });
    expect(v.get()).toBe('outer');
    // A non-callable fn throws a TypeError and restores too.
    expect(() => v.run('x', 5 as unknown as () => void)).toThrow(TypeError);
    expect(v.get()).toBe('outer');
  });

  it('run(undefined) makes get() return undefined, not the default value', () => {
    const v = new Variable({ defaultValue: 'dflt' });
    expect(v.run(undefined as unknown as string, () => v.get())).toBeUndefined();
    expect(v.run('set', () => v.run(undefined as unknown as string, () => v.get()))).toBeUndefined();
    expect(v.get()).toBe('dflt');
  });

  it('name: the given name through ToString, "" when absent, as the proposal', () => {
    expect(new Variable({ name: 'request-id' }).name).toBe('request-id');
    expect(new Variable().name).toBe('');
    expect(new Variable({}).name).toBe('');
    expect(new Variable({ name: 42 as unknown as string }).name).toBe('42');
    // "name" present but undefined is still ToString'd.
    expect(new Variable({ name: undefined }).name).toBe('undefined');
    expect(() => new Variable({ name: Symbol('s') as unknown as string })).toThrow(TypeError);
    // A getter-only accessor on the prototype, not an own property.
    const v = new Variable({ name: 'n' });
    expect(Object.getOwnPropertyNames(v)).toEqual([]);
    expect(() => Object.getOwnPropertyDescriptor(Variable.prototype, 'name')!.get!.call({})).toThrow(TypeError);
  });

  it('options that are not objects are ignored (no TypeError for null)', () => {
    expect(new Variable(null as never).name).toBe('');
    expect(new Variable(null as never).get()).toBeUndefined();
    expect(new Variable('str' as never).name).toBe('');
  });

  it('reads the options once, at construction', () => {
    const options = { name: 'a', defaultValue: 1 };
    const v = new Variable(options);
    options.name = 'b';
    options.defaultValue = 2;
    expect(v.name).toBe('a');
    expect(v.get()).toBe(1);
  });

  it("has the proposal's toStringTags", () => {
    expect(Object.prototype.toString.call(new Variable())).toBe('[object AsyncContext.Variable]');
    expect(Object.prototype.toString.call(new Snapshot())).toBe('[object AsyncContext.Snapshot]');
    expect(Object.prototype.toString.call(AsyncContext)).toBe('[object AsyncContext]');
  });

  it('Variable and Snapshot are built-in constructors on the namespace: writable, configurable, not enumerable', () => {
    expect(Object.keys(AsyncContext)).toEqual([]);
    expect(Object.getOwnPropertyNames(AsyncContext).sort()).toEqual(['Snapshot', 'Variable']);
    for (const key of ['Variable', 'Snapshot'] as const) {
      expect(Object.getOwnPropertyDescriptor(AsyncContext, key)).toEqual({
        value: key === 'Variable' ? Variable : Snapshot,
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    expect(Object.getOwnPropertyDescriptor(AsyncContext, Symbol.toStringTag)).toEqual({
      value: 'AsyncContext',
      writable: false,
      enumerable: false,
      configurable: true,
    });
  });

  it("names and lengths are the built-ins' (name: not writable, not enumerable, configurable)", () => {
    expect([Variable.name, Variable.length, Snapshot.name, Snapshot.length]).toEqual(['Variable', 1, 'Snapshot', 0]);
    expect(Object.getOwnPropertyDescriptor(Variable, 'name')).toEqual({
      value: 'Variable',
      writable: false,
      enumerable: false,
      configurable: true,
    });
    expect([Variable.prototype.run.length, Variable.prototype.get.length, Snapshot.prototype.run.length, Snapshot.wrap.length]).toEqual([
      2, 0, 1, 1,
    ]);
  });

  it('instances are ordinary objects without own properties (the state is in internal slots)', () => {
    expect(Reflect.ownKeys(new Variable({ name: 'n', defaultValue: 1 }))).toEqual([]);
    expect(Reflect.ownKeys(new Snapshot())).toEqual([]);
  });

  it('NewTarget whose prototype is not an object: the instance gets the intrinsic prototype (Reflect.construct)', () => {
    function NoPrototype() {}
    NoPrototype.prototype = 1;
    const bound = function () {}.bind(null); // no prototype property at all
    for (const newTarget of [NoPrototype, bound]) {
      const v = Reflect.construct(Variable, [{ name: 'n', defaultValue: 'd' }], newTarget) as Variable<string>;
      expect(Object.getPrototypeOf(v)).toBe(Variable.prototype);
      expect([v.name, v.get(), v.run('x', () => v.get())]).toEqual(['n', 'd', 'x']);
      const s = Reflect.construct(Snapshot, [], newTarget) as Snapshot;
      expect(Object.getPrototypeOf(s)).toBe(Snapshot.prototype);
      expect(s.run(() => 7)).toBe(7);
    }
    // An object prototype is used as it is, and subclasses work.
    const custom = Object.create(Variable.prototype);
    function WithPrototype() {}
    WithPrototype.prototype = custom;
    expect(Object.getPrototypeOf(Reflect.construct(Variable, [], WithPrototype))).toBe(custom);
    class Sub extends Variable<number> {}
    const sub = new Sub({ defaultValue: 3 });
    expect([sub instanceof Sub, sub.get(), sub.run(4, () => sub.get())]).toEqual([true, 3, 4]);
  });

  it('names survive minification (esbuild --minify renames the classes)', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [new URL('../dist/esm/runtime/async-context.js', import.meta.url).pathname],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/class Variable\b/);
    const module = { exports: {} as { AsyncContext: typeof AsyncContext } };
    new Function('module', 'exports', code)(module, module.exports);
    const minified = module.exports.AsyncContext;
    expect([minified.Variable.name, minified.Snapshot.name]).toEqual(['Variable', 'Snapshot']);
    expect(Object.prototype.toString.call(new minified.Variable())).toBe('[object AsyncContext.Variable]');
  });

  it('methods reject receivers that are not Variables', () => {
    const v = new Variable();
    expect(() => v.get.call({})).toThrow(TypeError);
    expect(() => v.run.call({}, 1, () => 1)).toThrow(TypeError);
  });
});

describe('AsyncContext.Snapshot', () => {
  it('captures all variables at construction', () => {
    const a = new Variable({ defaultValue: 'a0' });
    const b = new Variable({ defaultValue: 'b0' });
    const inside = a.run('a1', () => b.run('b1', () => new Snapshot()));
    const outside = new Snapshot();
    expect(inside.run(() => [a.get(), b.get()])).toEqual(['a1', 'b1']);
    expect(a.run('a2', () => outside.run(() => [a.get(), b.get()]))).toEqual(['a0', 'b0']);
    expect([a.get(), b.get()]).toEqual(['a0', 'b0']);
  });

  it('run() passes args, returns the value, calls fn with undefined this, restores on throw', () => {
    const v = new Variable({ defaultValue: 0 });
    const snapshot = v.run(1, () => new Snapshot());
    const result = v.run(2, () =>
      snapshot.run(function (this: unknown, x: string) {
        return [this, x, v.get()];
      }, 'arg'),
    );
    expect(result).toEqual([undefined, 'arg', 1]);
    const error = new Error('in snapshot');
    v.run(3, () => {
      let caught: unknown;
      try {
        snapshot.run(() => {
          throw error;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(error);
      expect(v.get()).toBe(3);
    });
    expect(() => Snapshot.prototype.run.call({}, () => 1)).toThrow(TypeError);
  });

  it('cannot be called without new', () => {
    expect(() => (Snapshot as unknown as () => void)()).toThrow(TypeError);
    expect(() => (Variable as unknown as () => void)()).toThrow(TypeError);
  });

  it('wrap() runs fn in the context of the wrap call; this, args, return value and errors pass through', () => {
    const v = new Variable({ defaultValue: 'dflt' });
    const self = { tag: 'self' };
    const ret = {};
    const wrapped = v.run('captured', () =>
      Snapshot.wrap(function (this: unknown, ...args: unknown[]) {
        return { self: this, args, value: v.get(), ret };
      }),
    );
    const result = v.run('caller', () => wrapped.call(self, 1, 'two'));
    expect(result.self).toBe(self);
    expect(result.args).toEqual([1, 'two']);
    expect(result.value).toBe('captured');
    expect(result.ret).toBe(ret);
    expect(v.get()).toBe('dflt');

    const error = new Error('from wrapped');
    const thrower = v.run('captured', () =>
      Snapshot.wrap(() => {
        throw error;
      }),
    );
    v.run('caller', () => {
      let caught: unknown;
      try {
        thrower();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(error);
      expect(v.get()).toBe('caller');
    });
  });

  it('wrap() copies name and length ("wrapped <name>"), is not a constructor, and rejects non-callables', () => {
    function handler(a: unknown, b: unknown) {
      return [a, b];
    }
    const wrapped = Snapshot.wrap(handler);
    expect(wrapped.name).toBe('wrapped handler');
    expect(wrapped.length).toBe(2);
    expect(Snapshot.wrap(() => 0).name).toBe('wrapped ');
    expect(() => new (wrapped as unknown as new () => unknown)()).toThrow(TypeError);
    for (const bad of [undefined, null, 1, 'fn', {}]) {
      expect(() => Snapshot.wrap(bad as never)).toThrow(TypeError);
    }
  });
});

describe('install()', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'AsyncContext');
  afterEach(() => {
    delete (globalThis as { AsyncContext?: unknown }).AsyncContext;
    if (original) Object.defineProperty(globalThis, 'AsyncContext', original);
  });

  it('defines globalThis.AsyncContext (non-enumerable) when absent and returns it', () => {
    delete (globalThis as { AsyncContext?: unknown }).AsyncContext;
    const installed = install();
    expect(installed).toBe(AsyncContext);
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'AsyncContext')!;
    expect(descriptor.value).toBe(AsyncContext);
    expect(descriptor.enumerable).toBe(false);
    expect(descriptor.configurable).toBe(true);
    expect(install()).toBe(AsyncContext);
  });

  it('leaves an existing AsyncContext alone and returns it', () => {
    const existing = { Variable: class {}, Snapshot: class {} };
    (globalThis as { AsyncContext?: unknown }).AsyncContext = existing;
    expect(install()).toBe(existing);
    expect((globalThis as { AsyncContext?: unknown }).AsyncContext).toBe(existing);
  });
});

describe('variables through the compiled shapes (no OTel manager registered)', () => {
  it('bound timers, microtasks and promise callbacks see the value at scheduling; unbound ones the default', async () => {
    const v = new Variable({ defaultValue: 'dflt' });
    const seen: string[] = [];
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    v.run('scheduled', () => {
      setTimeout(
        __otelCtx.bind(() => seen.push(`timeout ${v.get()}`)),
        1,
      );
      queueMicrotask(__otelCtx.bind(() => seen.push(`microtask ${v.get()}`)));
      p.then(__otelCtx.bind(() => seen.push(`then ${v.get()}`)));
      setTimeout(() => seen.push(`plain timeout ${v.get()}`), 1);
    });
    v.run('resolver', resolve);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.sort()).toEqual(['microtask scheduled', 'plain timeout dflt', 'then scheduled', 'timeout scheduled'].sort());
  });

  it('async functions see their value after awaits (also on the rejection path); callers and later jobs do not', async () => {
    const v = new Variable({ defaultValue: 'dflt' });
    const seen: string[] = [];
    async function compiled(tag: string) {
      const __otelFrame = __otelCtx.frame();
      try {
        seen.push(`${tag} start ${v.get()}`);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        seen.push(`${tag} after timer ${v.get()}`);
        try {
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.reject(new Error('x'))));
        } catch {
          __otelCtx.reenter(__otelFrame);
          seen.push(`${tag} catch ${v.get()}`);
        }
        // A snapshot taken after the awaits still holds the value.
        return new Snapshot();
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const first = v.run('one', () => compiled('a'));
    const second = v.run('two', () => compiled('b'));
    queueMicrotask(() => seen.push(`plain microtask ${v.get()}`));
    const snapshots = await Promise.all([first, second]);
    seen.push(`test body ${v.get()}`);
    await flush();
    expect(seen.filter((line) => line.startsWith('a'))).toEqual(['a start one', 'a after timer one', 'a catch one']);
    expect(seen.filter((line) => line.startsWith('b'))).toEqual(['b start two', 'b after timer two', 'b catch two']);
    expect(seen).toContain('plain microtask dflt');
    expect(seen).toContain('test body dflt');
    expect(snapshots.map((s) => s.run(() => v.get()))).toEqual(['one', 'two']);
  });

  it('generator bodies see the value at creation, whoever calls next()', () => {
    const v = new Variable({ defaultValue: 'dflt' });
    function* gen(...{ __otelFrame = __otelCtx.genFrame() }: any): Generator<unknown, void, unknown> {
      try {
        __otelCtx.reenter(__otelFrame);
        __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, v.get()));
        __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, v.get()));
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const it = v.run('created', () => gen());
    expect(v.run('caller', () => [it.next().value, v.get()])).toEqual(['created', 'caller']);
    expect(it.next().value).toBe('created');
    expect(v.get()).toBe('dflt');
  });
});

describe('variables and the OTel manager share the slot', () => {
  afterEach(() => {
    context.disable();
    trace.disable();
  });

  it('an OTel span and a variable are both visible after an await, in either nesting order', async () => {
    expect(context.setGlobalContextManager(new CompiledContextManager().enable())).toBe(true);
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    const tracer = trace.getTracer('async-context-test');
    const v = new Variable({ defaultValue: 'dflt' });

    async function afterAwait(child: string) {
      const __otelFrame = __otelCtx.frame();
      try {
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        tracer.startSpan(child).end();
        return { span: trace.getActiveSpan(), value: v.get() };
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }

    // Span outside, variable inside.
    const first = tracer.startActiveSpan('outer-span', (span) =>
      v.run('inner-value', () => afterAwait('child-1')).finally(() => span.end()),
    );
    // Variable outside, span inside.
    const second = v.run('outer-value', () =>
      tracer.startActiveSpan('inner-span', (span) => afterAwait('child-2').finally(() => span.end())),
    );
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.value).toBe('inner-value');
    expect(r2.value).toBe('outer-value');

    const spans = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect(r1.span!.spanContext().spanId).toBe(spans.get('outer-span')!.spanContext().spanId);
    expect(r2.span!.spanContext().spanId).toBe(spans.get('inner-span')!.spanContext().spanId);
    expect(spans.get('child-1')!.parentSpanContext?.spanId).toBe(spans.get('outer-span')!.spanContext().spanId);
    expect(spans.get('child-2')!.parentSpanContext?.spanId).toBe(spans.get('inner-span')!.spanContext().spanId);
    expect(v.get()).toBe('dflt');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('context.with() on a context derived from the active one keeps the variable', () => {
    expect(context.setGlobalContextManager(new CompiledContextManager().enable())).toBe(true);
    const v = new Variable<string>();
    const key = Symbol('otel-key');
    const seen = v.run('kept', () => context.with(context.active().setValue(key, 'otel'), () => [v.get(), context.active().getValue(key)]));
    expect(seen).toEqual(['kept', 'otel']);
  });
});

describe('dist/async-context.iife.js: the plain-script prelude', () => {
  const dist = new URL('../dist/', import.meta.url).pathname;
  const prelude = readFileSync(`${dist}async-context.iife.js`, 'utf8');

  it('defines AsyncContext on the global of a fresh script context (not enumerable), working', () => {
    const sandbox = vm.createContext({});
    vm.runInContext(prelude, sandbox);
    const result = vm.runInContext(
      `const d = Object.getOwnPropertyDescriptor(globalThis, 'AsyncContext');
       const v = new AsyncContext.Variable({ name: 'n', defaultValue: 'd' });
       const s = v.run('x', () => new AsyncContext.Snapshot());
       [d.enumerable, d.writable, d.configurable, Object.keys(globalThis).includes('AsyncContext'), v.get(), v.run('y', () => v.get()),
        s.run(() => v.get()), String(Object.prototype.toString.call(AsyncContext)), AsyncContext.Variable.name]`,
      sandbox,
    );
    expect(Array.from(result as unknown[])).toEqual([false, true, true, false, 'd', 'y', 'x', '[object AsyncContext]', 'Variable']);
  });

  it('leaves an AsyncContext the platform (or another polyfill) defined alone', () => {
    const existing = {};
    const sandbox = vm.createContext({ AsyncContext: existing });
    vm.runInContext(prelude, sandbox);
    expect(vm.runInContext('AsyncContext', sandbox)).toBe(existing);
  });

  it('shares the slot with compiled plain scripts (helpers: "global" after dist/global.iife.js)', async () => {
    const { transform } = await import('../dist/esm/api.js');
    const source = `const v = new AsyncContext.Variable({ defaultValue: 'none' });
const seen = [];
v.run('request', async () => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  seen.push(v.get());
  setTimeout(() => {
    seen.push(v.get());
    done(seen);
  }, 1);
});
seen.push(v.get());
`;
    const compiled = transform(source, { filename: 'page.js', helpers: 'global' })!.code;
    const runPage = (script: string) =>
      new Promise<unknown[]>((resolve) => {
        // A fresh global, as a page: the host's timers are its platform functions (uncompiled).
        const sandbox = vm.createContext({ setTimeout, done: (seen: unknown[]) => resolve(Array.from(seen)) });
        vm.runInContext(readFileSync(`${dist}global.iife.js`, 'utf8'), sandbox);
        vm.runInContext(prelude, sandbox);
        vm.runInContext(script, sandbox);
      });
    expect(await runPage(compiled)).toEqual(['none', 'request', 'request']);
    expect(await runPage(source)).toEqual(['none', 'none', 'none']);
  });
});
