// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The sending end of the browser Worker carrier (see carrier.ts for the
 * design), and what every sending helper shares. No side effects: the default
 * runtime exports it, and a page that spawns no worker leaves it out of its bundle.
 */
import { context, propagation } from '@opentelemetry/api';

/** Separates the user's own worker name from the carrier in a browser Worker's `name`. */
export const NAME_MARK = '\u2063otel-carrier\u2063';

export type Fields = Record<string, string | undefined>;

/** The active context's propagation fields, or undefined when the propagator writes none. */
export function activeFields(): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  try {
    propagation.inject(context.active(), fields);
  } catch {
    return undefined; // the spawn goes ahead as it would have, carrying nothing
  }
  for (const _ in fields) return fields;
  return undefined;
}

/** Options may be replaced only when they are a dictionary (or absent); anything else is left for the callee to reject. */
export function dictionary(options: unknown): options is object | null | undefined {
  return options == null || (typeof options === 'object' && !Array.isArray(options));
}

/**
 * A copy of `options` with `key` set to `value`: own properties copied (child_process spreads its
 * options) on the same prototype (a browser reads dictionary members through the prototype chain).
 */
export function withOwn(options: object | null | undefined, key: string, value: unknown): object {
  const copy = options == null ? {} : Object.assign(Object.create(Object.getPrototypeOf(options)), options);
  return Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Browser `new Worker(url, options)`: the fields ride in the worker's `name`
 * after NAME_MARK. The name is the only thing besides its URL a new worker
 * can read synchronously from its creator (its module top level runs before
 * any message), and the URL is what its imports and location-based code use.
 */
export function webWorkerOptions<T>(options: T): T {
  if (!dictionary(options)) return options;
  const name = (options as { name?: unknown } | null)?.name;
  const carrying = webWorkerName(name);
  return carrying === name ? options : (withOwn(options, 'name', carrying) as T);
}

/**
 * Browser `new Worker(url, { ..., name })` with the options written as an
 * object literal: only the name goes through here, so bundlers still read the
 * literal (Vite takes `type` from it, webpack rewrites it). Absent or
 * `undefined` stays `undefined` when nothing is carried: the worker's default name.
 */
export function webWorkerName<T = string>(name?: T): T {
  const fields = activeFields();
  return (fields ? `${name === undefined ? '' : name}${NAME_MARK}${JSON.stringify(fields)}` : name) as T;
}
