// The "carriers" section of `npm run bench` (issue 9): the cost of spawning a worker thread or a process
// with the carrier helpers vs the same spawn without them, from inside a span, in one process. Each
// round times both variants alternately (one spawn at a time, until the peer has started a span and
// answered) and the ratio is taken within the round. Also the helpers' own cost per call.
//   node bench/carriers.mjs <rounds> <spawns per variant per round>
// Prints one JSON object.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import * as __otelCtx from '../dist/esm/runtime/node.js';

trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }));
context.setGlobalContextManager(new __otelCtx.CompiledContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
const tracer = trace.getTracer('bench-carriers');

const rounds = Number(process.argv[2]) || 5;
const perRound = Number(process.argv[3]) || 8;
const PEER = fileURLToPath(new URL('./carriers-peer.mjs', import.meta.url));
const identity = (o) => o;

/** Spawns one peer from inside a span; resolves with [ms until it answered, whether its span's parent is ours]. */
const spawners = {
  thread: (carry) =>
    tracer.startActiveSpan('spawn', (span) => {
      const start = performance.now();
      const worker = new Worker(PEER, (carry ? __otelCtx.workerOptions : identity)({}));
      span.end();
      return new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (parent) => {
          resolve([performance.now() - start, parent === span.spanContext().spanId]);
          worker.terminate();
        });
      });
    }),
  process: (carry) => child(carry, process.execPath, [PEER], (parent, span) => parent === span.spanContext().spanId),
  shell: (carry) => child(carry, 'sh', ['-c', 'printf %s "$TRACEPARENT"'], (out, span) => out.includes(span.spanContext().spanId)),
};
function child(carry, file, args, correct) {
  return tracer.startActiveSpan('spawn', (span) => {
    const start = performance.now();
    const options = { stdio: ['ignore', 'pipe', 'inherit'] };
    const proc = spawn(file, args, carry ? __otelCtx.spawnOptions(options) : options);
    span.end();
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    return new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('close', () => resolve([performance.now() - start, correct(out, span)]));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const result = {};
for (const [kind, spawnOne] of Object.entries(spawners)) {
  await spawnOne(true);
  await spawnOne(false); // warm-up
  const times = { with: [], without: [] };
  const correct = { with: 0, without: 0 };
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const roundTimes = { with: [], without: [] };
    for (let i = 0; i < perRound; i++) {
      // Alternate which variant goes first.
      for (const carry of i % 2 ? [true, false] : [false, true]) {
        const [ms, ok] = await spawnOne(carry);
        const key = carry ? 'with' : 'without';
        roundTimes[key].push(ms);
        if (ok) correct[key]++;
      }
    }
    times.with.push(median(roundTimes.with));
    times.without.push(median(roundTimes.without));
    ratios.push(median(roundTimes.with) / median(roundTimes.without));
  }
  result[kind] = {
    withMs: median(times.with),
    withoutMs: median(times.without),
    ratio: { median: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] },
    spawns: rounds * perRound,
    carried: correct,
  };
}

// The helpers alone, per call, inside a span (what the spawning code pays before the spawn itself).
function perCall(fn) {
  return tracer.startActiveSpan('calls', (span) => {
    const samples = [];
    for (let r = 0; r < 5; r++) {
      const n = 20_000;
      const start = performance.now();
      for (let i = 0; i < n; i++) fn();
      samples.push(((performance.now() - start) * 1e6) / n);
    }
    span.end();
    return median(samples);
  });
}
const options = { stdio: 'pipe' };
result.helperNs = {
  spawnOptions: perCall(() => __otelCtx.spawnOptions(options)),
  workerOptions: perCall(() => __otelCtx.workerOptions(options)),
};
process.stdout.write(JSON.stringify(result));
