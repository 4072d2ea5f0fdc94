// A compiled worker exposing an object through comlink (compiled too: `packages: ["comlink"]`).
import * as Comlink from 'comlink';
import { spans, tracer } from './otel-web.js';

Comlink.expose({
  async work(n: number) {
    const span = tracer.startSpan(`work ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    tracer.startSpan(`work ${n} after await`).end();
    span.end();
    return n * 2;
  },
  report: () => spans(),
});
