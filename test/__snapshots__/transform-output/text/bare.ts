import * as __otelCtx from "otel-context-transformer/runtime";
export async function* h(c: boolean, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  if (c) return; __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } }
