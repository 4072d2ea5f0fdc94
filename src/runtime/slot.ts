// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The one synchronous slot every compiled boundary saves and restores, and the
 * helpers compiled code calls. This file ships to browsers: keep it small, and
 * keep the await path (suspend/resume) free of allocations and closures.
 *
 * The slot holds a Store: an immutable list of key/value pairs, newest first.
 * Each CompiledContextManager instance keeps its OTel context there under its
 * own key (instances never see each other's context), and each
 * `AsyncContext.Variable` its value. With one manager the list is one entry
 * long, so `active()` is one comparison.
 */

export class Store {
  /** The empty store is the one node without `n`; every other node holds one entry. */
  constructor(
    readonly k?: unknown,
    readonly v?: unknown,
    readonly n?: Store,
  ) {}
  getValue(key: unknown): unknown {
    for (let s: Store = this; s.n; s = s.n) if (s.k === key) return s.v;
    return undefined;
  }
  setValue(key: unknown, value: unknown): Store {
    return new Store(key, value, this.deleteValue(key));
  }
  /** Rebuilds only the entries before `key`; returns this list itself when the key is absent. */
  deleteValue(key: unknown): Store {
    if (!this.n) return this;
    if (this.k === key) return this.n;
    const rest = this.n.deleteValue(key);
    return rest === this.n ? this : new Store(this.k, this.v, rest);
  }
}

/**
 * Slot state lives on one object shared through a registered symbol, so that
 * every copy of this module in a process (the ESM and CommonJS builds, the
 * plain-script preludes, or two installed versions) reads and writes the same
 * slot. Without that, code compiled to CommonJS and a manager imported as ESM
 * would each see a different slot.
 */
interface SlotState {
  /** What the slot holds now. */
  current: Store;
  /** The empty (root) store: what module top level and browser-originated events run in. */
  readonly empty: Store;
  /** A CompiledContextManager is enabled (context.attach may be called: async functions always get a frame). */
  managerOn: boolean;
  /** How many are. */
  managers: number;
  /** An AsyncContext.Variable exists. */
  variablesOn: boolean;
  /**
   * The context this thread or process was spawned in, when a carrier module
   * (carrier.ts, loaded by the Node entry and by runtime/web-worker) is here:
   * the manager's root. Absent, the root is ROOT_CONTEXT, and browser pages
   * carry none of the carrier code.
   */
  root?: () => unknown;
  /**
   * CompiledContextManager.bind of an EventEmitter or EventTarget (listeners.ts, installed by
   * enableTargetBinding: the Node entry does, browser pages opt in and otherwise ship none of it).
   */
  bindTargets?: (target: Record<string, unknown>, run: (fn: Function, self: unknown, args: IArguments) => unknown) => void;
}
// v2: the slot holds a Store (v1 held an OTel Context); a v1 copy in the same process keeps its own slot.
const SLOT_KEY = Symbol.for('otel-context-transformer.slot.v2');
const slot: SlotState = ((globalThis as Record<symbol, SlotState>)[SLOT_KEY] ??= (() => {
  const empty = new Store();
  return { current: empty, empty, managerOn: false, managers: 0, variablesOn: false };
})());

export const EMPTY: Store = slot.empty;

/** What the slot holds now. */
export function active(): Store {
  return slot.current;
}

/** The carried root context (see SlotState.root), or undefined. */
export function carriedRoot(): unknown {
  return slot.root && slot.root();
}

/** The installed binder of emitters and targets (see SlotState.bindTargets). */
export function targetBinder(): SlotState['bindTargets'] {
  return slot.bindTargets;
}
export function setTargetBinder(binder: SlotState['bindTargets']): void {
  slot.bindTargets = binder;
}

/** Installs the carried root (carrier.ts). */
export function setCarriedRoot(root: () => unknown): void {
  slot.root = root;
}

/** Sets the slot (context.attach and its token); the frame protocol puts it back at the next suspension. */
export function setActive(m: Store): void {
  slot.current = m;
}

/**
 * Runs `fn` with the slot set to `m`, putting back what was there however fn
 * completes: Python's attach/detach in try/finally.
 */
export function runIn<A extends unknown[], R>(m: Store, fn: (...args: A) => R, thisArg: unknown, args: A): R {
  const prev = slot.current;
  slot.current = m;
  try {
    return fn.apply(thisArg, args);
  } finally {
    slot.current = prev;
  }
}

/**
 * Propagation is on while a CompiledContextManager is enabled or an
 * AsyncContext.Variable exists. Off, the helpers pass values straight through,
 * so code compiled for us costs next to nothing under another manager (ALS).
 * Enabling is counted per instance: disabling one leaves the others working.
 */
export function managerEnabled(delta: 1 | -1): void {
  slot.managers += delta;
  slot.managerOn = slot.managers > 0;
}
export function setVariablesOn(): void {
  slot.variablesOn = true;
}
export function propagationOn(): boolean {
  return slot.managerOn || slot.variablesOn;
}

// ---------------------------------------------------------------------------
// Callbacks: timers, microtasks, promise reactions.

const OTEL_API = Symbol.for('opentelemetry.js.api.1');
interface ForeignManager {
  active(): unknown;
  with(ctx: unknown, fn: Function, thisArg?: unknown, ...args: unknown[]): unknown;
  _asyncLocalStorage?: unknown;
}

/**
 * The globally registered OTel context manager when it is not ours and cannot
 * carry context across callbacks by itself (StackContextManager,
 * ZoneContextManager on native code). AsyncLocalStorage-based managers already
 * carry it, so for them we add nothing.
 */
let otelApi: { context?: ForeignManager } | undefined;
function foreignManager(always?: boolean): ForeignManager | undefined {
  if (slot.managerOn) return undefined;
  // The API's registry object, once created, stays (registration only sets and deletes its fields).
  const api = (otelApi ??= (globalThis as Record<symbol, { context?: ForeignManager } | undefined>)[OTEL_API]);
  const m = api && api.context;
  return m && (always || !m._asyncLocalStorage) ? m : undefined;
}

/**
 * Whether there is a context to carry. The slot holds the empty context
 * whenever the stack is empty: every write to it is undone in a finally or by
 * the frame protocol before the code that made it returns or suspends (an
 * undisposed `context.attach` outside any compiled async function or bound
 * callback is the exception: like StackContextManager, it holds until
 * disposed). So a callback registered in the empty context runs later in the
 * empty context anyway, from the event loop or the microtask queue: it needs no
 * wrapper. Callbacks outside any span pay nothing.
 */
function hasContextToCarry(): boolean {
  return propagationOn() && slot.current !== slot.empty;
}

/** Binds a callback to the context active now (when it is scheduled or registered). */
export function bind<T>(cb: T): T {
  return bindTo(cb);
}

/**
 * `bind`, also under an AsyncLocalStorage manager: for a declared boundary (a queue, a pool), which
 * runs the callback from a job of its own, whose context ALS would follow instead of the submitter's.
 */
export function bindAlways<T>(cb: T): T {
  return bindTo(cb, true);
}

function bindTo<T>(cb: T, always?: boolean): T {
  if (typeof cb !== 'function') return cb;
  let fn = cb as unknown as Function;
  if (hasContextToCarry()) {
    const captured = slot.current;
    const inner = fn;
    // Named for stack traces, where this one frame shows between the scheduler and the callback.
    fn = function boundToContext(this: unknown) {
      const prev = slot.current;
      slot.current = captured;
      try {
        return inner.apply(this, arguments);
      } finally {
        slot.current = prev;
      }
    };
  }
  const foreign = foreignManager(always);
  if (foreign) {
    const ctx = foreign.active();
    const inner = fn;
    fn = function (this: unknown, ...args: unknown[]) {
      return foreign.with(ctx, inner, this, ...args);
    };
  }
  return fn as unknown as T;
}

// ---------------------------------------------------------------------------
// Frames: one per call of a compiled async function or generator.
//
// `c` is the context the body runs in. `p` is the context the body found when
// it last started running (and must put back when it stops), or `undefined`
// while the body is suspended. At each suspension `c` takes what the slot holds
// then: a `context.attach` made by the body (the only write that is not undone
// before the code that made it suspends) stays with the body across its own
// awaits and yields, and never reaches the caller. The transform emits:
//   entry            const f = frame()           (generators: genFrame(), in the parameter list)
//   await x          resume(f, await suspend(f, x))
//   yield x          resume(f, yield leave(f, x))
//   catch/finally    reenter(f)                  (a rejected await lands here still suspended)
//   completion       try { body } finally { exit(f) }

export interface Frame {
  c: Store;
  p: Store | undefined;
}

/** Shared by every frame made while no frame is needed (see frame); the helpers leave it alone. */
export const INERT_FRAME: Frame = { c: EMPTY, p: EMPTY };

/**
 * Entry of an async function: the body starts synchronously, in the caller's
 * context. In the empty context with only AsyncContext variables on, nothing
 * can be carried and nothing can attach, so the body needs no frame; while a
 * CompiledContextManager is enabled the body may call `context.attach`, which
 * needs a frame to stay out of the caller.
 */
export function frame(): Frame {
  return slot.managerOn || hasContextToCarry() ? { c: slot.current, p: slot.current } : INERT_FRAME;
}

/** Creation of a generator object: the body runs later, in the context of this moment. */
export function genFrame(): Frame {
  return propagationOn() ? { c: slot.current, p: undefined } : INERT_FRAME;
}

/** Module top level: runs in the root context after each top-level await. */
export function rootFrame(): Frame {
  return propagationOn() ? { c: EMPTY, p: slot.current } : INERT_FRAME;
}

/** Before a suspension that does not adopt thenables (yield, yield*, for-await's next): put back what we found. */
export function leave<T>(f: Frame, value: T): T {
  if (f !== INERT_FRAME && f.p !== undefined) {
    f.c = slot.current;
    slot.current = f.p;
    f.p = undefined;
  }
  return value;
}

/** Before `await`: put back what we found, and make a non-native thenable's `then` run in our context. */
export function suspend<T>(f: Frame, value: T): T {
  if (f === INERT_FRAME) return value;
  return leave(f, maybeThenable(value) ? (adopt(value, slot.current) as T) : value);
}

/**
 * Before an `await` that ends its function (`return await x`, a last `await x;`,
 * `async () => await x`) when every await of the function does: nothing of the
 * function runs after it, so it needs no frame, and it runs before any other
 * await, in the context the function was called in. Only a non-native
 * thenable's `then` must still run in that context.
 */
export function tail<T>(value: T): T {
  return hasContextToCarry() && maybeThenable(value) ? (adopt(value, slot.current) as T) : value;
}

/**
 * The engine's own Promise (%Promise%), captured at load from an async function's result: the global
 * `Promise` may have been replaced before or after we load (zone.js, core-js, bluebird installed as
 * global), and `await` still treats %Promise% instances its own way.
 */
const NativePromise = (async () => {})().constructor as PromiseConstructor;

/**
 * An object or function that is not a promise. Promises are awaited as they
 * are: native ones (subclasses too) and those of the global Promise of the
 * moment. `await` adopts a native promise without calling its `then`, and
 * TypeScript's __awaiter calls a global-Promise instance's then at once; a
 * thenable of ours in their place would add jobs.
 */
function maybeThenable(value: unknown): value is object {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    !(value instanceof NativePromise) &&
    !(value instanceof Promise)
  );
}

/**
 * `await` calls a thenable's `then` in a later job. Handing it a thenable of our
 * own with the same `then` keeps the job count (timing identical) while running
 * that `then` in the await's context.
 */
function adopt(value: object, ctx: Store): unknown {
  let then: unknown;
  try {
    then = dataThen(value);
  } catch (error) {
    return Promise.reject(error);
  }
  if (typeof then !== 'function') return value;
  return {
    then(onFulfilled: unknown, onRejected: unknown) {
      return runIn(ctx, then as (...a: unknown[]) => unknown, value, [onFulfilled, onRejected]);
    },
  };
}

/**
 * The `then` of a value when it is a data property. A getter is not called:
 * `await` calls it itself, and calling it here too would run it twice (such a
 * thenable's `then` then runs in the job's context, not the await's).
 */
function dataThen(value: object): unknown {
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, 'then');
    if (descriptor) return descriptor.get || descriptor.set ? undefined : descriptor.value;
  }
  return undefined;
}

/** After a suspension: note what we found and switch to the body's context. */
export function resume<T>(f: Frame, value: T): T {
  if (f !== INERT_FRAME) {
    f.p = slot.current;
    slot.current = f.c;
  }
  return value;
}

/** At the top of catch/finally blocks and generator bodies: resume if we got here still suspended. */
export function reenter(f: Frame): void {
  if (f !== INERT_FRAME && f.p === undefined) {
    f.p = slot.current;
    slot.current = f.c;
  }
}

/** Completion (return or throw): put back what the body found. */
export function exit(f: Frame): void {
  leave(f, undefined);
}

/**
 * Where a `for await` loop looks for the iterator method, in its order. Babel's `_asyncIterator` helper
 * (what the loop becomes for engines without async iteration, such as React Native's Hermes) tries
 * Symbol.asyncIterator, Symbol.iterator, then the string keys "@@asyncIterator" and "@@iterator": on an
 * engine without Symbol.asyncIterator (Hermes before mid-2025), Babel's async generators carry their
 * method under "@@asyncIterator". A native loop stops after the two symbols.
 */
const ITERATOR_KEYS: PropertyKey[] = [Symbol.iterator, '@@asyncIterator', '@@iterator'];
if (typeof Symbol.asyncIterator === 'symbol') ITERATOR_KEYS.unshift(Symbol.asyncIterator);

/**
 * `for await (x of y)` calls next() and awaits its result on every turn, and
 * return() on early exit. We call them in the body's context, then leave before
 * the loop awaits. Only the method the loop would pick is exposed, under the key
 * it was found at (so a loop that would not find it still does not), and `return`
 * only when the iterator has one, so the loop performs exactly the same awaits as before.
 * Typed as the identity, so that transformed TypeScript still type-checks the loop variable.
 */
export function forAwait<T>(f: Frame, iterable: T): T {
  if (f === INERT_FRAME || iterable == null) return iterable;
  const source = iterable as Record<PropertyKey, unknown>;
  let key: PropertyKey | undefined;
  let method: unknown;
  for (let i = 0; i < ITERATOR_KEYS.length && method == null; i++) method = source[(key = ITERATOR_KEYS[i]!)];
  if (typeof method !== 'function') return iterable; // let the loop raise its own TypeError
  const overSync = key === Symbol.iterator || key === '@@iterator';
  // The loop sees the same kind of iterable, exposing the same method: the identity as far as types go.
  return {
    [key!]() {
      const iterator = (method as Function).call(iterable) as Record<string, Function | undefined>;
      const next = iterator.next;
      return {
        next() {
          // A next() that throws still ends the turn: the loop then rejects, suspended or not.
          try {
            return (next as Function).call(iterator);
          } finally {
            leave(f, undefined);
          }
        },
        get return() {
          const close = iterator.return;
          // Over a sync iterable the loop awaits the close even when there is no return() (the
          // async-from-sync wrapper always has one), and reads this getter right before: leave here.
          if (close == null) return overSync ? leave(f, close) : close;
          return () => {
            try {
              return close.call(iterator);
            } finally {
              leave(f, undefined);
            }
          };
        },
      };
    },
  } as unknown as T;
}
