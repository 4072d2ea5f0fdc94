// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * `otel-context-transformer/runtime/debug`: what code built with `debug: true` imports. Everything
 * runtime/messages exports (runtime/index.ts and the message helpers, so `messages: true` and
 * `debug: true` combine), with the crossing helpers replaced by ones that log each crossing and its
 * site through OTel's diag (debug-helpers.ts), and debugSummary(). Under Node the "node" condition
 * serves runtime/debug-node.ts (the same over runtime/messages-node.ts).
 */
export * from './messages-web.js';
export { bind, debugSummary, frame, genFrame, reenter, resetDebugSummary, resume } from './debug-helpers.js';
export type { Crossing, DebugSummaryEntry } from './debug-helpers.js';
