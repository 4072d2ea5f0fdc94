// Compiled with `messages: true`: runs tasks on a real Piscina or Tinypool (argv[2]) of one thread from
// inside spans, and prints the spans of both ends. Paths relative to test/.tmp/messages/<backend>/.
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import { tracer, spans } from '../../../carriers/otel.mjs';

const filename = new URL('pool-task.mjs', import.meta.url).href;
const options = { filename, minThreads: 1, maxThreads: 1 };
const pool = process.argv[2] === 'tinypool' ? new Tinypool(options) : new Piscina(options);

const results: unknown[] = [await pool.run({ n: 0 })];
await tracer.startActiveSpan('submit 1', async (span) => {
  results.push(await pool.run({ n: 1 }));
  span.end();
});
await tracer.startActiveSpan('submit 2', async (span) => {
  const bytes = new Uint8Array([1, 2, 3]);
  results.push(await pool.run({ n: 2, bytes }, { name: 'named', transferList: [bytes.buffer] }));
  span.end();
});
// Piscina.move(): transferred as Piscina transfers it (the sender's copy is detached).
if (pool instanceof Piscina) {
  const moved = new Uint8Array([7, 8]);
  results.push(await pool.run(Piscina.move(moved)), { senderLength: moved.byteLength });
}
const taskSpans = await pool.run('report');
await pool.destroy();
console.log(JSON.stringify({ spans: spans(), taskSpans, results }));
