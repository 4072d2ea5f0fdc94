// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * Listeners bound at registration (`listeners: "registration"`), XHR and img/script events run in
 * the context of `send()` / setting `src`, and CompiledContextManager.bind of an EventEmitter or
 * EventTarget. Compiled code reaches these helpers through its receiver, `R.m(args)` becoming
 * `listen(R, "m").m(args)`: R is evaluated once, an optional chain still short-circuits before the
 * arguments run, `this`, arguments and the return value are R's own. Nothing here patches a global.
 *
 * Every wrapper we register is kept in a per-target list next to the listener it wraps, so that
 * removing the original function removes the wrapper, EventTarget's de-duplication of (type,
 * listener, capture) still holds, and nothing is kept once a listener is removed (or, for `once`,
 * has run). A wrapper's `listener` property is the original: Node's `listeners()` unwraps it, and
 * its `removeListener(fn)` finds it even from code we did not compile.
 */
import { active, propagationOn, runIn, setTargetBinder, type Store } from './slot.js';

type Listener = Function | { handleEvent: Function };
/** Runs a listener's function: `target` is what dispatched it (`this` of the wrapper). */
export type Runner = (fn: Function, self: unknown, args: IArguments, target: unknown) => unknown;
interface Entry {
  /** Event type, listener as registered, capture flag (EventTarget), the wrapper registered instead. */
  t: unknown;
  f: Listener;
  c: boolean;
  w: Function;
}

/** The context of the last `send()` of an XHR, or of setting an img's or script's `src`. */
const started = new WeakMap<object, Store>();
const registered = new WeakMap<object, Entry[]>();

function wrapper(l: Listener, run: Runner, done?: () => void): Function {
  const w = function (this: unknown) {
    if (done) done();
    return typeof l === 'function' ? run(l, this, arguments, this) : run(l.handleEvent, l, arguments, this);
  };
  (w as unknown as { listener: Listener }).listener = l;
  return w;
}

/** Runs in the dispatching target's start context (send/src), else in `captured`, else as dispatched. */
function runner(captured: Store | undefined): Runner {
  return (fn, self, args, target) => {
    const s = (target ? started.get(target as object) : undefined) || captured;
    return s ? runIn(s, fn as () => unknown, self, args as unknown as []) : fn.apply(self, args);
  };
}

/**
 * Calls `original` (target's registration or removal method `m`) with the listener at argument 1
 * replaced by its wrapper. Removal methods start with `remove` or `off`; EventTarget's end in `EventListener`.
 */
export function register(target: object, original: Function, m: string, args: IArguments, run: Runner): unknown {
  const a = Array.prototype.slice.call(args);
  const type = a[0];
  const l = a[1];
  let list = registered.get(target);
  const eventTarget = m.slice(-13) === 'EventListener';
  const options = a[2];
  const capture = eventTarget && !!(options && typeof options === 'object' ? options.capture : options);
  if (m === 'removeAllListeners') {
    if (list)
      registered.set(
        target,
        list.filter((e) => a.length > 0 && e.t !== type),
      );
  } else if (typeof l === 'function' || (eventTarget && l && typeof l === 'object')) {
    let i = list ? list.length : 0;
    while (i-- > 0 && !(list![i]!.t === type && list![i]!.f === l && (!eventTarget || list![i]!.c === capture)));
    if (/^(remove|off)/.test(m)) {
      if (i >= 0) a[1] = list!.splice(i, 1)[0]!.w;
    } else if (i >= 0 && eventTarget) {
      // Registered already: the target ignores a second (type, listener, capture).
      a[1] = list![i]!.w;
    } else {
      const dict = eventTarget && options && typeof options === 'object' ? options : undefined;
      const once = dict ? !!dict.once : !eventTarget && /nce/.test(m);
      const e = { t: type, f: l, c: capture } as Entry;
      const forget = () => (list = registered.get(target)) && list.indexOf(e) >= 0 && list.splice(list.indexOf(e), 1);
      e.w = wrapper(l, run, once ? forget : undefined);
      // `{ signal }`: the target drops the listener when the signal aborts (adds none if it has), and so do we.
      const signal = dict && dict.signal;
      if (!(signal && signal.aborted)) {
        if (signal && typeof signal.addEventListener === 'function') signal.addEventListener('abort', forget, { once: true });
        if (!list) registered.set(target, (list = []));
        list.push(e);
      }
      a[1] = e.w;
    }
  }
  return original.apply(target, a);
}

/** `{ m() }` calling R's own `m` through register; R itself when it has no such method (the call then fails or short-circuits as written). */
function adapter(target: unknown, m: string, run: Runner): unknown {
  const original = target != null && (target as Record<string, unknown>)[m];
  if (typeof original !== 'function') return target;
  return {
    [m]: function () {
      return register(target as object, original, m, arguments, run);
    },
  };
}

/** `R.addEventListener(...)`, `R.on(...)`, their removals: the listener runs in the context of this registration. */
export function listen<T>(target: T, m: string): T {
  return adapter(target, m, runner(propagationOn() ? active() : undefined)) as T;
}

/** The same on an XHR, img or script element, with dispatch semantics: the listener runs in the context of send() / src. */
export function listenStarted<T>(target: T, m: string): T {
  return adapter(target, m, runner(undefined)) as T;
}

/** `R.onload = fn`: fn bound to this context (registration) — or, on an XHR/img/script, to send() / src. */
export function handler<T>(fn: T): T {
  return typeof fn === 'function' ? (wrapper(fn, runner(propagationOn() ? active() : undefined)) as T) : fn;
}
export function startedHandler<T>(fn: T): T {
  return typeof fn === 'function' ? (wrapper(fn, runner(undefined)) as T) : fn;
}

/** `xhr.send(body)`, `img.src = url`: records this context on the instance for its listeners. */
export function starts<T>(target: T, m: string): T {
  if (target == null || typeof target !== 'object') return target;
  const t = target as unknown as Record<string, unknown>;
  if (m === 'src') {
    return {
      set src(v: unknown) {
        started.set(t, active());
        t.src = v;
      },
    } as T;
  }
  const original = t[m];
  if (typeof original !== 'function') return target;
  return {
    [m]: function () {
      const s = active();
      started.set(t, s);
      // An XHR's `upload` dispatches its own events for this send() (catalog: STARTED_BOUNDARIES parts).
      const upload = m === 'send' ? t.upload : undefined;
      if (upload && typeof upload === 'object') started.set(upload, s);
      return original.apply(t, arguments);
    },
  } as T;
}

const METHODS = [
  'addEventListener',
  'removeEventListener',
  'addListener',
  'on',
  'once',
  'prependListener',
  'prependOnceListener',
  'removeListener',
  'off',
  'removeAllListeners',
];

/**
 * CompiledContextManager.bind(ctx, emitter or target): patches this instance's registration and
 * removal methods (as OpenTelemetry's AsyncLocalStorage manager does for EventEmitter, and its
 * ZoneContextManager for EventTarget) so that every listener added through them runs via `run`.
 */
function bindListeners(target: Record<string, unknown>, run: Runner): void {
  const f = (m: string) => typeof target[m] === 'function';
  if (!(f('addEventListener') && f('removeEventListener')) && !(f('addListener') && f('removeListener') && f('emit'))) return;
  // Node's once() calls this.on(): the listener is wrapped once, by the outer call.
  let inside = false;
  for (const m of METHODS) {
    const original = target[m];
    if (typeof original === 'function') {
      target[m] = function (this: unknown) {
        if (inside) return original.apply(this, arguments);
        inside = true;
        try {
          return register(target, original, m, arguments, run);
        } finally {
          inside = false;
        }
      };
    }
  }
}

/**
 * Makes CompiledContextManager.bind(ctx, target) bind EventEmitters and EventTargets (the Node
 * runtime entry calls it as it loads). Separate so that browser bundles that never bind a target
 * carry none of this.
 */
export function enableTargetBinding(): void {
  setTargetBinder(bindListeners);
}
