import * as __otelCtx from "otel-context-transformer/runtime";

declare const p: Promise<number>;

async function* other(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } }

export async function* agen(xs: AsyncIterable<number>, ...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame); 
  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));
  const v: unknown = __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))));
  __otelCtx.resume<unknown>(__otelFrame, yield* __otelCtx.leave(__otelFrame, other()));
  try { for await (const x of __otelCtx.forAwait(__otelFrame, xs)) { __otelCtx.reenter(__otelFrame); __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, x)); } } finally { __otelCtx.reenter(__otelFrame); }
  return __otelCtx.suspend(__otelFrame, [v, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))]);
 } finally { __otelCtx.exit(__otelFrame); } }
export async function* restParameter(...xs: number[]) { const __otelFrame = __otelCtx.genFrame(); try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, xs.length));  } finally { __otelCtx.exit(__otelFrame); } }
export async function* empty() {}
export async function* bareReturn(c: boolean) { if (c) return; }
export class K {
  async *method(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } }
  static async *staticMethod(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))));  } finally { __otelCtx.exit(__otelFrame); } }
}
export const object = { async *method(...{ __otelFrame = __otelCtx.genFrame() }: [] & { __otelFrame?: ReturnType<typeof __otelCtx.genFrame> }) { try { __otelCtx.reenter(__otelFrame);  __otelCtx.resume<unknown>(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));  } finally { __otelCtx.exit(__otelFrame); } } };
