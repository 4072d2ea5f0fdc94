// Never compiled: reports the first message it gets on the undeclared channel, exactly as its listener got it.
import { parentPort } from 'node:worker_threads';

const channel = new BroadcastChannel('otel-test-other');
channel.onmessage = (event) => {
  parentPort.postMessage({ data: event.data, type: event.type });
  channel.close();
};
