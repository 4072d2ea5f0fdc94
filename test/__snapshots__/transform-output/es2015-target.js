var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __await = (this && this.__await) || function (v) { return this instanceof __await ? (this.v = v, this) : new __await(v); }
var __asyncGenerator = (this && this.__asyncGenerator) || function (thisArg, _arguments, generator) {
    if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
    var g = generator.apply(thisArg, _arguments || []), i, q = [];
    return i = Object.create((typeof AsyncIterator === "function" ? AsyncIterator : Object).prototype), verb("next"), verb("throw"), verb("return", awaitReturn), i[Symbol.asyncIterator] = function () { return this; }, i;
    function awaitReturn(f) { return function (v) { return Promise.resolve(v).then(f, reject); }; }
    function verb(n, f) { if (g[n]) { i[n] = function (v) { return new Promise(function (a, b) { q.push([n, v, a, b]) > 1 || resume(n, v); }); }; if (f) i[n] = f(i[n]); } }
    function resume(n, v) { try { step(g[n](v)); } catch (e) { settle(q[0][3], e); } }
    function step(r) { r.value instanceof __await ? Promise.resolve(r.value.v).then(fulfill, reject) : settle(q[0][2], r); }
    function fulfill(value) { resume("next", value); }
    function reject(value) { resume("throw", value); }
    function settle(f, v) { if (f(v), q.shift(), q.length) resume(q[0][0], q[0][1]); }
};
import * as __otelCtx from "otel-context-transformer/runtime";
export function f() {
    return __awaiter(this, void 0, void 0, function* () {
        const __otelFrame = __otelCtx.frame();
        try {
            try {
                return __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, p));
            }
            finally {
                __otelCtx.reenter(__otelFrame);
                console.log('done');
            }
        }
        finally {
            __otelCtx.exit(__otelFrame);
        }
    });
}
export function g() {
    return __asyncGenerator(this, arguments, function* g_1(...{ __otelFrame = __otelCtx.genFrame() }) {
        try {
            __otelCtx.reenter(__otelFrame);
            __otelCtx.resume(__otelFrame, yield yield __await(__otelCtx.suspend(__otelFrame, __otelCtx.resume(__otelFrame, yield __await(__otelCtx.suspend(__otelFrame, p))))));
        }
        finally {
            __otelCtx.exit(__otelFrame);
        }
    });
}
export function h(c_1) {
    return __asyncGenerator(this, arguments, function* h_1(c, ...{ __otelFrame = __otelCtx.genFrame() }) {
        try {
            __otelCtx.reenter(__otelFrame);
            if (c)
                return yield __await(__otelCtx.suspend(__otelFrame, void 0));
            __otelCtx.resume(__otelFrame, yield yield __await(__otelCtx.suspend(__otelFrame, 1)));
        }
        finally {
            __otelCtx.exit(__otelFrame);
        }
    });
}
