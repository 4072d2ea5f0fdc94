import * as __otelCtx from "otel-context-transformer/runtime";

declare function f(...args: unknown[]): Promise<number>;
declare function list(): Promise<number[]>;
declare const p: Promise<number>;
declare const obj: { m(...args: unknown[]): number };

export async function nested() { const __otelFrame = __otelCtx.frame(); try { 
  return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))))))));
 } finally { __otelCtx.exit(__otelFrame); } }

export async function evaluationOrder(a: number | null, c: boolean) { const __otelFrame = __otelCtx.frame(); try { 
  obj.m(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));
  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(a, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)))));
  const x = a ?? __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));
  const y = c && __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));
  const z = c ? __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)) : __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f()));
  const s = `${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))}-${__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f()))}`;
  const o = { [__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))]: __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f())) };
  const { d = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)) } = {} as { d?: number };
  const spread = [...(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, list())))];
  if (c) __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));
  for (let i = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)); i < (__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))); i += __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))) { void i; }
  for (const v of __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, list()))) { void v; }
  while (__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))) { break; }
  return [x, y, z, s, o, d, spread];
 } finally { __otelCtx.exit(__otelFrame); } }
