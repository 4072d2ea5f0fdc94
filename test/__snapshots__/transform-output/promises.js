import * as __otelCtx from "otel-context-transformer/runtime";
class MyPromise extends Promise {
}
export function reactions(onValue, onError) {
    p.then(__otelCtx.bind((v) => v + 1));
    p.then(__otelCtx.bind(onValue), __otelCtx.bind(onError));
    p.catch(__otelCtx.bind(() => 0));
    p.finally(__otelCtx.bind(() => { }));
    p.then(__otelCtx.bind((v) => v)).catch(__otelCtx.bind(onError)).finally(__otelCtx.bind(() => { }));
    like.then(__otelCtx.bind((v) => v));
    maybe?.then(__otelCtx.bind((v) => v));
    untyped.then(__otelCtx.bind((v) => v));
    mine.then(__otelCtx.bind((v) => v));
    union.then(__otelCtx.bind((v) => v));
    p['then'](__otelCtx.bind((v) => v));
    (p).catch(__otelCtx.bind(onError));
}
export function nonFunctionArguments() {
    p.then();
    p.then(undefined, __otelCtx.bind(() => 0));
    p.then(null, null);
    p.catch(undefined);
    p.finally();
    p.finally(undefined);
}
export function spreadArguments(args) {
    p.then(...args);
}
