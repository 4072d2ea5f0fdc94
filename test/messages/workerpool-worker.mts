// The worker of workerpool-main.mts: a span per task, and one after an await in it.
import workerpool from 'workerpool';
import { tracer, spans } from '../../../carriers/otel.mjs';

async function task(n: number): Promise<unknown> {
  const span = tracer.startSpan(`task ${n}`);
  await new Promise((resolve) => setTimeout(resolve, 1));
  tracer.startSpan(`task ${n} after await`).end();
  span.end();
  return { got: n, args: arguments.length };
}

workerpool.worker({ task, report: () => spans() });
