import * as __otelCtx from "otel-context-transformer/runtime";
// A value a promise resolves with: a thenable's then runs in a later job, adopted in the call's context (tail).
export const adopted = Promise.resolve(__otelCtx.tail(thenable));
export const viaGlobal = globalThis.Promise.resolve(__otelCtx.tail(value));
export function executor() { return new Promise((resolve) => { resolve(__otelCtx.tail(value)); }); }
export function later() { return new Promise((resolve) => setTimeout(__otelCtx.bind(() => resolve(__otelCtx.tail(value))), 1)); }
// Not adopted: a literal is never a thenable; a name that may not be the executor's resolve; no value.
export const literal = Promise.resolve(1);
export function shadowed() { return new Promise((resolve) => { {
    const resolve = (v) => v;
    resolve(value);
} }); }
export function reassigned() { return new Promise((resolve) => { resolve = () => { }; resolve(value); }); }
export function empty() { return new Promise((resolve) => resolve()); }
export function rejectIsNot() { return new Promise((_, reject) => reject(value)); }
