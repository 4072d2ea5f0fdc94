import * as __otelCtx from "otel-context-transformer/runtime"; const __otelFrame = __otelCtx.rootFrame();

import { log } from './helpers.js';
declare const p: Promise<number>;

const value = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));
try { for await (const x of __otelCtx.forAwait(__otelFrame, [p])) { __otelCtx.reenter(__otelFrame); log(x); } } finally { __otelCtx.reenter(__otelFrame); }
try { __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } finally { __otelCtx.reenter(__otelFrame); log('done'); }
export async function f() { const __otelFrame = __otelCtx.frame(); try {  log(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } }
export function notAsync() { return value; }
export { value };
