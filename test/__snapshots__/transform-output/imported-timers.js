import * as __otelCtx from "otel-context-transformer/runtime";
import { setTimeout, setImmediate as immediate } from 'node:timers';
setTimeout(__otelCtx.bind(() => { }), 1);
immediate(__otelCtx.bind(() => { }));
queueMicrotask(__otelCtx.bind(() => { }));
