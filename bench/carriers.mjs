// The "carriers" section of `npm run bench` (issue 9): the cost of spawning a worker thread or a process
// compiled by the transform (bench/carriers-spawners.mjs through transform(): the carrier helpers put in)
// vs the same code as written, from inside a span, in one process. Each round times both variants
// alternately (one spawn at a time, until the peer has started a span and answered) and the ratio is
// taken within the round. Also the helpers' own cost per call.
//   node bench/carriers.mjs <rounds> <spawns per variant per round>
// Prints one JSON object.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { transform } from '../dist/esm/api.js';
import * as __otelCtx from '../dist/esm/runtime/node.js';

trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }));
context.setGlobalContextManager(new __otelCtx.CompiledContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
const tracer = trace.getTracer('bench-carriers');

const rounds = Number(process.argv[2]) || 5;
const perRound = Number(process.argv[3]) || 8;
const PEER = fileURLToPath(new URL('./carriers-peer.mjs', import.meta.url));

// The two variants of the spawning code, side by side in bench/.out (inside the package: the compiled
// one imports otel-context-transformer/runtime, which resolves to this build's runtime).
const SOURCE = fileURLToPath(new URL('./carriers-spawners.mjs', import.meta.url));
const OUT = fileURLToPath(new URL('./.out/carriers/', import.meta.url));
mkdirSync(OUT, { recursive: true });
const written = readFileSync(SOURCE, 'utf8');
const compiled = transform(written, { filename: SOURCE })?.code;
if (!compiled?.includes('__otelCtx.spawnOptions(') || !compiled.includes('__otelCtx.workerOptions(') || !compiled.includes('spawnArgs(')) {
  throw new Error('transform() did not rewrite the spawn sites of bench/carriers-spawners.mjs');
}
writeFileSync(`${OUT}transformed.mjs`, compiled);
writeFileSync(`${OUT}plain.mjs`, written);
const variants = {
  with: (await import(pathToFileURL(`${OUT}transformed.mjs`).href)).spawners,
  without: (await import(pathToFileURL(`${OUT}plain.mjs`).href)).spawners,
};

/** Spawns one peer from inside a span; resolves with [ms until it answered, whether its span's parent is ours]. */
function spawnOne(kind, carry) {
  const spawners = variants[carry ? 'with' : 'without'];
  return tracer.startActiveSpan('spawn', (span) => {
    const ours = span.spanContext().spanId;
    const start = performance.now();
    if (kind === 'shellExec') {
      return new Promise((resolve, reject) => {
        spawners.shellExec(PEER, (error, out) => (error ? reject(error) : resolve([performance.now() - start, out.includes(ours)])));
        span.end();
      });
    }
    const peer = spawners[kind](PEER);
    span.end();
    if (kind === 'thread') {
      return new Promise((resolve, reject) => {
        peer.once('error', reject);
        peer.once('message', (parent) => {
          resolve([performance.now() - start, parent === ours]);
          peer.terminate();
        });
      });
    }
    let out = '';
    peer.stdout.on('data', (d) => (out += d));
    return new Promise((resolve, reject) => {
      peer.once('error', reject);
      peer.once('close', () => resolve([performance.now() - start, kind === 'shell' ? out.includes(ours) : out === ours]));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const result = {};
for (const kind of Object.keys(variants.with)) {
  await spawnOne(kind, true);
  await spawnOne(kind, false); // warm-up
  const times = { with: [], without: [] };
  const correct = { with: 0, without: 0 };
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const roundTimes = { with: [], without: [] };
    for (let i = 0; i < perRound; i++) {
      // Alternate which variant goes first.
      for (const carry of i % 2 ? [true, false] : [false, true]) {
        const [ms, ok] = await spawnOne(kind, carry);
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
