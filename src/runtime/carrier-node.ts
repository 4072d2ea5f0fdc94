// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * Threads and processes in Node (issue 9): loaded by runtime/node.ts, the
 * runtime entry under the "node" export condition, so browser bundles never
 * carry it. See carrier.ts for the design.
 *
 * Receiving: in a worker thread the carrier is the worker_threads environment
 * data under THREAD_CARRIER_KEY (deleted from this thread's copy, so workers it
 * spawns without our helper do not inherit it); otherwise it is the process
 * environment, read as OpenTelemetry's environment-variable carrier
 * (TRACEPARENT, TRACESTATE, BAGGAGE for W3C).
 *
 * Sending, as compiled code calls it:
 *   new Worker(file, workerOptions(options))                    node:worker_threads
 *   spawn(cmd, args, spawnOptions(options))                     node:child_process, options known
 *   spawn(...spawnArgs([cmd, args, options], true, false))      node:child_process, any call shape
 */
import { propagation, type TextMapGetter } from '@opentelemetry/api';
import { activeFields, carried, carriedRoot, dictionary, OTEL_API, withOwn, type Fields } from './carrier.js';

/** The worker_threads environment data key (a string: keys are structured-cloned). */
export const THREAD_CARRIER_KEY = 'otel-context-transformer.carrier.v1';

const g = globalThis as Record<string | symbol, any>;
const proc = g.process;
// process.getBuiltinModule: Node 20.16+, and runtimes that resolve the "node" condition without worker_threads may lack it.
const threads = proc.getBuiltinModule?.('node:worker_threads');

/** The environment variable a propagation field travels in (the spec's key normalisation). */
export function envName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
  return name === '' ? '_' : /^[0-9]/.test(name) ? `_${name}` : name;
}
const ENV_GETTER: TextMapGetter<Fields> = {
  get: (env, key) => env[envName(key)],
  keys: (env) => Object.keys(env).filter((k) => /^[A-Z_][A-Z0-9_]*$/.test(k)),
};

if (!carried.node) {
  carried.node = true;
  const fields = !threads || threads.isMainThread ? undefined : threads.getEnvironmentData(THREAD_CARRIER_KEY);
  if (fields !== undefined) {
    threads.setEnvironmentData(THREAD_CARRIER_KEY, undefined);
    carried.carrier = fields;
  } else {
    // Whatever the propagator registered later reads: extracting from variables it does not find gives the root.
    carried.carrier = proc.env;
    carried.getter = ENV_GETTER;
  }
}

/** Whether a context was carried here: any field in the environment a propagator could have written. */
function carries(): boolean {
  const env = carried.carrier;
  if (!env || env !== proc.env) return !!env;
  return ['traceparent', 'tracestate', 'baggage', ...propagation.fields()].some((f) => env[envName(f)] !== undefined);
}

/**
 * Under AsyncLocalStorageContextManager the root is what its AsyncLocalStorage
 * holds outside any `run`: nothing. We give that storage instance (no other
 * object) a getStore that answers the carried root where it would answer
 * undefined, so module top level, message handlers and every job started from
 * them see it. Done as soon as we see such a manager registered: when the
 * runtime loads, at the end of the job it loaded in (after an SDK set up with
 * --import, or in an earlier module of the graph), and whenever a helper runs.
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
// Registered: the ESM and CommonJS copies of the runtime adopt a storage once between them.
const ADOPTED = Symbol.for('otel-context-transformer.adopted.v1');

// (The job's end only when something was carried: most processes get no extra job.)
adoptInForeignManager();
if (carries()) queueMicrotask(adoptInForeignManager);

function fieldsToCarry(): Record<string, string> | undefined {
  adoptInForeignManager();
  return activeFields();
}

let clearing = false;
/**
 * `new Worker(file, options)` from node:worker_threads: the fields ride in
 * the worker_threads environment data, which the constructor copies into the
 * new worker. workerData, argv, env, execArgv and the options object stay as
 * they are (`env: SHARE_ENV` too). The entry is deleted again at the end of the
 * job, so a worker spawned later by code we did not compile does not inherit it.
 */
export function workerOptions<T = undefined>(options?: T): T {
  if (!threads) return options as T;
  // Written even when undefined (which deletes it): an earlier call's fields never reach this worker.
  threads.setEnvironmentData(THREAD_CARRIER_KEY, fieldsToCarry());
  if (!clearing) {
    clearing = true;
    queueMicrotask(() => {
      clearing = false;
      threads.setEnvironmentData(THREAD_CARRIER_KEY, undefined);
    });
  }
  return options as T;
}

/**
 * The options of a child_process call (spawn, fork, exec, execFile and their
 * Sync forms): the same options with an `env` that is a copy of the caller's
 * own `env` option (or of process.env when it has none) in which the
 * propagator's variables are replaced by the active context's. Unchanged when
 * that changes nothing.
 */
export function spawnOptions<T = undefined>(options?: T): T {
  const fields = dictionary(options) ? fieldsToCarry() : undefined;
  if (!fields) return options as T;
  // As child_process reads it: `options.env || process.env`.
  const source: Fields = (options as { env?: Fields } | null)?.env || proc.env;
  const windows = proc.platform === 'win32';
  const names = new Set([...propagation.fields(), ...Object.keys(fields)].map(envName));
  const wanted: Record<string, string> = {};
  for (const key in fields) wanted[envName(key)] = fields[key]!;
  if (!windows && [...names].every((name) => source[name] === wanted[name])) return options as T;
  const env: Fields = {};
  // for-in, as child_process reads env: inherited variables count. Windows names ignore case.
  for (const key in source) if (!names.has(windows ? key.toUpperCase() : key)) env[key] = source[key];
  return withOwn(options as object | null | undefined, 'env', Object.assign(env, wanted)) as T;
}

/**
 * The arguments of `new Worker(...args)` (node:worker_threads): the options, the second argument,
 * through workerOptions (added when absent); no arguments at all are left for the constructor to reject.
 */
export function workerArgs<A extends unknown[]>(args: [...A]): A {
  if (args.length === 0) return args;
  const out = args.slice() as A;
  out[1] = workerOptions(args[1]);
  return out;
}

/**
 * The arguments of a child_process call whose shape is not known when
 * compiling: finds the options where Node looks for them, after the optional
 * argv array (`withArgv`: spawn, fork, execFile, spawnSync, execFileSync) and
 * before an optional callback (`withCallback`: exec, execFile), and puts the
 * carrying options there. Shapes Node rejects are returned as they are.
 * Typed as the arguments given (a tuple), so that compiled TypeScript still checks the call as written.
 */
export function spawnArgs<A extends unknown[]>(args: [...A], withArgv: boolean, withCallback: boolean): A {
  let at = 1;
  if (withArgv && at < args.length && (args[at] == null || Array.isArray(args[at]))) at++;
  const options = args[at];
  const callbackHere = withCallback && typeof options === 'function';
  if (!callbackHere && !dictionary(options)) return args;
  const given = callbackHere ? undefined : options;
  const carrying = spawnOptions(given);
  if (carrying === given) return args;
  const out = args.slice() as A;
  out.splice(at, callbackHere ? 0 : 1, carrying);
  return out;
}
