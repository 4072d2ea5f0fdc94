// Compiled with `messages: true`: submits tasks to a real workerpool of one worker thread from inside
// spans (exec, exec of a function, proxy), and to pools of a worker we did not compile (a worker
// thread and a child process), and prints the spans of both ends and what each worker was given.
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import { tracer, spans } from '../../../carriers/otel.mjs';

const script = fileURLToPath(new URL('workerpool-worker.mjs', import.meta.url));
const pool = workerpool.pool(script, { maxWorkers: 1, workerType: 'thread' });

const results: unknown[] = [await pool.exec('task', [0])];
await tracer.startActiveSpan('submit 1', async (span) => {
  results.push(await pool.exec('task', [1]));
  span.end();
});
await tracer.startActiveSpan('submit 2', async (span) => {
  const proxy = await pool.proxy<{ task: (n: number) => unknown }>();
  results.push(await proxy.task(2));
  span.end();
});
await tracer.startActiveSpan('submit 3', async (span) => {
  // A function is sent as its source and run by workerpool's own `run` method: the value comes back.
  results.push(await pool.exec((a: number, b: number) => a * b, [6, 7]));
  // Its source as written: compiled, its await would name helpers the worker's `new Function` cannot see.
  results.push(await pool.exec(async (a: number) => (await Promise.resolve(a)) + 1, [41]));
  span.end();
});
const taskSpans = await pool.exec('report', []);
await pool.terminate();

// Workers we did not compile: each method gets exactly the arguments submitted (a child process too).
const plain: unknown[] = [];
const plainScript = fileURLToPath(new URL('../../../messages/plain-workerpool-worker.cjs', import.meta.url));
for (const workerType of ['thread', 'process'] as const) {
  const other = workerpool.pool(plainScript, { maxWorkers: 1, workerType });
  await tracer.startActiveSpan(`submit plain ${workerType}`, async (span) => {
    plain.push(await other.exec('echo', [1, { a: [2] }]));
    plain.push(await other.exec('echo', []));
    plain.push(await other.exec('echo'));
    span.end();
  });
  await other.terminate();
}
console.log(JSON.stringify({ spans: spans(), taskSpans, results, plain }));
