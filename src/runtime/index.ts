// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * What compiled code imports (the helpers) and what applications register
 * (CompiledContextManager). Nothing here patches a global.
 */
export { CompiledContextManager, type ContextToken } from './manager.js';
export { bind, bindAlways, frame, genFrame, rootFrame, suspend, tail, leave, resume, reenter, exit, forAwait, type Frame } from './slot.js';
export { listen, listenStarted, handler, startedHandler, starts, enableTargetBinding } from './listeners.js';
// The browser Worker's sending end (no side effects: left out of bundles that spawn no worker).
export { webWorkerName, webWorkerOptions } from './web-spawn.js';
