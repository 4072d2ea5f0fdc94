// Never compiled: answers every message with exactly what its listeners were given.
import { parentPort } from 'node:worker_threads';

const viaEvent = [];
parentPort.addEventListener('message', (event) => viaEvent.push(event.data));
parentPort.on('message', (value) => parentPort.postMessage({ value, viaEvent: viaEvent.at(-1), count: viaEvent.length }));
