// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
import { type Context, type ContextManager } from '@opentelemetry/api';
import { active, EMPTY, managerEnabled, runIn, type Mapping } from './slot.js';
import { carriedRoot } from './carrier.js'; // issue 9: the root is the context this thread or process was spawned in

/**
 * An OpenTelemetry ContextManager over the compiled slot. On its own it is as
 * synchronous as StackContextManager; code compiled with otel-context-transformer
 * carries the slot across timers, promise callbacks, await and generators.
 *
 *   context.setGlobalContextManager(new CompiledContextManager().enable())
 *   provider.register({ contextManager: new CompiledContextManager() })
 */
export class CompiledContextManager implements ContextManager {
  #enabled = false;

  active(): Context {
    const m = active();
    // The slot starts out as our own empty mapping; OTel code expects its root context there
    // (issue 9: the carried one in a spawned worker or process, else ROOT_CONTEXT).
    return m === EMPTY ? carriedRoot() : (m as unknown as Context);
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    // Like OTel's own managers, a missing context means the root one.
    return runIn(context == null ? EMPTY : (context as unknown as Mapping), fn, thisArg, args);
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as Function;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, fn as (...a: unknown[]) => unknown, this, ...args);
    } as unknown as T;
  }

  enable(): this {
    if (!this.#enabled) managerEnabled(1);
    this.#enabled = true;
    return this;
  }

  disable(): this {
    if (this.#enabled) managerEnabled(-1);
    this.#enabled = false;
    return this;
  }
}
