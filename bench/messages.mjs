// The messages part of the "carriers" section of `npm run bench` (issue 9): the cost per message of
// `messages: true` between a worker thread and its spawner, both ends carrying (the worker spawned through
// messageConstruct, posts through the postMessage helper, from inside a span) vs the same exchange
// compiled without the option (plain new Worker and postMessage). Each round times both variants
// alternately; ratios are taken within the round. Two shapes: one message at a time, each waiting for its
// answer (latency), and a batch posted at once (throughput). Also the helper's own cost per call to an
// end that does not take envelopes (what every other postMessage pays with the option on), and a workerpool
// task submitted through carryingPool to a worker registered through carriedPoolWorker vs a plain pool.
//   node bench/messages.mjs <rounds> <messages per batch>
// Prints one JSON object.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import * as __otelCtx from '../dist/esm/runtime/messages-node.js';
import { carriedContext, carryTo } from '../dist/esm/runtime/messages.js';
import { activeFields } from '../dist/esm/runtime/carrier.js';

trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }));
context.setGlobalContextManager(new __otelCtx.CompiledContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
const tracer = trace.getTracer('bench-messages');

const rounds = Number(process.argv[2]) || 5;
const batch = Number(process.argv[3]) || 2000;
const PEER = fileURLToPath(new URL('./messages-peer.mjs', import.meta.url));
const MESSAGE = { kind: 'job', id: 12345, payload: 'x'.repeat(64) };

function open(carry) {
  const worker = carry ? __otelCtx.messageConstruct(Worker, PEER, { workerData: { carry } }) : new Worker(PEER, { workerData: { carry } });
  const post = carry ? (m) => __otelCtx.postMessage(worker, m) : (m) => worker.postMessage(m);
  const waiting = new Map();
  let carried = 0;
  worker.on('message', (reply) => {
    if (reply.under !== '') carried++;
    waiting.get(reply.seq)?.();
    waiting.delete(reply.seq);
  });
  let seq = 0;
  const send = () =>
    new Promise((resolve) => {
      waiting.set(++seq, resolve);
      post({ ...MESSAGE, seq });
    });
  return { worker, send, carried: () => carried };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** µs per message: `count` messages one at a time, or all posted at once. */
function timed(end, count, oneAtATime) {
  return tracer.startActiveSpan('send', async (span) => {
    const start = performance.now();
    if (oneAtATime) for (let i = 0; i < count; i++) await end.send();
    else await Promise.all(Array.from({ length: count }, () => end.send()));
    span.end();
    return ((performance.now() - start) * 1000) / count;
  });
}

const ends = { with: open(true), without: open(false) };
// Warm-up; it also completes the handshake (the worker announces itself before its first answer).
for (const end of Object.values(ends)) await timed(end, 200, false);
const result = {};
for (const [shape, oneAtATime] of [
  ['roundTrip', true],
  ['batch', false],
]) {
  const count = oneAtATime ? batch / 4 : batch;
  const us = { with: [], without: [] };
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? ['with', 'without'] : ['without', 'with'];
    const roundUs = {};
    for (const key of order) roundUs[key] = await timed(ends[key], count, oneAtATime);
    us.with.push(roundUs.with);
    us.without.push(roundUs.without);
    ratios.push(roundUs.with / roundUs.without);
  }
  result[shape] = {
    withUs: median(us.with),
    withoutUs: median(us.without),
    ratio: { median: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] },
    messages: count * rounds,
  };
}
result.carried = { with: ends.with.carried(), without: ends.without.carried() };
for (const end of Object.values(ends)) await end.worker.terminate();

/**
 * A task at a time from inside a span through each of two submitters (`with`: compiled with the option;
 * `without`: as written), the two alternating within each round: µs per task (median over rounds), the
 * per-round ratios, and how many tasks ran under the submitting span.
 */
async function compareTasks(submit) {
  const carried = { with: 0, without: 0 };
  const timed = (key, count) =>
    tracer.startActiveSpan('submit', async (span) => {
      // This file is not compiled: each task is submitted in the span explicitly (an await here loses it).
      const active = context.active();
      const start = performance.now();
      for (let i = 0; i < count; i++) if ((await context.with(active, () => submit[key](i))) !== '') carried[key]++;
      span.end();
      return ((performance.now() - start) * 1000) / count;
    });
  for (const key of ['with', 'without']) await timed(key, 200);
  carried.with = carried.without = 0;
  const count = batch / 4;
  const us = { with: [], without: [] };
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? ['with', 'without'] : ['without', 'with'];
    const roundUs = {};
    for (const key of order) roundUs[key] = await timed(key, count);
    us.with.push(roundUs.with);
    us.without.push(roundUs.without);
    ratios.push(roundUs.with / roundUs.without);
  }
  return {
    withUs: median(us.with),
    withoutUs: median(us.without),
    ratio: { median: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] },
    tasks: count * rounds,
    carried,
  };
}

// workerpool (one worker thread): a pool made by carryingPool submitting to a worker registered through
// carriedPoolWorker, vs a plain pool and worker.
const POOL_PEER = fileURLToPath(new URL('./workerpool-peer.mjs', import.meta.url));
const threadOptions = (carry) => ({ maxWorkers: 1, workerType: 'thread', workerThreadOpts: { workerData: { carry } } });
const pools = {
  with: __otelCtx.carryingPool(workerpool.pool, POOL_PEER, threadOptions(true)),
  without: workerpool.pool(POOL_PEER, threadOptions(false)),
};
result.workerpool = await compareTasks({ with: (i) => pools.with.exec('under', [i]), without: (i) => pools.without.exec('under', [i]) });
for (const pool of Object.values(pools)) await pool.terminate();

// Piscina and Tinypool (one thread each): constructed through messageConstruct (tasks go through
// runtime/pool-task.js) vs `new`.
const TASK = new URL('./pool-task-peer.mjs', import.meta.url).href;
for (const [name, Pool] of [
  ['piscina', Piscina],
  ['tinypool', Tinypool],
]) {
  const options = { filename: TASK, minThreads: 1, maxThreads: 1 };
  const made = { with: __otelCtx.messageConstruct(Pool, options), without: new Pool(options) };
  result[name] = await compareTasks({ with: (i) => made.with.run(i), without: (i) => made.without.run(i) });
  for (const pool of Object.values(made)) await pool.destroy();
}

// In one thread, per call: the helper to an end that takes no envelopes (a MessagePort) vs the direct call;
// the helper to an end that does (inject and a larger clone) inside a span; what a receiving gate adds
// (extract, and the listeners run inside context.with).
const { port1, port2 } = new MessageChannel();
const carrying = new MessageChannel();
carryTo(carrying.port1);
port2.on('message', () => {});
carrying.port2.on('message', () => {});
function perCall(fn) {
  const samples = [];
  for (let r = 0; r < 5; r++) {
    const n = 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push(((performance.now() - start) * 1e6) / n);
  }
  return median(samples);
}
result.postNs = {
  direct: perCall(() => port1.postMessage(MESSAGE)),
  helperNotCarrying: perCall(() => __otelCtx.postMessage(port1, MESSAGE)),
  helperCarrying: tracer.startActiveSpan('post', (span) => {
    const ns = perCall(() => __otelCtx.postMessage(carrying.port1, MESSAGE));
    span.end();
    return ns;
  }),
};
// workerpool's exec through carryingPool in one thread (the pool's own exec a no-op): the params copy and
// the inject, inside a span, vs the plain call.
const noopPool = () => ({ exec: (method, params) => params });
const carryingNoop = __otelCtx.carryingPool(noopPool);
const plainNoop = noopPool();
result.workerpool.execNs = {
  direct: perCall(() => plainNoop.exec('m', [1, 2])),
  carrying: tracer.startActiveSpan('exec', (span) => {
    const ns = perCall(() => carryingNoop.exec('m', [1, 2]));
    span.end();
    return ns;
  }),
};
const fields = tracer.startActiveSpan('fields', (span) => (span.end(), activeFields()));
const listener = () => 1;
result.receiveNs = { direct: perCall(listener), gate: perCall(() => context.with(carriedContext(fields), listener)) };
port1.close();
carrying.port1.close();
process.stdout.write(JSON.stringify(result));
