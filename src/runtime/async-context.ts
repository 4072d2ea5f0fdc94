// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * AsyncContext.Variable and AsyncContext.Snapshot (TC39 proposal) on the same
 * slot the compiled code carries. The OTel manager is just another user of it.
 */
import { active, runIn, setVariablesOn, type Mapping } from './slot.js';

/** Stands for `undefined` in the mapping, which cannot tell "unset" from "set to undefined". */
const UNDEFINED = Symbol('undefined');

export interface VariableOptions<T> {
  name?: string;
  defaultValue?: T;
}

export class Variable<T> {
  readonly #key: symbol;
  readonly #defaultValue: T | undefined;
  readonly #name: string;

  constructor(options: VariableOptions<T> = {}) {
    this.#name = options.name === undefined ? '' : String(options.name);
    this.#key = Symbol(this.#name);
    this.#defaultValue = options.defaultValue;
    setVariablesOn();
  }

  get name(): string {
    return this.#name;
  }

  /** The value in the current context, or the default value. */
  get(): T | undefined {
    const value = active().getValue(this.#key);
    return value === undefined ? this.#defaultValue : value === UNDEFINED ? undefined : (value as T);
  }

  /** Runs fn with this variable set to `value`; the previous context is back afterwards, however fn ends. */
  run<A extends unknown[], R>(value: T, fn: (...args: A) => R, ...args: A): R {
    const next = active().setValue(this.#key, value === undefined ? UNDEFINED : value);
    return runIn(next, fn, undefined, args);
  }
}

export class Snapshot {
  readonly #mapping: Mapping = active();

  /** Runs fn in the context captured when this snapshot was made. */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    return runIn(this.#mapping, fn, undefined, args);
  }

  /** Wraps fn so every call runs in the context active now; `this` and arguments pass through. */
  static wrap<T extends (...args: never[]) => unknown>(fn: T): T {
    if (typeof fn !== 'function') throw new TypeError('Snapshot.wrap expects a function');
    const mapping = active();
    return function (this: unknown, ...args: unknown[]) {
      return runIn(mapping, fn as unknown as (...a: unknown[]) => unknown, this, args);
    } as unknown as T;
  }
}

export const AsyncContext = { Variable, Snapshot };

/** Defines globalThis.AsyncContext unless the platform (or another polyfill) already has one. Returns the one in effect. */
export function install(): typeof AsyncContext {
  const g = globalThis as { AsyncContext?: typeof AsyncContext };
  if (g.AsyncContext === undefined) {
    Object.defineProperty(globalThis, 'AsyncContext', {
      value: AsyncContext,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return g.AsyncContext as typeof AsyncContext;
}
