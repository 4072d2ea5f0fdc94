// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { active, carriedRoot, managerEnabled, runIn, setActive, targetBinder, type Store } from './slot.js';

/** What `context.attach` returns (the API's ContextManagementToken, 1.10+). */
export interface ContextToken {
  dispose(): void;
}

/**
 * An OpenTelemetry ContextManager over the compiled slot. On its own it is as
 * synchronous as StackContextManager; code compiled with otel-context-transformer
 * carries the slot across timers, promise callbacks, await and generators.
 *
 *   context.setGlobalContextManager(new CompiledContextManager().enable())
 *   provider.register({ contextManager: new CompiledContextManager() })
 *
 * Instances are independent: each keeps its context under its own key in the
 * slot, so `a.with(ctx, () => b.active())` is b's context, not ctx. Compiled
 * code carries every instance's context at once.
 */
export class CompiledContextManager implements ContextManager {
  private readonly _key: symbol;
  private _enabled: boolean;

  constructor() {
    this._key = Symbol('CompiledContextManager');
    this._enabled = false;
  }

  active(): Context {
    const context = active().getValue(this._key);
    // The root: the context this thread or process was spawned in, else ROOT_CONTEXT.
    return context !== undefined ? (context as Context) : ((carriedRoot() as Context | undefined) ?? ROOT_CONTEXT);
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return runIn(this._store(context), fn, thisArg, args);
  }

  /**
   * Functions are wrapped to run in `context`. An EventEmitter or EventTarget is returned as it is, its
   * listener methods patched on the instance so that every listener added through them runs in
   * `context` (as OpenTelemetry's AsyncLocalStorage and Zone managers do); removing the original
   * listener still removes it. Under Node always; in browsers once `enableTargetBinding()` has run
   * (its bytes ship only to pages that call it). Anything else is returned as it is.
   */
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') {
      const binder = targetBinder();
      if (binder && target && typeof target === 'object') {
        binder(target as Record<string, unknown>, (fn, self, args) =>
          this.with(context, fn as () => unknown, self, ...(args as unknown as [])),
        );
      }
      return target;
    }
    const fn = target as unknown as Function;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, fn as (...a: unknown[]) => unknown, this, ...args);
    } as unknown as T;
  }

  /**
   * Makes `context` active until the token is disposed (`token.dispose()` or
   * `using token = context.attach(ctx)`). Inside a compiled async function or
   * generator it holds across that function's own awaits and yields and never
   * reaches its caller or any other request; inside a compiled callback it ends
   * with the callback at the latest; elsewhere it behaves like a stack. Disposing
   * puts back this manager's context from before the attach, once; tokens may be
   * disposed in any order (as AsyncLocalStorageContextManager's do).
   */
  attach(context: Context): ContextToken {
    const before = active();
    const after = this._store(context);
    setActive(after);
    return new AttachToken(this._key, before, after);
  }

  /** Counts this instance towards propagation: compiled code carries context while any instance is enabled. */
  enable(): this {
    if (!this._enabled) managerEnabled(1);
    this._enabled = true;
    return this;
  }

  /**
   * Stops this instance counting towards propagation. Other enabled instances
   * (and AsyncContext variables) keep compiled code carrying the slot, this
   * instance's context included. with(), bind(), attach() and active() keep
   * working synchronously, as OTel's own managers do when disabled.
   */
  disable(): this {
    if (this._enabled) managerEnabled(-1);
    this._enabled = false;
    return this;
  }

  /** The slot with this manager's context set; ROOT_CONTEXT (or a missing context) is stored as no entry. */
  private _store(context: Context): Store {
    const now = active();
    return context == null || context === ROOT_CONTEXT ? now.deleteValue(this._key) : now.setValue(this._key, context);
  }
}

class AttachToken implements ContextToken {
  constructor(
    private k: symbol,
    private before: Store | undefined,
    private after: Store,
  ) {}

  dispose(): void {
    const before = this.before;
    if (before === undefined) return;
    this.before = undefined;
    const now = active();
    // In order, the slot still holds what attach made: put back exactly what was there. Otherwise restore only
    // this manager's context from before the attach (other writes since then stay).
    if (now === this.after) return setActive(before);
    const previous = before.getValue(this.k);
    setActive(previous === undefined ? now.deleteValue(this.k) : now.setValue(this.k, previous));
  }
}
const DISPOSE = (Symbol as { dispose?: symbol }).dispose || Symbol.for('Symbol.dispose');
(AttachToken.prototype as unknown as Record<symbol, unknown>)[DISPOSE] = AttachToken.prototype.dispose;
