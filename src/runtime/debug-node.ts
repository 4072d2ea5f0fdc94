// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/** `otel-context-transformer/runtime/debug` under Node: runtime/messages-node.ts with the logging helpers (see runtime/debug.ts). */
export * from './messages-node.js';
export { bind, debugSummary, frame, genFrame, reenter, resetDebugSummary, resume } from './debug-helpers.js';
export type { Crossing, DebugSummaryEntry } from './debug-helpers.js';
