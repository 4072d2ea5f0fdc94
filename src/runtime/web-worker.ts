// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * `otel-context-transformer/runtime/web-worker`: browser Workers on W3C
 * carriers. Imported in a worker, it makes the context the worker was spawned
 * in its root; at the spawning end, `new Worker(url, webWorkerOptions(o))`
 * carries it. Kept out of runtime/index.ts so that pages without workers do
 * not ship it (the Node entry, runtime/node.ts, has its own carriers).
 */
export * from './index.js';
export { webWorkerOptions } from './carrier.js';
