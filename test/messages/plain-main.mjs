// Never compiled: spawns the compiled worker.mjs (path given) and prints every message its listener gets.
import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL(process.argv[2]));
const got = [];
worker.on('message', (value) => got.push(value));
await new Promise((resolve) => {
  worker.once('message', resolve);
  worker.postMessage({ n: 5 });
});
await worker.terminate();
console.log(JSON.stringify(got));
