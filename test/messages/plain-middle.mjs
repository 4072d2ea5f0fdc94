// Never compiled: a worker spawned by compiled code that spawns the compiled worker.mjs itself (URL in
// workerData) and hands its spawner the first message it gets from it.
import { Worker, parentPort, workerData } from 'node:worker_threads';

parentPort.once('message', () => {
  const grandchild = new Worker(new URL(workerData));
  grandchild.once('message', (first) => {
    parentPort.postMessage(first);
    grandchild.terminate();
  });
  grandchild.postMessage({ n: 9 });
});
