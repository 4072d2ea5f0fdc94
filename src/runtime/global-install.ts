// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * What the `helpers: "global"` preludes (global.ts, global-debug.ts) put on globalThis: every helper
 * compiled code may call, under a registered symbol (catalog: GLOBAL_HELPERS_KEY), once. A prelude
 * replaces some of them (debug mode's logging ones) and adds its own; the set itself is written here only.
 */
import { handler, listen, listenStarted, startedHandler, starts } from './listeners.js';
import { bind, bindAlways, exit, forAwait, frame, genFrame, leave, reenter, resume, rootFrame, suspend, tail } from './slot.js';

export const GLOBAL_HELPERS = {
  bind,
  bindAlways,
  frame,
  genFrame,
  rootFrame,
  suspend,
  tail,
  leave,
  resume,
  reenter,
  exit,
  forAwait,
  listen,
  listenStarted,
  handler,
  startedHandler,
  starts,
};

const KEY = Symbol.for('otel-context-transformer.helpers.v1');

/** Puts `helpers` on globalThis unless a prelude loaded first already did. */
export function installGlobalHelpers(helpers: object): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[KEY] === undefined) g[KEY] = Object.freeze(helpers);
}
