// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The sending end of a thread or process boundary: compiled code calls these
 * where it spawns a worker or a process, and they hand the active context to
 * it on a W3C carrier, through `propagation.inject` (the propagator the app
 * registered). Nothing is carried when the propagator writes nothing (no span,
 * no baggage): the worker or process then gets exactly what it would have.
 * None of them mutates an object of the caller's. carrier.ts reads the carrier
 * on the other side.
 *
 *   new Worker(url, webWorkerOptions(options))                  browser Worker
 *   new Worker(file, workerOptions(options))                    node:worker_threads
 *   spawn(cmd, args, spawnOptions(options))                     node:child_process, options known
 *   spawn(...spawnArgs([cmd, args, options], true, false))      node:child_process, any call shape
 */
import { context, propagation } from '@opentelemetry/api';
import { adoptInForeignManager, envName, NAME_MARK, THREAD_CARRIER_KEY } from './carrier.js';

type Fields = Record<string, string>;
const g = globalThis as Record<string, any>;

/** The active context's propagation fields, or undefined when the propagator writes none. */
function activeFields(): Fields | undefined {
  adoptInForeignManager();
  const fields: Fields = {};
  propagation.inject(context.active(), fields);
  for (const _ in fields) return fields;
  return undefined;
}

/** `options` may be replaced only when it is a dictionary (or absent); anything else is left for the callee to reject. */
function dictionary(options: unknown): options is object | null | undefined {
  return options == null || (typeof options === 'object' && !Array.isArray(options));
}

/**
 * A copy of `options` with `key` set to `value`: own properties copied (child_process spreads its
 * options) on the same prototype (a browser reads dictionary members through the prototype chain).
 */
function withOwn(options: object | null | undefined, key: string, value: unknown): object {
  const copy = options == null ? {} : Object.assign(Object.create(Object.getPrototypeOf(options)), options);
  return Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Browser `new Worker(url, options)`: the fields ride in the worker's `name`
 * after NAME_MARK; the compiled worker cuts them off before its code runs.
 * (The name is the one thing a worker reads synchronously from its creator
 * besides its URL, which module imports and location-based code depend on.)
 */
export function webWorkerOptions<T>(options: T): T {
  const fields = dictionary(options) ? activeFields() : undefined;
  if (!fields) return options;
  const name = options == null || (options as { name?: unknown }).name === undefined ? '' : `${(options as { name?: unknown }).name}`;
  return withOwn(options as object | null | undefined, 'name', name + NAME_MARK + JSON.stringify(fields)) as T;
}

let clearing = false;
/**
 * `new Worker(file, options)` from node:worker_threads: the fields ride in
 * the worker_threads environment data, which the constructor copies into the
 * new worker. workerData, argv, env, execArgv and the options object stay as
 * they are (`env: SHARE_ENV` too). The entry is deleted again at the end of the
 * job, so a worker spawned later by code we did not compile does not inherit it.
 */
export function workerOptions<T>(options: T): T {
  const threads = g.process.getBuiltinModule('node:worker_threads');
  // Written even when undefined (which deletes it): an earlier call's fields never reach this worker.
  threads.setEnvironmentData(THREAD_CARRIER_KEY, activeFields());
  if (!clearing) {
    clearing = true;
    queueMicrotask(() => {
      clearing = false;
      threads.setEnvironmentData(THREAD_CARRIER_KEY, undefined);
    });
  }
  return options;
}

/**
 * The options of a child_process call (spawn, fork, exec, execFile and their
 * Sync forms): the same options with an `env` that is a copy of the caller's
 * own `env` option (or of process.env when it has none) in which the
 * propagator's variables (TRACEPARENT, TRACESTATE, BAGGAGE for W3C) are
 * replaced by the active context's. Unchanged when that changes nothing.
 */
export function spawnOptions<T>(options: T): T {
  const fields = dictionary(options) ? activeFields() : undefined;
  if (!fields) return options;
  const source: Record<string, string | undefined> = (options as { env?: any } | null)?.env || g.process.env;
  const windows = g.process.platform === 'win32';
  const names = new Set([...propagation.fields(), ...Object.keys(fields)].map(envName));
  const wanted: Record<string, string> = {};
  for (const key in fields) wanted[envName(key)] = fields[key]!;
  if (!windows && [...names].every((name) => source[name] === wanted[name])) return options;
  const env: Record<string, string | undefined> = {};
  // for-in, as child_process itself reads env: inherited variables count.
  for (const key in source) if (!names.has(windows ? key.toUpperCase() : key)) env[key] = source[key];
  Object.assign(env, wanted);
  return withOwn(options as object | null | undefined, 'env', env) as T;
}

/**
 * The arguments of a child_process call whose shape is not known when
 * compiling: finds the options where Node looks for them, after the optional
 * argv array (`withArgv`: spawn, fork, execFile, spawnSync, execFileSync) and
 * before an optional callback (`withCallback`: exec, execFile), and puts the
 * carrying options there. Shapes Node rejects are returned as they are.
 */
export function spawnArgs(args: unknown[], withArgv: boolean, withCallback: boolean): unknown[] {
  let at = 1;
  if (withArgv && at < args.length && (args[at] == null || Array.isArray(args[at]))) at++;
  const options = args[at];
  const callbackHere = withCallback && typeof options === 'function';
  if (!callbackHere && !dictionary(options)) return args;
  const carried = spawnOptions(callbackHere ? undefined : options);
  if (carried === (callbackHere ? undefined : options)) return args;
  const out = args.slice();
  out.splice(at, callbackHere ? 0 : 1, carried);
  return out;
}
