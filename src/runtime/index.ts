// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * What compiled code imports (the helpers) and what applications register
 * (CompiledContextManager). Nothing here patches a global.
 */
export { CompiledContextManager, type ContextToken } from './manager.js';
export { bind, bindAlways, frame, genFrame, rootFrame, suspend, tail, leave, resume, reenter, exit, forAwait, type Frame } from './slot.js';
