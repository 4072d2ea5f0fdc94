// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The receiving end of a thread or process boundary: the context this worker
 * or process was spawned in, handed over on a W3C carrier (see carrier-spawn.ts
 * for the sending end). It is the root everything here starts from.
 *
 * Where the carrier is found, read once when this module loads:
 * - a browser Worker: a suffix of `self.name` after NAME_MARK, cut off again
 *   (`name` is [Replaceable]) so the worker's own code reads the name it was given;
 * - a Node worker thread: the worker_threads environment data under
 *   THREAD_CARRIER_KEY, deleted from this thread's copy so its own workers do
 *   not inherit it;
 * - a Node process (and a worker thread without the above): the environment
 *   variables of OpenTelemetry's environment-variable carrier (TRACEPARENT…).
 * It is turned into a Context lazily, through the propagator registered when the
 * context is first asked for (the SDK is usually set up after this module loads),
 * and again whenever another propagator gets registered.
 */
import { propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** Separates the user's own worker name from the carrier in a browser Worker's `name`. */
export const NAME_MARK = '\u2063otel-carrier\u2063';
/** The worker_threads environment data key (a string: keys are structured-cloned). */
export const THREAD_CARRIER_KEY = 'otel-context-transformer.carrier.v1';

type Fields = Record<string, string | undefined>;
interface Carried {
  /** Propagation fields as the propagator wrote them (a browser Worker or worker thread). */
  fields?: Fields;
  /** The process environment (Node), read through envName(). */
  env?: Fields;
  /** The propagator the context was extracted with, and the context. */
  propagator?: unknown;
  context?: Context;
}

/** The environment variable a propagation field travels in (the spec's key normalisation). */
export function envName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
  return name === '' ? '_' : /^[0-9]/.test(name) ? `_${name}` : name;
}
const ENV_GETTER = {
  get: (env: Fields, key: string) => env[envName(key)],
  keys: (env: Fields) => Object.keys(env).filter((k) => /^[A-Z_][A-Z0-9_]*$/.test(k)),
};

const g = globalThis as Record<string | symbol, any>;
const OTEL_API = Symbol.for('opentelemetry.js.api.1');

// Shared by every copy of the runtime in the process (like the slot): the first copy to load reads
// (and, in a worker, consumes) the carrier.
const C: Carried = (g[Symbol.for('otel-context-transformer.carrier.v1')] ??= readCarrier());

function readCarrier(): Carried {
  if (typeof g.WorkerGlobalScope === 'function') {
    const name: unknown = g.name;
    const at = typeof name === 'string' ? name.indexOf(NAME_MARK) : -1;
    if (at < 0) return {};
    Object.defineProperty(g, 'name', { value: (name as string).slice(0, at), writable: true, enumerable: true, configurable: true });
    try {
      return { fields: JSON.parse((name as string).slice(at + NAME_MARK.length)) };
    } catch {
      return {};
    }
  }
  const proc = g.process;
  if (!proc || typeof proc.getBuiltinModule !== 'function') return {};
  const threads = proc.getBuiltinModule('node:worker_threads');
  const fields = threads.isMainThread ? undefined : threads.getEnvironmentData(THREAD_CARRIER_KEY);
  if (fields !== undefined) {
    threads.setEnvironmentData(THREAD_CARRIER_KEY, undefined);
    return { fields };
  }
  return { env: proc.env };
}

/**
 * The root context here: the carried one, or ROOT_CONTEXT when nothing was
 * carried. What CompiledContextManager reports while the slot is empty.
 */
export function carriedRoot(): Context {
  if (C.fields === undefined && C.env === undefined) return ROOT_CONTEXT;
  const propagator = g[OTEL_API]?.propagation;
  if (C.context === undefined || C.propagator !== propagator) {
    // Set first: a propagator that asks for the active context while extracting gets the plain root.
    C.propagator = propagator;
    C.context = ROOT_CONTEXT;
    C.context = C.fields ? propagation.extract(ROOT_CONTEXT, C.fields) : propagation.extract(ROOT_CONTEXT, C.env, ENV_GETTER);
  }
  return C.context;
}

/**
 * Under AsyncLocalStorageContextManager the root is whatever its
 * AsyncLocalStorage holds outside any `run`: nothing. We give that storage
 * instance (and no other object) a getStore that answers the carried root
 * where it would answer undefined, so module top level, message handlers and
 * every job started from them see it. Done as soon as our runtime sees such a
 * manager registered: when it loads, at the end of the job it loaded in (after
 * an `--import`ed SDK setup), and whenever a spawning helper runs.
 */
export function adoptInForeignManager(): void {
  const storage = g[OTEL_API]?.context?._asyncLocalStorage;
  if (!storage || storage[ADOPTED] || !carries()) return;
  const getStore = storage.getStore;
  storage[ADOPTED] = true;
  storage.getStore = function (this: unknown) {
    const store = getStore.call(this);
    return store === undefined ? carriedRoot() : store;
  };
}
const ADOPTED = Symbol('otel-context-transformer.adopted');

/** Whether something was carried here (in the environment: any variable a propagator could have written). */
function carries(): boolean {
  if (C.fields) return true;
  const env = C.env;
  return !!env && [...propagation.fields(), 'traceparent', 'tracestate', 'baggage'].some((f) => env[envName(f)] !== undefined);
}

if (carries()) {
  adoptInForeignManager();
  queueMicrotask(adoptInForeignManager);
}
