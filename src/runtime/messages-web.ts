// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * `otel-context-transformer/runtime/messages` outside Node: what code compiled
 * with `messages: true` imports its helpers from. Everything runtime/index.ts
 * and runtime/web-worker export, and the message helpers (messages.ts), which
 * pages compiled without the option never load.
 */
export * from './index.js';
export { carriedPoolWorker, carryingPool, declaredChannel, messageConstruct, postGlobalMessage, postMessage } from './messages.js';
