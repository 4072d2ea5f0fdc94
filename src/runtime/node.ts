// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The runtime under Node (the "node" export condition of
 * otel-context-transformer/runtime): everything runtime/index.ts exports, and
 * the worker_threads and child_process carriers (carrier-node.ts), which read
 * this thread's or process's carried context as they load.
 */
export * from './index.js';
export { spawnArgs, spawnOptions, workerOptions } from './carrier-node.js';
