// A worker thread using our runtime (through otel.mjs). Module top level, after a top-level await and
// in a parentPort handler, it starts a span; on 'report' it answers with its spans and what it was given.
import { parentPort, workerData } from 'node:worker_threads';
import { tracer, spans, baggage, managerName } from './otel.mjs';

tracer.startSpan('worker top level').end();
const topBaggage = baggage();
await new Promise((resolve) => setTimeout(resolve, 1));
tracer.startSpan('worker after top-level await').end();
parentPort.on('message', () => {
  tracer.startSpan('worker message handler').end();
  parentPort.postMessage({
    manager: managerName,
    spans: spans(),
    baggage: topBaggage,
    workerData,
    argv: process.argv.slice(2),
    execArgv: process.execArgv,
    env: { TRACEPARENT: process.env.TRACEPARENT, USER_VAR: process.env.USER_VAR, SHARED_MARK: process.env.SHARED_MARK },
  });
});
