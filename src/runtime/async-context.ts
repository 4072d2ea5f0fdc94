// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * AsyncContext.Variable and AsyncContext.Snapshot (TC39 proposal) on the same
 * slot the compiled code carries. The OTel manager is just another user of it.
 */
import { active, runIn, setVariablesOn, type Store } from './slot.js';

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

  constructor(options?: VariableOptions<T>) {
    // As the proposal: options that are not objects are ignored, and a `name`
    // that is present goes through ToString (`${}`: undefined -> "undefined", symbols throw).
    let name = '';
    let defaultValue: T | undefined;
    if (options !== null && (typeof options === 'object' || typeof options === 'function')) {
      if ('name' in options) name = `${options.name}`;
      defaultValue = options.defaultValue;
    }
    this.#name = name;
    this.#key = Symbol(name);
    this.#defaultValue = defaultValue;
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
  readonly #mapping: Store = active();

  /** Runs fn in the context captured when this snapshot was made. */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    return runIn(this.#mapping, fn, undefined, args);
  }

  /** Wraps fn so every call runs in the context active now; `this` and arguments pass through. */
  static wrap<T extends (...args: never[]) => unknown>(fn: T): T {
    if (typeof fn !== 'function') throw new TypeError('Snapshot.wrap expects a function');
    const mapping = active();
    // A method is not a constructor, like the proposal's built-in function.
    const { wrapped } = {
      wrapped(this: unknown, ...args: unknown[]) {
        return runIn(mapping, fn as unknown as (...a: unknown[]) => unknown, this, args);
      },
    };
    copyNameAndLength(wrapped, fn, 'wrapped');
    return wrapped as unknown as T;
  }
}

/** The proposal's CopyNameAndLength(F, Target, prefix): `length` as the target's, name "wrapped <name>". */
function copyNameAndLength(wrapped: Function, target: Function, prefix: string): void {
  let length = 0;
  if (Object.prototype.hasOwnProperty.call(target, 'length')) {
    const targetLength: unknown = target.length;
    if (typeof targetLength === 'number') {
      length = targetLength === Infinity ? Infinity : Math.max(Math.trunc(targetLength) || 0, 0);
    }
  }
  Object.defineProperty(wrapped, 'length', { value: length, configurable: true });
  const targetName: unknown = target.name;
  const name = typeof targetName === 'string' ? targetName : '';
  Object.defineProperty(wrapped, 'name', { value: `${prefix} ${name}`, configurable: true });
}

function defineToStringTag(target: object, tag: string): void {
  Object.defineProperty(target, Symbol.toStringTag, { value: tag, configurable: true });
}
defineToStringTag(Variable.prototype, 'AsyncContext.Variable');
defineToStringTag(Snapshot.prototype, 'AsyncContext.Snapshot');

export const AsyncContext = { Variable, Snapshot };
defineToStringTag(AsyncContext, 'AsyncContext');

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
