import * as __otelCtx from "otel-context-transformer/runtime";

declare const p: Promise<number>;
export async function f() { setTimeout(__otelCtx.bind(() => {}), 1); return await __otelCtx.tail(p); }
