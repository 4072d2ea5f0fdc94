import * as __otelCtx from "otel-context-transformer/runtime";

// The TypeScript backend walks only text holding a boundary's word (catalog: boundaryWordOffsets).
export async function* returnInPlainBlock(c: boolean, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  if (c) { return __otelCtx.suspend(__otelFrame, 1); } __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 2));  } finally { __otelCtx.exit(__otelFrame); } }
export function escapedName(cb: () => void) { set\u0054imeout(__otelCtx.bind(cb), 1); }
export function noBoundary(a: number) { const b = { x: a }; return b.x + 1; }
