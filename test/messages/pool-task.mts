// The task module of pool-main.mts: a span per task, and one after an await in it.
import { tracer, spans } from '../../../carriers/otel.mjs';

async function run(task: any, how: string): Promise<unknown> {
  if (task === 'report') return spans();
  if (task instanceof Uint8Array) return { how, moved: [...task] };
  const span = tracer.startSpan(`task ${task.n}`);
  await new Promise((resolve) => setTimeout(resolve, 1));
  tracer.startSpan(`task ${task.n} after await`).end();
  span.end();
  return { how, got: { n: task.n, bytes: task.bytes ? [...task.bytes] : undefined } };
}

export default (task: unknown) => run(task, 'default');
export const named = (task: unknown) => run(task, 'named');
