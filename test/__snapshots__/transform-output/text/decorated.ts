import * as __otelCtx from "otel-context-transformer/runtime";
new Promise((resolve) => { @((resolve = () => {}), d) class K {} setTimeout(__otelCtx.bind(resolve), 1); });