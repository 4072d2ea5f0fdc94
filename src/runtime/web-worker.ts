// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * `otel-context-transformer/runtime/web-worker`: the receiving end of browser
 * Workers on W3C carriers. Imported in a worker (its SDK set-up takes
 * CompiledContextManager from here), it makes the context the worker was
 * spawned in its root. Kept out of runtime/index.ts so that pages do not ship
 * it; the sending end (webWorkerOptions, webWorkerName, which compiled code
 * calls) is in every runtime entry and tree-shaken where unused.
 */
export * from './index.js';
import './carrier.js';
