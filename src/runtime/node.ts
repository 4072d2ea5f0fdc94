// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The runtime under Node (the "node" export condition of
 * otel-context-transformer/runtime): everything runtime/index.ts exports, and
 * the worker_threads and child_process carriers (carrier-node.ts), which read
 * this thread's or process's carried context as they load.
 */
import * as logged from './debug-helpers.js';
import * as plain from './slot.js';

export * from './index.js';
import { enableTargetBinding } from './listeners.js';
// CompiledContextManager.bind(ctx, emitter), as OpenTelemetry's AsyncLocalStorage manager does it.
enableTargetBinding();
export { spawnArgs, spawnOptions, workerArgs, workerOptions } from './carrier-node.js';

// Debug mode at run time: with OTEL_LOG_LEVEL=debug the crossing helpers are the logging ones
// (debug-helpers.ts), chosen once as the runtime loads; otherwise they are the very same functions as
// runtime/index.ts's, so compiled code calls exactly what it would without this.
const debug = logged.debugRequested();
export const bind: typeof plain.bind = debug ? logged.bind : plain.bind;
export const frame: typeof plain.frame = debug ? logged.frame : plain.frame;
export const genFrame: typeof plain.genFrame = debug ? logged.genFrame : plain.genFrame;
export const resume: typeof plain.resume = debug ? logged.resume : plain.resume;
export const reenter: typeof plain.reenter = debug ? logged.reenter : plain.reenter;
export { debugSummary, resetDebugSummary, type DebugSummaryEntry } from './debug-helpers.js';
