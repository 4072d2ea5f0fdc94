import * as __otelCtx from "otel-context-transformer/runtime";

declare const p: Promise<number>;
declare function use(value: unknown): void;

// Each awaits with code after the await (use), so each needs a frame: see await-tail for those that do not.
export async function declaration() { const __otelFrame = __otelCtx.frame(); try {  return use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } }
export const expression = async function () { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
export const namedExpression = async function named() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
export const arrow = async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
export const expressionBody = async () => { const __otelFrame = __otelCtx.frame(); try { return use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))); } finally { __otelCtx.exit(__otelFrame); } };
export const expressionBodyObject = async () => { const __otelFrame = __otelCtx.frame(); try { return ({ value: __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)) }); } finally { __otelCtx.exit(__otelFrame); } };
export const noAwait = async () => p;
export async function withDirective() { 'use strict'; const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } }

export class Klass {
  async method() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } }
  static async staticMethod() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } }
  async #privateMethod() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } }
  field = async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
  static staticField = async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
  #privateField = async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
  async usePrivates() { const __otelFrame = __otelCtx.frame(); try {  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, this.#privateMethod())); __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, this.#privateField()));  } finally { __otelCtx.exit(__otelFrame); } }
}

export const object = {
  async method() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } },
  arrow: async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } },
  async ['computed']() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } },
};

(async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } })();
(async function iife() { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } })();
void (async () => { const __otelFrame = __otelCtx.frame(); try { return use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))); } finally { __otelCtx.exit(__otelFrame); } })();

export async function outer() { const __otelFrame = __otelCtx.frame(); try { 
  const inner = async () => { const __otelFrame = __otelCtx.frame(); try {  use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));  } finally { __otelCtx.exit(__otelFrame); } };
  function sync() { return p.then(__otelCtx.bind((v) => v)); }
  __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, inner()));
  return sync();
 } finally { __otelCtx.exit(__otelFrame); } }
