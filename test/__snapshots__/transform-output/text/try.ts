import * as __otelCtx from "otel-context-transformer/runtime";

import { log } from './helpers.js';
declare const p: Promise<number>;

export async function tryCatchFinally() { const __otelFrame = __otelCtx.frame(); try { 
  try { __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } catch (e) { __otelCtx.reenter(__otelFrame); log(e); } finally { __otelCtx.reenter(__otelFrame); log('finally'); }
 } finally { __otelCtx.exit(__otelFrame); } }
export async function returnAwaitInTryFinally() { const __otelFrame = __otelCtx.frame(); try { 
  try { return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } finally { __otelCtx.reenter(__otelFrame); log('finally'); }
 } finally { __otelCtx.exit(__otelFrame); } }
export async function awaitOnlyInCatch() { const __otelFrame = __otelCtx.frame(); try { 
  try { log('try'); } catch { __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } finally { __otelCtx.reenter(__otelFrame); log('finally'); }
 } finally { __otelCtx.exit(__otelFrame); } }
export async function awaitInFinally() { const __otelFrame = __otelCtx.frame(); try { 
  try { __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } finally { __otelCtx.reenter(__otelFrame); __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); }
 } finally { __otelCtx.exit(__otelFrame); } }
export async function nothingSuspendsInTry() {
  try { log('try'); } catch { log('catch'); } finally { log('finally'); }
  await __otelCtx.tail(p);
}
export async function nestedTry() { const __otelFrame = __otelCtx.frame(); try { 
  try {
    try { __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } catch { __otelCtx.reenter(__otelFrame); log('inner'); }
  } catch (e) { __otelCtx.reenter(__otelFrame);
    log(e);
  }
 } finally { __otelCtx.exit(__otelFrame); } }
