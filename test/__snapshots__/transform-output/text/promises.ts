import * as __otelCtx from "otel-context-transformer/runtime";

declare const p: Promise<number>;
declare const like: PromiseLike<number>;
declare const maybe: Promise<number> | undefined;
declare const untyped: any;
class MyPromise<T> extends Promise<T> {}
declare const mine: MyPromise<number>;
declare const union: Promise<number> | { then(cb: (v: number) => void): void };

export function reactions(onValue: (v: number) => number, onError: (e: unknown) => number) {
  p.then(__otelCtx.bind((v) => v + 1));
  p.then(__otelCtx.bind(onValue), __otelCtx.bind(onError));
  p.catch(__otelCtx.bind(() => 0));
  p.finally(__otelCtx.bind(() => {}));
  p.then(__otelCtx.bind((v) => v)).catch(__otelCtx.bind(onError)).finally(__otelCtx.bind(() => {}));
  like.then(__otelCtx.bind((v) => v));
  maybe?.then(__otelCtx.bind((v) => v));
  untyped.then(__otelCtx.bind((v: unknown) => v));
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

export function spreadArguments(args: [(v: number) => number]) {
  p.then(...args);
}
