// A compiled workerpool web worker of page.ts: a span per task, and one after an await in it.
import workerpool from 'workerpool';
import { spans, tracer } from './otel-web.js';

async function task(n: number): Promise<unknown> {
  const span = tracer.startSpan(`pool task ${n}`);
  await new Promise((resolve) => setTimeout(resolve, 1));
  tracer.startSpan(`pool task ${n} after await`).end();
  span.end();
  return { got: n, args: arguments.length };
}

workerpool.worker({ task, report: () => spans() });
