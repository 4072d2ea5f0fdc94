import * as __otelCtx from "otel-context-transformer/runtime";

export function* simple(a: number, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame); 
  const b: number = __otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, a));
  __otelCtx.resume<unknown>(__otelFrame, yield* __otelCtx.leave(__otelFrame, [b]));
 } finally { __otelCtx.exit(__otelFrame); } }
export function* defaultParameter(a = 1, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, a));  } finally { __otelCtx.exit(__otelFrame); } }
export function* restParameter(...xs: number[]) { const __otelFrame = __otelCtx.genFrame(); try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, xs));  } finally { __otelCtx.exit(__otelFrame); } }
export function* useStrict(a: number) { 'use strict'; const __otelFrame = __otelCtx.genFrame(); try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, a));  } finally { __otelCtx.exit(__otelFrame); } }
export function* usesArguments(a: number, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, arguments.length + a));  } finally { __otelCtx.exit(__otelFrame); } }
export function* noYield() { return 1; }
export const expression = function* (...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } };
export class K {
  *method(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } }
  static *staticMethod(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, 2));  } finally { __otelCtx.exit(__otelFrame); } }
  *[Symbol.iterator](...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, 3));  } finally { __otelCtx.exit(__otelFrame); } }
}
export function* tryYield(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame); 
  try { __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.leave(__otelFrame, 1)); } catch (e) { __otelCtx.reenter(__otelFrame); void e; } finally { __otelCtx.reenter(__otelFrame); void 0; }
 } finally { __otelCtx.exit(__otelFrame); } }
