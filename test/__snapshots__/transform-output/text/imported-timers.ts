import * as __otelCtx from "otel-context-transformer/runtime";

import { setTimeout, setImmediate as immediate } from 'node:timers';
setTimeout(() => {}, 1);
immediate(() => {});
queueMicrotask(__otelCtx.bind(() => {}));
