// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * AsyncContext.Variable and AsyncContext.Snapshot (TC39 proposal) on the same
 * slot the compiled code carries. The OTel manager is just another user of it.
 *
 * Internal slots live in WeakMaps rather than `#private` fields: TypeScript
 * downlevels those to helpers that make Rollup warn, and Hermes lacks them. The
 * WeakMaps also give the proposal's RequireInternalSlot: a method called on
 * anything else throws a TypeError.
 */
import { active, runIn, setVariablesOn, type Store } from './slot.js';

/** Stands for `undefined` in the store, which cannot tell "unset" from "set to undefined". */
const UNDEFINED = Symbol('undefined');

export interface VariableOptions<T> {
  name?: string;
  defaultValue?: T;
}

/** [[AsyncVariableName]] and [[AsyncVariableDefaultValue]]; the Variable itself is its key in the store. */
const variableSlots = new WeakMap<object, { name: string; defaultValue: unknown }>();
/** [[AsyncSnapshotMapping]]. */
const snapshotSlots = new WeakMap<object, Store>();

function slotsOf<T>(slots: WeakMap<object, T>, receiver: unknown, what: string): T {
  const found = slots.get(receiver as object);
  if (found === undefined) throw new TypeError(`not an AsyncContext.${what}`);
  return found;
}

/**
 * OrdinaryCreateFromConstructor(NewTarget, intrinsic prototype): a class
 * constructor falls back to %Object.prototype% when NewTarget's `prototype` is
 * not an object, the proposal to the intrinsic prototype.
 */
function fallBackToIntrinsic(instance: object, newTarget: Function, intrinsic: object): void {
  if (Object.getPrototypeOf(instance) !== Object.prototype) return;
  const proto: unknown = newTarget.prototype;
  if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function')) Object.setPrototypeOf(instance, intrinsic);
}

export class Variable<T> {
  constructor(options?: VariableOptions<T>) {
    // As the proposal: options that are not objects are ignored, and a `name`
    // that is present goes through ToString (`${}`: undefined -> "undefined", symbols throw).
    let name = '';
    let defaultValue: T | undefined;
    if (options !== null && (typeof options === 'object' || typeof options === 'function')) {
      if ('name' in options) name = `${options.name}`;
      defaultValue = options.defaultValue;
    }
    fallBackToIntrinsic(this, new.target, Variable.prototype);
    variableSlots.set(this, { name, defaultValue });
    setVariablesOn();
  }

  get name(): string {
    return slotsOf(variableSlots, this, 'Variable').name;
  }

  /** The value in the current context, or the default value. */
  get(): T | undefined {
    const slots = slotsOf(variableSlots, this, 'Variable');
    const value = active().getValue(this);
    return value === undefined ? (slots.defaultValue as T | undefined) : value === UNDEFINED ? undefined : (value as T);
  }

  /** Runs fn with this variable set to `value`; the previous context is back afterwards, however fn ends. */
  run<A extends unknown[], R>(value: T, fn: (...args: A) => R, ...args: A): R {
    slotsOf(variableSlots, this, 'Variable');
    return runIn(active().setValue(this, value === undefined ? UNDEFINED : value), fn, undefined, args);
  }
}

export class Snapshot {
  constructor() {
    fallBackToIntrinsic(this, new.target, Snapshot.prototype);
    snapshotSlots.set(this, active());
  }

  /** Runs fn in the context captured when this snapshot was made. */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    return runIn(slotsOf(snapshotSlots, this, 'Snapshot'), fn, undefined, args);
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

/** A built-in's data property: { writable, enumerable: false, configurable }. */
function define(target: object, key: PropertyKey, value: unknown, writable: boolean): void {
  Object.defineProperty(target, key, { value, writable, configurable: true });
}
// Built-in names, which minifiers would otherwise rename along with the classes.
define(Variable, 'name', 'Variable', false);
define(Snapshot, 'name', 'Snapshot', false);
define(Variable.prototype, Symbol.toStringTag, 'AsyncContext.Variable', false);
define(Snapshot.prototype, Symbol.toStringTag, 'AsyncContext.Snapshot', false);

/** The %AsyncContext% namespace: Variable and Snapshot as built-in constructors are (writable, not enumerable). */
export const AsyncContext = {} as { readonly Variable: typeof Variable; readonly Snapshot: typeof Snapshot };
define(AsyncContext, 'Snapshot', Snapshot, true);
define(AsyncContext, 'Variable', Variable, true);
define(AsyncContext, Symbol.toStringTag, 'AsyncContext', false);

/** Defines globalThis.AsyncContext unless the platform (or another polyfill) already has one. Returns the one in effect. */
export function install(): typeof AsyncContext {
  const g = globalThis as { AsyncContext?: typeof AsyncContext };
  if (g.AsyncContext === undefined) define(globalThis, 'AsyncContext', AsyncContext, true);
  return g.AsyncContext as typeof AsyncContext;
}
