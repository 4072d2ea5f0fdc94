import * as __otelCtx from "otel-context-transformer/runtime";

import { log } from './helpers.js';

export async function loops(xs: AsyncIterable<number>, ys: Iterable<Promise<number>>) { const __otelFrame = __otelCtx.frame(); try { 
  try { for await (const x of __otelCtx.forAwait(__otelFrame, xs)) { __otelCtx.reenter(__otelFrame); log(x); } } finally { __otelCtx.reenter(__otelFrame); }
  try { for await (const y of __otelCtx.forAwait(__otelFrame, ys)) { __otelCtx.reenter(__otelFrame); log(y); } } finally { __otelCtx.reenter(__otelFrame); }
  try { outer: for await (const x of __otelCtx.forAwait(__otelFrame, xs)) { __otelCtx.reenter(__otelFrame);
    try { for await (const y of __otelCtx.forAwait(__otelFrame, ys)) { __otelCtx.reenter(__otelFrame);
      if (y) continue outer;
      log(x);
      break outer;
    } } finally { __otelCtx.reenter(__otelFrame); }
  } } finally { __otelCtx.reenter(__otelFrame); }
  try { first: second: for await (const x of __otelCtx.forAwait(__otelFrame, xs)) { __otelCtx.reenter(__otelFrame); log(x); break second; } } finally { __otelCtx.reenter(__otelFrame); }
  for (const x of [1]) { log(x); }
  label: for (const x of [1]) { log(x); continue label; }
 } finally { __otelCtx.exit(__otelFrame); } }
