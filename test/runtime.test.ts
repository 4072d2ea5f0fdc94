/**
 * The runtime on its own: CompiledContextManager against the real OTel API and
 * SDK, and the helpers driven by hand-written code in the exact shapes the
 * TypeScript transformer emits (no compiler involved).
 *
 * AsyncContext tests live in async-context.test.ts: constructing a Variable
 * turns propagation on for the whole process, which would defeat the
 * "helpers add nothing under a foreign manager" tests below.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context, createContextKey, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import * as __otelCtx from '../src/runtime/index.js';
import { CompiledContextManager } from '../src/runtime/index.js';
import { active as slotStore, EMPTY } from '../src/runtime/slot.js';

type Ctx = string | undefined;
type Log = (event: string) => void;

const KEY = createContextKey('otel-context-transformer.runtime-test');
const A = ROOT_CONTEXT.setValue(KEY, 'A');
const B = ROOT_CONTEXT.setValue(KEY, 'B');
const C = ROOT_CONTEXT.setValue(KEY, 'C');
/** Which of A/B/C is active through the OTel API; undefined means root. */
const cur = (): Ctx => context.active().getValue(KEY) as Ctx;
/** What the slot holds, whoever is registered: every manager instance's context and every variable's value. */
const slot = () => slotStore();
/** Resolves after pending microtasks and timers due now (uncompiled). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const rejectSoon = (error: unknown) => new Promise((_, reject) => setTimeout(() => reject(error), 1));

/**
 * A chain of plain (uncompiled) microtasks recording what context each sees.
 * Without the transform the compiled manager is synchronous, so uncompiled
 * jobs must always see root: anything else is a leak.
 */
function plainMicrotaskChain(length: number): Ctx[] {
  const seen: Ctx[] = [];
  const step = (n: number) => {
    seen.push(cur());
    if (n > 1) queueMicrotask(() => step(n - 1));
  };
  queueMicrotask(() => step(length));
  return seen;
}

function useCompiledManager(): void {
  beforeEach(() => {
    expect(context.setGlobalContextManager(new CompiledContextManager().enable())).toBe(true);
  });
  afterEach(() => {
    context.disable();
    trace.disable();
    // Whatever a test did, nothing may stay in the slot.
    expect(slot()).toBe(EMPTY);
  });
}

/** Managers a test enabled; each is disabled after the test (enabling is counted per instance). */
const enabledManagers: CompiledContextManager[] = [];
function enabled(): CompiledContextManager {
  const manager = new CompiledContextManager().enable();
  enabledManagers.push(manager);
  return manager;
}

describe('CompiledContextManager contract', () => {
  afterEach(() => {
    context.disable();
    for (const manager of enabledManagers.splice(0)) manager.disable();
    expect(slot()).toBe(EMPTY);
  });

  it('starts at ROOT_CONTEXT; enable() and disable() return the manager', () => {
    const manager = new CompiledContextManager();
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(manager.enable()).toBe(manager);
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(manager.disable()).toBe(manager);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('with() runs fn in the context with thisArg and args, returns its value, and restores', () => {
    const manager = enabled();
    const self = { name: 'self' };
    const result = manager.with(
      A,
      function (this: unknown, x: number, y: string) {
        return { self: this, x, y, active: manager.active() };
      },
      self,
      1,
      'two',
    );
    expect(result.self).toBe(self);
    expect(result.x).toBe(1);
    expect(result.y).toBe('two');
    expect(result.active).toBe(A);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('with() nests, and restores the outer context when fn throws (same error object)', () => {
    const manager = enabled();
    const error = new Error('inside');
    manager.with(A, () => {
      let caught: unknown;
      try {
        manager.with(B, () => {
          expect(manager.active()).toBe(B);
          throw error;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(error);
      expect(manager.active()).toBe(A);
    });
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('bind() runs the target in the bound context with this and args, whatever is active at the call', () => {
    const manager = enabled();
    const self = {};
    const ret = {};
    const bound = manager.bind(A, function (this: unknown, ...args: unknown[]) {
      return { self: this, args, active: manager.active(), ret };
    });
    const result = manager.with(B, () => bound.call(self, 1, 2));
    expect(result.self).toBe(self);
    expect(result.args).toEqual([1, 2]);
    expect(result.active).toBe(A);
    expect(result.ret).toBe(ret);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('bind() returns non-functions as they are', () => {
    const manager = enabled();
    const object = { on() {} };
    for (const value of [undefined, null, 0, 'text', object, Symbol.iterator]) {
      expect(manager.bind(A, value)).toBe(value);
    }
  });

  it('works as the global manager through the OTel API (with, bind, active)', () => {
    expect(context.setGlobalContextManager(enabled())).toBe(true);
    expect(context.active()).toBe(ROOT_CONTEXT);
    const seen = context.with(A, () => [cur(), context.with(B, cur), cur()]);
    expect(seen).toEqual(['A', 'B', 'A']);
    expect(context.bind(C, cur)()).toBe('C');
    expect(cur()).toBeUndefined();
  });

  it('after context.disable() the helpers stop propagating: no wrappers, one shared inert frame', () => {
    expect(context.setGlobalContextManager(enabled())).toBe(true);
    const fn = () => cur();
    context.with(A, () => expect(__otelCtx.bind(fn)).not.toBe(fn));
    context.disable();
    context.with(A, () => {
      expect(__otelCtx.bind(fn)).toBe(fn);
      expect(__otelCtx.frame()).toBe(__otelCtx.frame());
      expect(__otelCtx.genFrame()).toBe(__otelCtx.frame());
      const thenable = { then() {} };
      expect(__otelCtx.tail(thenable)).toBe(thenable);
    });
  });

  it('in the empty context there is nothing to carry: no wrapper, and callbacks still run in it', async () => {
    expect(context.setGlobalContextManager(enabled())).toBe(true);
    const fn = () => cur();
    expect(__otelCtx.bind(fn)).toBe(fn);
    // An async function still gets a frame of its own: its body may call context.attach (see the attach tests).
    expect(__otelCtx.frame()).not.toBe(__otelCtx.frame());
    // Generators too: their body runs wherever next() is called.
    expect(__otelCtx.genFrame()).not.toBe(__otelCtx.genFrame());
    const thenable = { then() {} };
    expect(__otelCtx.tail(thenable)).toBe(thenable);
    // Registered at root, run later from the event loop and the microtask queue: in root, while a
    // compiled function elsewhere is inside its own context.
    // `elsewhere` is released by hand after the root callbacks ran: two racing timers (2 ms against
    // 1 ms) swapped order on a loaded CI machine.
    const seen: Ctx[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const elsewhere = context.with(A, async () => {
      const f = __otelCtx.frame();
      try {
        __otelCtx.resume(f, await __otelCtx.suspend(f, released));
        seen.push(cur());
      } finally {
        __otelCtx.exit(f);
      }
    });
    await new Promise<void>((resolve) =>
      setTimeout(
        __otelCtx.bind(() => (seen.push(cur()), resolve())),
        1,
      ),
    );
    await Promise.resolve().then(__otelCtx.bind(() => seen.push(cur())));
    release();
    await elsewhere;
    expect(seen).toEqual([undefined, undefined, 'A']);
  });
});

describe('spans across compiled awaits (real SDK)', () => {
  useCompiledManager();

  it('children started after awaits get their own parent, concurrently; uncompiled code loses it', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    const tracer = trace.getTracer('runtime-test');
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(__otelCtx.bind(resolve), ms));

    async function compiled(name: string) {
      const __otelFrame = __otelCtx.frame();
      try {
        return __otelCtx.resume(
          __otelFrame,
          await __otelCtx.suspend(
            __otelFrame,
            tracer.startActiveSpan(name, async (span) => {
              const __otelFrame = __otelCtx.frame();
              try {
                __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, sleep(name === 'a' ? 5 : 1)));
                tracer.startSpan(`${name}-child`).end();
                __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
                tracer.startSpan(`${name}-child2`).end();
                span.end();
              } finally {
                __otelCtx.exit(__otelFrame);
              }
            }),
          ),
        );
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    async function plain(name: string) {
      return tracer.startActiveSpan(name, async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        tracer.startSpan(`${name}-child`).end();
        span.end();
      });
    }

    await Promise.all([compiled('a'), compiled('b')]);
    await plain('p');
    const spans = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    const parentOf = (name: string) => spans.get(name)!.parentSpanContext?.spanId;
    const idOf = (name: string) => spans.get(name)!.spanContext().spanId;
    expect(parentOf('a')).toBeUndefined();
    expect(parentOf('b')).toBeUndefined();
    expect(parentOf('a-child')).toBe(idOf('a'));
    expect(parentOf('a-child2')).toBe(idOf('a'));
    expect(parentOf('b-child')).toBe(idOf('b'));
    expect(parentOf('b-child2')).toBe(idOf('b'));
    // Control: the same program without the rewrite loses the parent.
    expect(parentOf('p-child')).toBeUndefined();
  });
});

describe('frame protocol (hand-written compiled async functions)', () => {
  useCompiledManager();

  it('the body runs in the caller context, and is back in it after awaits on promises, values and timers', async () => {
    const seen: Array<[string, Ctx]> = [];
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        seen.push(['start', cur()]);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.resolve()));
        seen.push(['after native promise', cur()]);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, 7));
        seen.push(['after value', cur()]);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 2))));
        seen.push(['after timer', cur()]);
        return cur();
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const promise = context.with(A, () => {
      const p = compiled();
      seen.push(['caller after the call', cur()]);
      return p;
    });
    expect(cur()).toBeUndefined();
    expect(await promise).toBe('A');
    expect(seen).toEqual([
      ['start', 'A'],
      ['caller after the call', 'A'],
      ['after native promise', 'A'],
      ['after value', 'A'],
      ['after timer', 'A'],
    ]);
  });

  it('nothing leaks into the next job: uncompiled callbacks scheduled before and after see root', async () => {
    const seen: Array<[string, Ctx]> = [];
    const chain = plainMicrotaskChain(30);
    setImmediate(() => seen.push(['immediate scheduled before', cur()]));
    queueMicrotask(() => seen.push(['microtask scheduled before', cur()]));
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        for (let i = 0; i < 5; i++) {
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, i));
          // Scheduled from the resumed body without bind: runs in a later job, where only root may be seen.
          queueMicrotask(() => seen.push([`uncompiled microtask ${i}`, cur()]));
        }
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        setImmediate(() => seen.push(['uncompiled immediate', cur()]));
        return cur();
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const result = await context.with(A, compiled);
    seen.push(['test body after await', cur()]);
    await flush();
    await flush();
    expect(result).toBe('A');
    expect(seen).toHaveLength(9);
    expect(seen.filter(([, ctx]) => ctx !== undefined)).toEqual([]);
    expect(chain).toHaveLength(30);
    expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
  });

  it('rejection path: catch and finally run in the function context, and the code after them too', async () => {
    const error = new Error('rejected');
    const seen: Array<[string, Ctx, unknown?]> = [];
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        try {
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, rejectSoon(error)));
          seen.push(['not reached', cur()]);
        } catch (e) {
          __otelCtx.reenter(__otelFrame);
          seen.push(['catch', cur(), e]);
        } finally {
          __otelCtx.reenter(__otelFrame);
          seen.push(['finally', cur()]);
        }
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
        seen.push(['after', cur()]);
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const chain = plainMicrotaskChain(20);
    await context.with(B, compiled);
    expect(seen).toEqual([
      ['catch', 'B', error],
      ['finally', 'B'],
      ['after', 'B'],
    ]);
    expect(seen[0]![2]).toBe(error);
    expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
  });

  it('a rejection that leaves the function (through a finally, or with no handler at all) does not leak', async () => {
    const error = new Error('escapes');
    const seen: Array<[string, Ctx, unknown?]> = [];
    async function throughFinally() {
      const __otelFrame = __otelCtx.frame();
      try {
        try {
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, rejectSoon(error)));
        } finally {
          __otelCtx.reenter(__otelFrame);
          seen.push(['finally', cur()]);
        }
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    async function noHandler() {
      const __otelFrame = __otelCtx.frame();
      try {
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.reject(error)));
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const chain = plainMicrotaskChain(20);
    // Uncompiled handlers: they must see root, and the same error object.
    const first = context.with(A, throughFinally).catch((e) => seen.push(['plain catch 1', cur(), e]));
    const second = context.with(C, noHandler).then(undefined, (e) => seen.push(['plain catch 2', cur(), e]));
    await Promise.all([first, second]);
    seen.push(['test body', cur()]);
    expect(seen).toEqual([
      ['plain catch 2', undefined, error],
      ['finally', 'A'],
      ['plain catch 1', undefined, error],
      ['test body', undefined],
    ]);
    expect(seen[0]![2]).toBe(error);
    expect(seen[2]![2]).toBe(error);
    expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
  });

  it('exit() on a synchronous throw puts back what the body found (before and after an await)', async () => {
    const error = new Error('sync throw');
    async function throwsBeforeAwait() {
      const __otelFrame = __otelCtx.frame();
      try {
        context.with(B, () => undefined);
        throw error;
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    async function throwsAfterAwait() {
      const __otelFrame = __otelCtx.frame();
      try {
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
        throw error;
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const seen: Array<[string, Ctx, unknown?]> = [];
    const early = context.with(A, () => {
      const p = throwsBeforeAwait();
      seen.push(['caller after sync rejection', cur()]);
      return p;
    });
    const chain = plainMicrotaskChain(10);
    const late = context.with(C, throwsAfterAwait);
    await Promise.all([early.catch((e) => seen.push(['early', cur(), e])), late.catch((e) => seen.push(['late', cur(), e]))]);
    expect(seen).toEqual([
      ['caller after sync rejection', 'A'],
      ['early', undefined, error],
      ['late', undefined, error],
    ]);
    expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
  });

  it('nested and concurrent frames each resume in their own context', async () => {
    const seen: string[] = [];
    async function inner(tag: string) {
      const __otelFrame = __otelCtx.frame();
      try {
        seen.push(`${tag} start ${cur()}`);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
        seen.push(`${tag} resumed ${cur()}`);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        return cur();
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    async function outer(tag: string) {
      const __otelFrame = __otelCtx.frame();
      try {
        const inB = __otelCtx.resume(
          __otelFrame,
          await __otelCtx.suspend(
            __otelFrame,
            context.with(B, () => inner(`${tag}/B`)),
          ),
        );
        seen.push(`${tag} after inner-in-B ${cur()} got ${inB}`);
        const same = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, inner(`${tag}/same`)));
        seen.push(`${tag} after inner ${cur()} got ${same}`);
        return cur();
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const results = await Promise.all([context.with(A, () => outer('x')), context.with(C, () => outer('y'))]);
    expect(results).toEqual(['A', 'C']);
    expect(seen.filter((line) => line.startsWith('x')).sort()).toEqual(
      ['x/B start B', 'x/B resumed B', 'x after inner-in-B A got B', 'x/same start A', 'x/same resumed A', 'x after inner A got A'].sort(),
    );
    expect(seen.filter((line) => line.startsWith('y')).sort()).toEqual(
      ['y/B start B', 'y/B resumed B', 'y after inner-in-B C got B', 'y/same start C', 'y/same resumed C', 'y after inner C got C'].sort(),
    );
  });

  it('generators run in the context of their creation at every resumption (next, return)', () => {
    const seen: string[] = [];
    function* gen(...{ __otelFrame = __otelCtx.genFrame() }: any): Generator<unknown, void, unknown> {
      try {
        __otelCtx.reenter(__otelFrame);
        seen.push(`start ${cur()}`);
        try {
          const got = __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, 1));
          seen.push(`got ${got} in ${cur()}`);
          __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, 2));
          seen.push('not reached');
        } finally {
          __otelCtx.reenter(__otelFrame);
          seen.push(`finally ${cur()}`);
        }
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const it = context.with(A, () => gen());
    expect(gen.length).toBe(0);
    context.with(B, () => {
      expect(it.next().value).toBe(1);
      expect(cur()).toBe('B');
    });
    context.with(C, () => {
      expect(it.next('x').value).toBe(2);
      expect(cur()).toBe('C');
    });
    context.with(B, () => {
      expect(it.return(undefined).done).toBe(true);
      expect(cur()).toBe('B');
    });
    expect(seen).toEqual(['start A', 'got x in A', 'finally A']);
  });

  it('async generators: body in the creation context, the for-await consumer in its own', async () => {
    const seen: string[] = [];
    async function* gen(...{ __otelFrame = __otelCtx.genFrame() }: any): AsyncGenerator<number, void, unknown> {
      try {
        __otelCtx.reenter(__otelFrame);
        seen.push(`gen start ${cur()}`);
        __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        seen.push(`gen after timer ${cur()}`);
        __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, Promise.resolve(2)));
        seen.push(`gen end ${cur()}`);
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    async function consume(iterable: AsyncIterable<number>) {
      const __otelFrame = __otelCtx.frame();
      try {
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, iterable) as AsyncIterable<number>) {
            __otelCtx.reenter(__otelFrame);
            seen.push(`consumer got ${v} in ${cur()}`);
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        seen.push(`consumer done in ${cur()}`);
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const iterable = context.with(A, () => gen());
    const chain = plainMicrotaskChain(30);
    await context.with(B, () => consume(iterable));
    expect(seen).toEqual([
      'gen start A',
      'consumer got 1 in B',
      'gen after timer A',
      'consumer got 2 in B',
      'gen end A',
      'consumer done in B',
    ]);
    expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
  });
});

describe('thenables', () => {
  useCompiledManager();

  it("suspend() makes a non-native thenable's then run in the awaiting context, with the thenable as this", async () => {
    const calls: Array<{ self: unknown; ctx: Ctx; args: unknown[] }> = [];
    const thenable = {
      then(this: unknown, ...args: unknown[]) {
        calls.push({ self: this, ctx: cur(), args });
        (args[0] as (v: unknown) => void)(42);
      },
    } as unknown as PromiseLike<number>;
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        return [__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, thenable)), cur()];
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    async function plain() {
      return [await thenable, cur()];
    }
    expect(await context.with(A, compiled)).toEqual([42, 'A']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.self).toBe(thenable);
    expect(calls[0]!.ctx).toBe('A');
    expect(calls[0]!.args.map((a) => typeof a)).toEqual(['function', 'function']);
    // Control: the plain await calls then in a later job, in root.
    expect(await context.with(A, plain)).toEqual([42, undefined]);
    expect(calls[1]!.ctx).toBeUndefined();
  });

  it('adopts callable thenables too, but hands promises (subclasses included) and non-thenables through', async () => {
    const seen: string[] = [];
    class Sub<T> extends Promise<T> {
      override then<R1 = T, R2 = never>(
        onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
        onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
      ): Promise<R1 | R2> {
        seen.push(`Sub.then in ${cur()}`);
        return super.then(onFulfilled, onRejected);
      }
    }
    const callable = Object.assign(() => 'not called', {
      then(resolve: (v: string) => void) {
        seen.push(`callable.then in ${cur()}`);
        resolve('callable');
      },
    });
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        const a = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Sub.resolve('sub')));
        const b = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, callable));
        return [a, b];
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    expect(await context.with(A, compiled)).toEqual(['sub', 'callable']);
    // A Promise subclass is awaited as it is (TypeScript's __awaiter calls a promise's then at once; a
    // thenable in its place would move that call a job later), so its then runs in the job's context.
    expect(seen).toEqual(['Sub.then in undefined', 'callable.then in A']);

    const f = __otelCtx.frame();
    const native = Promise.resolve(1);
    expect(__otelCtx.suspend(f, native)).toBe(native);
    __otelCtx.resume(f, undefined);
    const notThenable = { then: 5 };
    expect(__otelCtx.suspend(f, notThenable)).toBe(notThenable);
    __otelCtx.resume(f, undefined);
    expect(__otelCtx.suspend(f, null)).toBe(null);
    __otelCtx.exit(f);
  });

  it("tail() (an await that ends an unframed function) adopts a thenable in the caller's context and leaves the slot alone", async () => {
    const seen: string[] = [];
    const thenable = {
      then(resolve: (v: string) => void) {
        seen.push(`then in ${cur()}`);
        resolve('done');
      },
    };
    async function tailFunction() {
      return await __otelCtx.tail(thenable);
    }
    const observed: Ctx[] = [];
    const result = await context.with(A, async () => {
      const p = tailFunction();
      observed.push(cur()); // the caller, right after the call: still A
      return p;
    });
    observed.push(cur()); // after the tail function resumed and ended: nothing set it
    expect(result).toBe('done');
    expect(seen).toEqual(['then in A']);
    expect(observed).toEqual(['A', undefined]);
    // Control: the same function without tail() lets await call then in a later job, in root.
    async function plainFunction() {
      return await thenable;
    }
    await context.with(A, plainFunction);
    expect(seen).toEqual(['then in A', 'then in undefined']);
    const native = Promise.resolve(1);
    expect(__otelCtx.tail(native)).toBe(native);
    const notThenable = { then: 5 };
    expect(__otelCtx.tail(notThenable)).toBe(notThenable);
    expect(__otelCtx.tail(null)).toBe(null);
  });

  it('a then getter that throws becomes a rejection with the same error object, not a synchronous throw', async () => {
    const error = new Error('then getter');
    let reads = 0;
    const hostile = {
      get then(): never {
        reads++;
        throw error;
      },
    };
    const f = __otelCtx.frame();
    let returned: unknown;
    expect(() => {
      returned = __otelCtx.suspend(f, hostile);
    }).not.toThrow();
    __otelCtx.exit(f);
    // suspend does not call getters (await calls it, exactly once, as without the rewrite).
    expect(reads).toBe(0);
    await expect(Promise.resolve(returned).then(() => 'resolved')).rejects.toBe(error);
    expect(reads).toBe(1);

    const order: string[] = [];
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        try {
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, hostile));
        } catch (e) {
          __otelCtx.reenter(__otelFrame);
          order.push(`catch in ${cur()}`);
          return e;
        }
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const p = context.with(A, compiled);
    order.push('caller continues');
    expect(await p).toBe(error);
    expect(order).toEqual(['caller continues', 'catch in A']);
  });
});

// ---------------------------------------------------------------------------
// Microtask timing: each program runs as plain code and as the hand-written
// rewrite, next to a plain microtask ticker. Identical logs (ticks included)
// mean the rewrite adds and removes no ticks.

interface Program {
  name: string;
  plain(log: Log): Promise<unknown>;
  compiled(log: Log): Promise<unknown>;
}

interface Recording {
  events: string[];
  /** Context at each program log() call. */
  contexts: Ctx[];
  /** Context each ticker job saw. */
  tickerContexts: Ctx[];
}

const MAX_TICKS = 2000;

async function record(program: (log: Log) => Promise<unknown>): Promise<Recording> {
  const events: string[] = [];
  const contexts: Ctx[] = [];
  const tickerContexts: Ctx[] = [];
  let ticks = 0;
  let settled = false;
  const tick = () => {
    tickerContexts.push(cur());
    events.push(`tick ${ticks}`);
    if (!settled && ++ticks < MAX_TICKS) queueMicrotask(tick);
  };
  queueMicrotask(tick);
  const log: Log = (event) => {
    events.push(event);
    contexts.push(cur());
  };
  await context
    .with(A, () => program(log))
    .then(
      (value) => events.push(`resolved ${String(value)}`),
      (error) => events.push(`rejected ${(error as Error).message}`),
    );
  settled = true;
  await flush();
  expect(ticks).toBeLessThan(MAX_TICKS);
  return { events, contexts, tickerContexts };
}

const PROGRAMS: Program[] = [
  {
    name: 'awaits on native promises, plain values and late promises, two functions interleaved',
    async plain(log) {
      async function worker(name: string, n: number) {
        log(`${name} start`);
        for (let i = 0; i < n; i++) {
          const operand = i % 3 === 0 ? Promise.resolve(i) : i % 3 === 1 ? i : new Promise((r) => queueMicrotask(() => r(i)));
          const v = await operand;
          log(`${name} got ${v}`);
        }
        return `${name} done`;
      }
      const a = worker('a', 6);
      const b = worker('b', 4);
      log(await a);
      log(await b);
      return 'ok';
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        async function worker(name: string, n: number) {
          const __otelFrame = __otelCtx.frame();
          try {
            log(`${name} start`);
            for (let i = 0; i < n; i++) {
              const operand =
                i % 3 === 0 ? Promise.resolve(i) : i % 3 === 1 ? i : new Promise((r) => queueMicrotask(__otelCtx.bind(() => r(i))));
              const v = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, operand));
              log(`${name} got ${v}`);
            }
            return `${name} done`;
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        const a = worker('a', 6);
        const b = worker('b', 4);
        log(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, a)));
        log(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, b)));
        return 'ok';
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
  {
    name: 'awaits on thenables (sync, late, nested promise, callable, subclass, throwing getter, rejecting, non-callable then)',
    async plain(log) {
      const sync = { then: (r: (v: string) => void) => (log('sync.then'), r('s')) };
      const late = { then: (r: (v: string) => void) => (log('late.then'), queueMicrotask(() => r('l'))) };
      const nested = { then: (r: (v: unknown) => void) => (log('nested.then'), r(Promise.resolve('n'))) };
      const callable = Object.assign(() => 0, { then: (r: (v: string) => void) => (log('callable.then'), r('c')) });
      const throwing = {
        get then(): never {
          throw new Error('getter');
        },
      };
      const rejecting = {
        then: (_: unknown, j: (e: Error) => void) => (log('rejecting.then'), j(new Error('nope'))),
      } as PromiseLike<never>;
      async function a() {
        log(`a ${await sync}`);
        log(`a ${await late}`);
        log(`a ${await nested}`);
      }
      async function b() {
        log(`b ${await callable}`);
        log(`b ${await Sub.resolve('sub')}`);
        try {
          await throwing;
        } catch (e) {
          log(`b caught ${(e as Error).message}`);
        }
        try {
          await rejecting;
        } catch (e) {
          log(`b caught ${(e as Error).message}`);
        }
        log(`b ${(await { then: 5 }).then}`);
      }
      class Sub<T> extends Promise<T> {}
      await Promise.all([a(), b()]);
      log('end');
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        const sync = { then: (r: (v: string) => void) => (log('sync.then'), r('s')) };
        const late = { then: (r: (v: string) => void) => (log('late.then'), queueMicrotask(__otelCtx.bind(() => r('l')))) };
        const nested = { then: (r: (v: unknown) => void) => (log('nested.then'), r(Promise.resolve('n'))) };
        const callable = Object.assign(() => 0, { then: (r: (v: string) => void) => (log('callable.then'), r('c')) });
        const throwing = {
          get then(): never {
            throw new Error('getter');
          },
        };
        const rejecting = {
          then: (_: unknown, j: (e: Error) => void) => (log('rejecting.then'), j(new Error('nope'))),
        } as PromiseLike<never>;
        async function a() {
          const __otelFrame = __otelCtx.frame();
          try {
            log(`a ${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, sync))}`);
            log(`a ${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, late))}`);
            log(`a ${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, nested))}`);
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        async function b() {
          const __otelFrame = __otelCtx.frame();
          try {
            log(`b ${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, callable))}`);
            log(`b ${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Sub.resolve('sub')))}`);
            try {
              __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, throwing));
            } catch (e) {
              __otelCtx.reenter(__otelFrame);
              log(`b caught ${(e as Error).message}`);
            }
            try {
              __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, rejecting));
            } catch (e) {
              __otelCtx.reenter(__otelFrame);
              log(`b caught ${(e as Error).message}`);
            }
            log(`b ${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, { then: 5 })).then}`);
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        class Sub<T> extends Promise<T> {}
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.all([a(), b()])));
        log('end');
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
  {
    name: 'then-chains (then with both handlers, catch, finally) mixed with awaits',
    async plain(log) {
      const p = Promise.resolve(1);
      p.then((v) => log(`then1 ${v}`)).then(() => log('then2'));
      p.then(() => {
        throw new Error('x');
      })
        .then(
          () => log('not reached'),
          (e: Error) => log(`onRejected ${e.message}`),
        )
        .catch(() => log('not reached'))
        .finally(() => log('finally'));
      Promise.reject(new Error('y')).catch((e: Error) => log(`catch ${e.message}`));
      const q = new Promise<string>((r) => queueMicrotask(() => r('q')));
      async function w() {
        log('w0');
        await p;
        log('w1');
        const v = await q.then((x) => (log('w.then'), `${x}!`));
        log(`w2 ${v}`);
      }
      await w();
      log('end');
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        const p = Promise.resolve(1);
        p.then(__otelCtx.bind((v: number) => log(`then1 ${v}`))).then(__otelCtx.bind(() => log('then2')));
        p.then(
          __otelCtx.bind(() => {
            throw new Error('x');
          }),
        )
          .then(
            __otelCtx.bind(() => log('not reached')),
            __otelCtx.bind((e: Error) => log(`onRejected ${e.message}`)),
          )
          .catch(__otelCtx.bind(() => log('not reached')))
          .finally(__otelCtx.bind(() => log('finally')));
        Promise.reject(new Error('y')).catch(__otelCtx.bind((e: Error) => log(`catch ${e.message}`)));
        const q = new Promise<string>((r) => queueMicrotask(__otelCtx.bind(() => r('q'))));
        async function w() {
          const __otelFrame = __otelCtx.frame();
          try {
            log('w0');
            __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));
            log('w1');
            const v = __otelCtx.resume(
              __otelFrame,
              await __otelCtx.suspend(__otelFrame, q.then(__otelCtx.bind((x: string) => (log('w.then'), `${x}!`)))),
            );
            log(`w2 ${v}`);
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, w()));
        log('end');
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
  {
    name: 'for await over an async generator (yield values, promises and thenables; awaits between)',
    async plain(log) {
      async function* gen(): AsyncGenerator<unknown, void, unknown> {
        log('gen start');
        yield 1;
        log('gen after 1');
        await null;
        const sent = yield Promise.resolve(2);
        log(`gen after 2 (${String(sent)})`);
        yield { then: (r: (v: number) => void) => (log('gen thenable'), r(3)) };
        log('gen end');
      }
      for await (const v of gen()) log(`got ${v}`);
      log('loop done');
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        async function* gen(...{ __otelFrame = __otelCtx.genFrame() }: any): AsyncGenerator<unknown, void, unknown> {
          try {
            __otelCtx.reenter(__otelFrame);
            log('gen start');
            __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));
            log('gen after 1');
            __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
            const sent = __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, Promise.resolve(2)));
            log(`gen after 2 (${String(sent)})`);
            __otelCtx.resume(
              __otelFrame,
              yield __otelCtx.suspend(__otelFrame, { then: (r: (v: number) => void) => (log('gen thenable'), r(3)) }),
            );
            log('gen end');
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, gen()) as AsyncIterable<unknown>) {
            __otelCtx.reenter(__otelFrame);
            log(`got ${v}`);
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        log('loop done');
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
  {
    name: 'for await over sync iterables of promises and values',
    async plain(log) {
      const late = new Promise<string>((r) => queueMicrotask(() => r('p3')));
      for await (const v of [Promise.resolve('p1'), 'v2', late]) log(`array got ${v}`);
      function* values(): Generator<unknown, void, unknown> {
        log('values start');
        yield Promise.resolve('g1');
        yield 'g2';
        log('values end');
      }
      for await (const v of values()) log(`generator got ${v}`);
      log('done');
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        const late = new Promise<string>((r) => queueMicrotask(__otelCtx.bind(() => r('p3'))));
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, [Promise.resolve('p1'), 'v2', late]) as Iterable<unknown>) {
            __otelCtx.reenter(__otelFrame);
            log(`array got ${v}`);
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        function* values(...{ __otelFrame = __otelCtx.genFrame() }: any): Generator<unknown, void, unknown> {
          try {
            __otelCtx.reenter(__otelFrame);
            log('values start');
            __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, Promise.resolve('g1')));
            __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, 'g2'));
            log('values end');
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, values()) as Iterable<unknown>) {
            __otelCtx.reenter(__otelFrame);
            log(`generator got ${v}`);
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        log('done');
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
  {
    name: 'early break and throw out of for-await (return called, or absent and not called)',
    async plain(log) {
      async function* gen(): AsyncGenerator<unknown, void, unknown> {
        try {
          log('gen 1');
          yield 1;
          log('not reached');
        } finally {
          log('gen finally');
          await null;
          log('gen finally after await');
        }
      }
      for await (const v of gen()) {
        log(`got ${v}`);
        break;
      }
      log('after break from generator');
      const syncIterable = {
        [Symbol.iterator]() {
          let i = 0;
          return {
            next: () => (log('sync next'), { value: Promise.resolve(i++), done: false }),
            return: () => (log('sync return'), { value: undefined, done: true }),
          };
        },
      };
      for await (const v of syncIterable) {
        log(`sync got ${v}`);
        if (v === 1) break;
      }
      log('after break from sync iterator');
      const noReturn = {
        [Symbol.asyncIterator]() {
          let i = 0;
          return { next: () => (log('noReturn next'), Promise.resolve({ value: i++, done: false })) };
        },
      };
      for await (const v of noReturn) {
        log(`noReturn got ${v}`);
        if (v === 1) break;
      }
      log('after break from iterator without return');
      try {
        for await (const v of gen()) {
          log(`got ${v} then throw`);
          throw new Error('body');
        }
      } catch (e) {
        log(`caught ${(e as Error).message}`);
      }
      log('end');
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        async function* gen(...{ __otelFrame = __otelCtx.genFrame() }: any): AsyncGenerator<unknown, void, unknown> {
          try {
            __otelCtx.reenter(__otelFrame);
            try {
              log('gen 1');
              __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));
              log('not reached');
            } finally {
              __otelCtx.reenter(__otelFrame);
              log('gen finally');
              __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
              log('gen finally after await');
            }
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, gen()) as AsyncIterable<unknown>) {
            __otelCtx.reenter(__otelFrame);
            log(`got ${v}`);
            break;
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        log('after break from generator');
        const syncIterable = {
          [Symbol.iterator]() {
            let i = 0;
            return {
              next: () => (log('sync next'), { value: Promise.resolve(i++), done: false }),
              return: () => (log('sync return'), { value: undefined, done: true }),
            };
          },
        };
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, syncIterable) as Iterable<unknown>) {
            __otelCtx.reenter(__otelFrame);
            log(`sync got ${v}`);
            if (v === 1) break;
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        log('after break from sync iterator');
        const noReturn = {
          [Symbol.asyncIterator]() {
            let i = 0;
            return { next: () => (log('noReturn next'), Promise.resolve({ value: i++, done: false })) };
          },
        };
        try {
          for await (const v of __otelCtx.forAwait(__otelFrame, noReturn) as AsyncIterable<unknown>) {
            __otelCtx.reenter(__otelFrame);
            log(`noReturn got ${v}`);
            if (v === 1) break;
          }
        } finally {
          __otelCtx.reenter(__otelFrame);
        }
        log('after break from iterator without return');
        try {
          try {
            for await (const v of __otelCtx.forAwait(__otelFrame, gen()) as AsyncIterable<unknown>) {
              __otelCtx.reenter(__otelFrame);
              log(`got ${v} then throw`);
              throw new Error('body');
            }
          } finally {
            __otelCtx.reenter(__otelFrame);
          }
        } catch (e) {
          __otelCtx.reenter(__otelFrame);
          log(`caught ${(e as Error).message}`);
        }
        log('end');
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
  {
    name: 'return await in try/finally, awaits in catch and finally, Promise.all over map(async)',
    async plain(log) {
      async function f(x: number) {
        try {
          return await Promise.resolve(x * 10);
        } finally {
          log(`f finally ${x}`);
          await null;
          log(`f finally after await ${x}`);
        }
      }
      async function g() {
        try {
          await Promise.reject(new Error('r'));
        } catch (e) {
          log(`g catch ${(e as Error).message}`);
          await null;
          log('g catch after await');
        } finally {
          log('g finally');
        }
      }
      const results = await Promise.all(
        [1, 2, 3].map(async (n) => {
          log(`map ${n}`);
          await null;
          log(`map after ${n}`);
          return f(n);
        }),
      );
      log(`results ${results.join(',')}`);
      await g();
      return results.length;
    },
    async compiled(log) {
      const __otelFrame = __otelCtx.frame();
      try {
        async function f(x: number) {
          const __otelFrame = __otelCtx.frame();
          try {
            try {
              return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.resolve(x * 10)));
            } finally {
              __otelCtx.reenter(__otelFrame);
              log(`f finally ${x}`);
              __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
              log(`f finally after await ${x}`);
            }
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        async function g() {
          const __otelFrame = __otelCtx.frame();
          try {
            try {
              __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.reject(new Error('r'))));
            } catch (e) {
              __otelCtx.reenter(__otelFrame);
              log(`g catch ${(e as Error).message}`);
              __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
              log('g catch after await');
            } finally {
              __otelCtx.reenter(__otelFrame);
              log('g finally');
            }
          } finally {
            __otelCtx.exit(__otelFrame);
          }
        }
        const results = __otelCtx.resume(
          __otelFrame,
          await __otelCtx.suspend(
            __otelFrame,
            Promise.all(
              [1, 2, 3].map(async (n) => {
                const __otelFrame = __otelCtx.frame();
                try {
                  log(`map ${n}`);
                  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
                  log(`map after ${n}`);
                  return f(n);
                } finally {
                  __otelCtx.exit(__otelFrame);
                }
              }),
            ),
          ),
        );
        log(`results ${results.join(',')}`);
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, g()));
        return results.length;
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    },
  },
];

describe('microtask timing: the rewrite adds no ticks', () => {
  useCompiledManager();

  for (const program of PROGRAMS) {
    it(program.name, async () => {
      const plain = await record(program.plain);
      const compiled = await record(program.compiled);
      expect(compiled.events).toEqual(plain.events);
      // Every compiled log() ran in A, and every plain ticker job in root (nothing leaked).
      expect(compiled.contexts.length).toBeGreaterThan(3);
      expect(compiled.contexts.filter((ctx) => ctx !== 'A')).toEqual([]);
      expect(compiled.tickerContexts.filter((ctx) => ctx !== undefined)).toEqual([]);
      // The plain run loses A after its first suspension: the rewrite is what carries it.
      expect(plain.contexts).toContain(undefined);
    });
  }
});

describe('forAwait', () => {
  useCompiledManager();

  it('exposes only the iterator kind the iterable has, and return only when the inner iterator has one', () => {
    const f = __otelCtx.frame();
    const done = async () => ({ value: undefined, done: true });
    const asyncWithReturn = { [Symbol.asyncIterator]: () => ({ next: done, return: done }) };
    const asyncWithout = { [Symbol.asyncIterator]: () => ({ next: done }) };
    type Wrapped = Record<symbol, (() => { next: unknown; return: unknown }) | undefined>;

    const a = __otelCtx.forAwait(f, asyncWithReturn) as Wrapped;
    expect(a[Symbol.iterator]).toBeUndefined();
    expect(typeof a[Symbol.asyncIterator]!().return).toBe('function');
    const b = __otelCtx.forAwait(f, asyncWithout) as Wrapped;
    expect(b[Symbol.asyncIterator]!().return).toBeUndefined();

    // Array iterators have no return; generator objects do.
    const c = __otelCtx.forAwait(f, [1, 2]) as Wrapped;
    expect(c[Symbol.asyncIterator]).toBeUndefined();
    expect(c[Symbol.iterator]!().return).toBeUndefined();
    const d = __otelCtx.forAwait(f, (function* () {})()) as Wrapped;
    expect(typeof d[Symbol.iterator]!().return).toBe('function');
    __otelCtx.exit(f);
  });

  it('next and return call the inner methods on the inner iterator and pass their results through', () => {
    const f = __otelCtx.frame();
    const nextResult = { value: 1, done: false };
    const returnResult = { value: 2, done: true };
    const receivers: unknown[] = [];
    const inner = {
      next(this: unknown) {
        receivers.push(this);
        return nextResult;
      },
      return(this: unknown) {
        receivers.push(this);
        return returnResult;
      },
    };
    const wrapped = __otelCtx.forAwait(f, { [Symbol.iterator]: () => inner }) as Iterable<unknown>;
    const iterator = wrapped[Symbol.iterator]() as { next(): unknown; return(): unknown };
    expect(iterator.next()).toBe(nextResult);
    __otelCtx.reenter(f);
    expect(iterator.return()).toBe(returnResult);
    __otelCtx.reenter(f);
    expect(receivers).toEqual([inner, inner]);
    __otelCtx.exit(f);
  });

  it('passes null, undefined and non-iterables through, so the loop raises its own TypeError', () => {
    const f = __otelCtx.frame();
    expect(__otelCtx.forAwait(f, null)).toBe(null);
    expect(__otelCtx.forAwait(f, undefined)).toBe(undefined);
    const notIterable = { [Symbol.asyncIterator]: 5 };
    expect(__otelCtx.forAwait(f, notIterable)).toBe(notIterable);
    const plainObject = {};
    expect(__otelCtx.forAwait(f, plainObject)).toBe(plainObject);
    __otelCtx.exit(f);
  });
});

describe('bind (compiled callbacks)', () => {
  useCompiledManager();

  it('preserves this, arguments, return value and thrown error identity; restores the caller context', () => {
    const self = {};
    const ret = {};
    const bound = context.with(A, () =>
      __otelCtx.bind(function (this: unknown, ...args: unknown[]) {
        return { self: this, args, ctx: cur(), ret };
      }),
    );
    const result = context.with(B, () => bound.call(self, 1, 'two', undefined));
    expect(result.self).toBe(self);
    expect(result.args).toEqual([1, 'two', undefined]);
    expect(result.args).toHaveLength(3);
    expect(result.ctx).toBe('A');
    expect(result.ret).toBe(ret);

    for (const thrown of [new Error('e'), { not: 'an error' }, 'a string']) {
      const thrower = context.with(A, () =>
        __otelCtx.bind(() => {
          throw thrown;
        }),
      );
      context.with(C, () => {
        let caught: unknown;
        try {
          thrower();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBe(thrown);
        expect(cur()).toBe('C');
      });
    }
  });

  it('returns non-functions as they are', () => {
    const object = {};
    for (const value of [undefined, null, 0, 'code string', object]) {
      expect(__otelCtx.bind(value)).toBe(value);
    }
  });

  it('timers and microtasks run in the context they were scheduled in; uncompiled ones in root', async () => {
    const seen: string[] = [];
    const note = (what: string) => () => seen.push(`${what} ${cur()}`);
    context.with(A, () => {
      setTimeout(__otelCtx.bind(note('setTimeout')), 1);
      setImmediate(__otelCtx.bind(note('setImmediate')));
      queueMicrotask(__otelCtx.bind(note('queueMicrotask')));
      process.nextTick(__otelCtx.bind(note('nextTick')));
      setTimeout(note('plain setTimeout'), 1);
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.sort()).toEqual(['nextTick A', 'plain setTimeout undefined', 'queueMicrotask A', 'setImmediate A', 'setTimeout A'].sort());
  });

  it('promise callbacks run in the context at registration, not creation or resolution', async () => {
    let resolve!: (v: string) => void;
    const p = context.with(C, () => new Promise<string>((r) => (resolve = r)));
    const seen: string[] = [];
    const done = context.with(A, () =>
      p.then(__otelCtx.bind((v: string) => seen.push(`then ${v} ${cur()}`))).finally(__otelCtx.bind(() => seen.push(`finally ${cur()}`))),
    );
    context.with(B, () => resolve('x'));
    await done;
    expect(seen).toEqual(['then x A', 'finally A']);
  });
});

/** Like OTel's StackContextManager: synchronous with() over a stack, nothing across async boundaries. */
class StackLikeContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  withCalls = 0;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.withCalls++;
    const previous = this.current;
    this.current = ctx || ROOT_CONTEXT;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => (target as Function).apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

describe('under a foreign manager: AsyncLocalStorageContextManager', () => {
  beforeEach(() => {
    expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true);
  });
  afterEach(() => {
    context.disable();
    expect(slot()).toBe(EMPTY);
  });

  it('the helpers add no wrapper and no frame (ALS carries the context itself)', () => {
    // A manager that exists but is not enabled must not turn propagation on.
    new CompiledContextManager();
    const fn = () => cur();
    expect(__otelCtx.bind(fn)).toBe(fn);
    const f = __otelCtx.frame();
    expect(__otelCtx.frame()).toBe(f);
    expect(__otelCtx.genFrame()).toBe(f);
    const thenable = { then() {} };
    expect(__otelCtx.suspend(f, thenable)).toBe(thenable);
    expect(__otelCtx.leave(f, thenable)).toBe(thenable);
    expect(__otelCtx.resume(f, thenable)).toBe(thenable);
    const iterable = [1];
    expect(__otelCtx.forAwait(f, iterable)).toBe(iterable);
  });

  it('compiled callbacks and awaits still run in their captured context', async () => {
    const seen: string[] = [];
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        setTimeout(
          __otelCtx.bind(() => seen.push(`timer ${cur()}`)),
          1,
        );
        Promise.resolve().then(__otelCtx.bind(() => seen.push(`then ${cur()}`)));
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 3))));
        seen.push(`after await ${cur()}`);
        try {
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, rejectSoon(new Error('x'))));
        } catch {
          __otelCtx.reenter(__otelFrame);
          seen.push(`catch ${cur()}`);
        }
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    await Promise.all([context.with(A, compiled), context.with(B, compiled)]);
    expect(seen.sort()).toEqual(['then A', 'then B', 'timer A', 'timer B', 'after await A', 'after await B', 'catch A', 'catch B'].sort());
    expect(cur()).toBeUndefined();
  });
});

describe('under a foreign manager: a StackContextManager-like one', () => {
  let manager: StackLikeContextManager;
  beforeEach(() => {
    manager = new StackLikeContextManager();
    expect(context.setGlobalContextManager(manager.enable())).toBe(true);
  });
  afterEach(() => {
    context.disable();
    expect(slot()).toBe(EMPTY);
  });

  it('bind routes through its with(): callbacks run in the captured context, then it is restored', async () => {
    const seen: string[] = [];
    context.with(A, () => {
      setTimeout(
        __otelCtx.bind(() => seen.push(`timer ${cur()}`)),
        1,
      );
      queueMicrotask(__otelCtx.bind(() => seen.push(`microtask ${cur()}`)));
      Promise.resolve().then(__otelCtx.bind(() => seen.push(`then ${cur()}`)));
      // Control: the same callback without bind runs in root under this manager.
      setTimeout(() => seen.push(`plain timer ${cur()}`), 1);
    });
    const callsBefore = manager.withCalls;
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.sort()).toEqual(['microtask A', 'plain timer undefined', 'then A', 'timer A'].sort());
    expect(manager.withCalls - callsBefore).toBe(3);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('the wrapper passes this, arguments, return value and thrown errors through, and never throws itself', () => {
    const self = {};
    const ret = {};
    const bound = context.with(A, () =>
      __otelCtx.bind(function (this: unknown, ...args: unknown[]) {
        return { self: this, args, ctx: cur(), ret };
      }),
    );
    const result = context.with(B, () => bound.call(self, 1, 2));
    expect(result).toEqual({ self, args: [1, 2], ctx: 'A', ret });
    expect(result.self).toBe(self);
    expect(result.ret).toBe(ret);

    const error = new Error('thrown');
    const thrower = __otelCtx.bind(() => {
      throw error;
    });
    let caught: unknown;
    try {
      context.with(C, thrower);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    expect(manager.active()).toBe(ROOT_CONTEXT);
    // Bound at root, and non-functions: no errors.
    expect(__otelCtx.bind(() => cur())()).toBeUndefined();
    expect(__otelCtx.bind(undefined)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// context.attach (OpenTelemetry API 1.10): the token contract as OTel's own AsyncLocalStorageContextManager
// tests it, then what compiled code adds: an attach stays inside the function that made it.

describe('context.attach: the token contract (as OTel tests AsyncLocalStorageContextManager)', () => {
  useCompiledManager();

  it('the API reaches the manager (no "does not implement attach()" warning, no no-op token)', () => {
    const token = context.attach(A);
    expect(cur()).toBe('A');
    token.dispose();
    expect(cur()).toBeUndefined();
  });

  it('nested attaches restore in order', () => {
    const t1 = context.attach(A);
    const t2 = context.attach(B);
    const t3 = context.attach(C);
    expect(cur()).toBe('C');
    t3.dispose();
    expect(cur()).toBe('B');
    t2.dispose();
    expect(cur()).toBe('A');
    t1.dispose();
    expect(context.active()).toBe(ROOT_CONTEXT);
    expect(slot()).toBe(EMPTY);
  });

  it('with() and bind() inside an attach run in their own context and come back to the attached one', () => {
    const t1 = context.attach(A);
    expect(context.with(B, cur)).toBe('B');
    expect(context.bind(C, cur)()).toBe('C');
    context.with(B, () => {
      const t3 = context.attach(C);
      expect(cur()).toBe('C');
      t3.dispose();
      expect(cur()).toBe('B');
    });
    expect(cur()).toBe('A');
    t1.dispose();
    expect(cur()).toBeUndefined();
  });

  it('dispose twice is a no-op; out of order, each token puts back what was active at its attach', () => {
    const t1 = context.attach(A);
    t1.dispose();
    const t2 = context.attach(B);
    t1.dispose();
    expect(cur()).toBe('B');
    t2.dispose();
    expect(cur()).toBeUndefined();

    const u1 = context.attach(A);
    const u2 = context.attach(B);
    u1.dispose();
    expect(cur()).toBeUndefined();
    u2.dispose();
    expect(cur()).toBe('A');
    u1.dispose();
    expect(cur()).toBe('A');
    context.attach(ROOT_CONTEXT);
    expect(slot()).toBe(EMPTY);
  });

  it('the token is disposable: Symbol.dispose, and `using` as TypeScript compiles it', async () => {
    const token = context.attach(A);
    expect((token as unknown as Record<symbol, unknown>)[Symbol.dispose]).toBe(token.dispose);
    (token as unknown as Record<symbol, () => void>)[Symbol.dispose]!();
    expect(cur()).toBeUndefined();
    const ts = (await import('typescript')).default;
    const source = `export function run(context, ctx, cur) { { using token = context.attach(ctx); var inside = cur(); } return [inside, cur()]; }`;
    const js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
    }).outputText;
    expect(js).toContain('__addDisposableResource');
    const module = { exports: {} as { run: (c: unknown, ctx: Context, cur: () => Ctx) => Ctx[] } };
    new Function('module', 'exports', js)(module, module.exports);
    expect(module.exports.run(context, B, cur)).toEqual(['B', undefined]);
  });

  it('works on a disabled manager too, synchronously (as AsyncLocalStorageContextManager does)', () => {
    const manager = new CompiledContextManager();
    const token = manager.attach(A);
    expect(manager.active()).toBe(A);
    token.dispose();
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('two concurrent chains of callbacks that each attach never see each other (OTel sibling-chain test)', async () => {
    // As OTel's test: the attaches happen in timer callbacks. Here the callbacks are compiled (bound where they are
    // scheduled) inside a request's context, which is where attach is called in practice.
    const seen: string[] = [];
    const chain = (ctx: Context, ms: number) =>
      new Promise<void>((resolve) => {
        setTimeout(
          __otelCtx.bind(() => {
            const token = context.attach(ctx);
            seen.push(`attached ${cur()}`);
            setTimeout(
              __otelCtx.bind(() => {
                seen.push(`later ${cur()}`);
                token.dispose();
                resolve();
              }),
              ms,
            );
          }),
          ms,
        );
      });
    await context.with(C, () => Promise.all([chain(A, 10), chain(B, 5)]));
    expect(seen).toEqual(['attached B', 'attached A', 'later B', 'later A']);
    expect(cur()).toBeUndefined();
  });
});

describe('context.attach in compiled code', () => {
  useCompiledManager();

  /** A compiled async function (the transform's shape) that attaches `ctx` before its first await. */
  function attaching(seen: string[], name: string, ctx: Context, dispose: boolean) {
    return async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        const token = context.attach(ctx);
        seen.push(`${name} attached ${cur()}`);
        // Long enough that a 1 ms timer the test sets after calling this fires first, even on a loaded machine.
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 20))));
        seen.push(`${name} after timer ${cur()}`);
        setTimeout(
          __otelCtx.bind(() => seen.push(`${name} timer callback ${cur()}`)),
          1,
        );
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.resolve()));
        seen.push(`${name} after promise ${cur()}`);
        if (dispose) {
          token.dispose();
          seen.push(`${name} disposed ${cur()}`);
          __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, null));
          seen.push(`${name} after dispose ${cur()}`);
        }
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    };
  }

  for (const dispose of [true, false]) {
    it(`an attach before the first await holds across the function's awaits and never reaches its caller (${dispose ? 'disposed' : 'never disposed'})`, async () => {
      const seen: string[] = [];
      const chain = plainMicrotaskChain(20);
      const promise = context.with(C, () => {
        const p = attaching(seen, 'f', A, dispose)();
        seen.push(`caller ${cur()}`);
        return p;
      });
      seen.push(`top ${cur()}`);
      await promise;
      await new Promise((r) => setTimeout(r, 5));
      expect(seen).toEqual([
        'f attached A',
        'caller C',
        'top undefined',
        'f after timer A',
        'f after promise A',
        ...(dispose ? ['f disposed C', 'f after dispose C'] : []),
        'f timer callback A',
      ]);
      expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
    });
  }

  it('in the empty context too (the function gets a frame of its own while a manager is enabled)', async () => {
    const seen: string[] = [];
    const chain = plainMicrotaskChain(20);
    const p = attaching(seen, 'f', A, false)();
    seen.push(`caller ${cur()}`);
    queueMicrotask(() => seen.push(`uncompiled microtask ${cur()}`));
    setTimeout(() => seen.push(`uncompiled timer ${cur()}`), 1);
    await p;
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([
      'f attached A',
      'caller undefined',
      'uncompiled microtask undefined',
      'uncompiled timer undefined',
      'f after timer A',
      'f after promise A',
      'f timer callback A',
    ]);
    expect(chain.filter((ctx) => ctx !== undefined)).toEqual([]);
  });

  it('concurrent requests that attach and interleave awaits each keep their own context', async () => {
    const seen: string[] = [];
    await Promise.all([attaching(seen, 'a', A, false)(), attaching(seen, 'b', B, true)(), context.with(C, attaching(seen, 'c', A, false))]);
    await new Promise((r) => setTimeout(r, 5));
    // Each line ends with the context that line saw: a and c their own A, b its B until it disposed (then root).
    for (const line of seen) {
      const expected = line.startsWith('b') ? (line.includes('dispose') ? 'undefined' : 'B') : 'A';
      expect(line.split(' ').pop(), line).toBe(expected);
    }
    expect(seen).toHaveLength(14);
  });

  it('an attach in a generator body holds across its yields, never in the code that calls next()', () => {
    function* gen(...{ __otelFrame = __otelCtx.genFrame() }: { __otelFrame?: __otelCtx.Frame }[]) {
      try {
        __otelCtx.reenter(__otelFrame);
        const token = context.attach(A);
        __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, cur()));
        __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, cur()));
        token.dispose();
        __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, cur()));
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const g = context.with(C, () => gen());
    const seen = [g.next().value, cur(), context.with(B, () => [g.next().value, cur()]), g.next().value, cur()];
    expect(seen).toEqual(['A', undefined, ['A', 'B'], 'C', undefined]);
  });

  it('an attach in a compiled callback ends with the callback', async () => {
    const seen: Ctx[] = [];
    await new Promise<void>((resolve) =>
      context.with(C, () =>
        setTimeout(
          __otelCtx.bind(() => {
            context.attach(A);
            seen.push(cur());
            queueMicrotask(() => {
              seen.push(cur());
              resolve();
            });
          }),
          1,
        ),
      ),
    );
    expect(seen).toEqual(['A', undefined]);
  });

  it('an attach in a sync function called from a compiled async function stays in that async function', async () => {
    const seen: string[] = [];
    const helper = () => void context.attach(B);
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        helper();
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, 1));
        seen.push(`after ${cur()}`);
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const p = context.with(A, () => (compiled(), [seen.push(`caller ${cur()}`)]));
    void p;
    await new Promise((r) => setTimeout(r, 1));
    expect(seen).toEqual(['caller A', 'after B']);
  });
});

describe('CompiledContextManager instances and disable()', () => {
  afterEach(() => {
    context.disable();
    for (const manager of enabledManagers.splice(0)) manager.disable();
    expect(slot()).toBe(EMPTY);
  });

  it('instances do not influence each other: with() (as OTel tests its own managers)', () => {
    const a = enabled();
    const b = enabled();
    a.with(A, () => {
      expect(a.active()).toBe(A);
      expect(b.active()).toBe(ROOT_CONTEXT);
      b.with(B, () => {
        expect(a.active()).toBe(A);
        expect(b.active()).toBe(B);
        a.with(ROOT_CONTEXT, () => {
          expect(a.active()).toBe(ROOT_CONTEXT);
          expect(b.active()).toBe(B);
        });
      });
      expect(b.active()).toBe(ROOT_CONTEXT);
    });
  });

  it('instances do not influence each other: bind() and attach()', () => {
    const a = enabled();
    const b = enabled();
    const fn = b.bind(
      B,
      a.bind(A, () => [a.active(), b.active()]),
    );
    expect(fn()).toEqual([A, B]);
    const ta = a.attach(A);
    const tb = b.attach(B);
    expect([a.active(), b.active()]).toEqual([A, B]);
    ta.dispose();
    expect([a.active(), b.active()]).toEqual([ROOT_CONTEXT, B]);
    tb.dispose();
    expect([a.active(), b.active()]).toEqual([ROOT_CONTEXT, ROOT_CONTEXT]);
  });

  it('compiled code carries every instance context at once', async () => {
    const a = enabled();
    const b = enabled();
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        return [a.active(), b.active()];
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    const [both, onlyA] = await Promise.all([a.with(A, () => b.with(B, compiled)), a.with(C, compiled)]);
    expect(both).toEqual([A, B]);
    expect(onlyA).toEqual([C, ROOT_CONTEXT]);
  });

  it('disabling one of two enabled instances leaves propagation on for the other', async () => {
    const a = enabled();
    const b = enabled();
    a.disable();
    const fn = () => b.active();
    b.with(B, () => expect(__otelCtx.bind(fn)).not.toBe(fn));
    async function compiled() {
      const __otelFrame = __otelCtx.frame();
      try {
        __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, new Promise((r) => setTimeout(r, 1))));
        return b.active();
      } finally {
        __otelCtx.exit(__otelFrame);
      }
    }
    expect(await b.with(B, compiled)).toBe(B);
    const later = await new Promise((resolve) =>
      b.with(B, () =>
        setTimeout(
          __otelCtx.bind(() => resolve(b.active())),
          1,
        ),
      ),
    );
    expect(later).toBe(B);
    // Enabling is counted per instance: enabling one twice and disabling it once turns it off.
    b.enable();
    b.disable();
    b.with(B, () => expect(__otelCtx.bind(fn)).toBe(fn));
  });

  it('a disabled instance still runs with(), bind() and attach() synchronously, and reads its context', () => {
    const manager = new CompiledContextManager();
    expect(manager.with(A, () => manager.active())).toBe(A);
    expect(manager.bind(B, () => manager.active())()).toBe(B);
    const token = manager.attach(C);
    expect(manager.active()).toBe(C);
    token.dispose();
    expect(manager.active()).toBe(ROOT_CONTEXT);
    // Not enabled, it turns no propagation on: compiled callbacks are not wrapped.
    const fn = () => 1;
    manager.with(A, () => expect(__otelCtx.bind(fn)).toBe(fn));
  });
});

describe('native promises under a replaced global Promise (zone.js, core-js, bluebird as global)', () => {
  useCompiledManager();

  it('an awaited native promise is awaited as it is; an instance of the replacement too; other thenables are adopted', () => {
    const saved = globalThis.Promise;
    class Replacement {
      then() {}
    }
    const native = (async () => 1)();
    const replacement = new Replacement();
    const thenable = { then() {} };
    let seen: unknown[] = [];
    globalThis.Promise = Replacement as unknown as PromiseConstructor;
    try {
      seen = context.with(A, () =>
        [native, replacement, thenable].map((value) => {
          const f = __otelCtx.frame();
          const awaited = __otelCtx.suspend(f, value);
          __otelCtx.resume(f, undefined);
          __otelCtx.exit(f);
          return awaited === value;
        }),
      );
    } finally {
      globalThis.Promise = saved;
    }
    expect(seen).toEqual([true, true, false]);
  });
});
