import * as __otelCtx from "otel-context-transformer/runtime";

declare const p: Promise<number>;
export async function f() { const __otelFrame = __otelCtx.frame(); try { 
  try { return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); } finally { __otelCtx.reenter(__otelFrame); console.log('done'); }
 } finally { __otelCtx.exit(__otelFrame); } }
export async function* g(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))));  } finally { __otelCtx.exit(__otelFrame); } }
export async function* h(c: boolean, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  if (c) return; __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } }
