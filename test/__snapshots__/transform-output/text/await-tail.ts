import * as __otelCtx from "otel-context-transformer/runtime";

import { log } from './helpers.js';
declare const p: Promise<number>;
declare const thenable: PromiseLike<number>;

// No frame: nothing of the function runs after its one await.
export async function returnAwait() { return await __otelCtx.tail(p); }
export async function lastStatement() { log('before'); await __otelCtx.tail(p); }
export const tailArrow = async () => await __otelCtx.tail((p as Promise<number>));
export async function branches(c: boolean) { if (c) return await __otelCtx.tail(p); log('else'); return await __otelCtx.tail(thenable); }
export async function declaredThenReturned() { const v = await __otelCtx.tail(p); return v; }
export async function typedArithmetic(i: number) { const __otelFrame = __otelCtx.frame(); try {  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); return i + 1;  } finally { __otelCtx.exit(__otelFrame); } }
export async function inertReturn(c: boolean) { const v = await __otelCtx.tail(p); return typeof v === 'number' ? v : !c; }

// A frame: something can run after an await.
export async function twoAwaits() { const __otelFrame = __otelCtx.frame(); try {  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));  } finally { __otelCtx.exit(__otelFrame); } }
export async function codeAfter() { const __otelFrame = __otelCtx.frame(); try {  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); log('after');  } finally { __otelCtx.exit(__otelFrame); } }
export async function returnInTry() { const __otelFrame = __otelCtx.frame(); try {  try { return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } finally { __otelCtx.reenter(__otelFrame); log('finally'); }  } finally { __otelCtx.exit(__otelFrame); } }
export async function returnInForOf(xs: number[]) { const __otelFrame = __otelCtx.frame(); try {  for (const x of xs) return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));  } finally { __otelCtx.exit(__otelFrame); } }
export async function untypedArithmetic(i: any) { const __otelFrame = __otelCtx.frame(); try {  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); return i + 1;  } finally { __otelCtx.exit(__otelFrame); } }
export async function objectReturn() { const __otelFrame = __otelCtx.frame(); try {  const v = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); return { v };  } finally { __otelCtx.exit(__otelFrame); } }
export async function nestedAwait() { const __otelFrame = __otelCtx.frame(); try {  return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, (__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)), p)));  } finally { __otelCtx.exit(__otelFrame); } }
export async function forAwait(xs: number[]) { const __otelFrame = __otelCtx.frame(); try {  try { for await (const x of __otelCtx.forAwait(__otelFrame, xs)) { __otelCtx.reenter(__otelFrame); log(x); } } finally { __otelCtx.reenter(__otelFrame); }  } finally { __otelCtx.exit(__otelFrame); } }
