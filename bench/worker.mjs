// One benchmark process: registers a context manager, runs a compiled
// workload (warm-up, then timed iterations) and prints times and the number of
// child spans whose parent is not their own request's root span.
//   node worker.mjs <variant-json>
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2]);
if (spec.explicitParent) globalThis.benchExplicitParent = true;
if (spec.zone) await import('zone.js/node');
const { context, diag, DiagLogLevel, trace } = await import('@opentelemetry/api');
// Debug mode's "on" figures with a logger that takes every message and keeps none (bench/run.mjs, debug).
if (spec.diagLogger === 'discard') {
  const discard = () => {};
  diag.setLogger({ error: discard, warn: discard, info: discard, debug: discard, verbose: discard }, DiagLogLevel.DEBUG);
}
const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');

// Records what the check needs and nothing else: the exporter must not dominate.
const roots = new Map();
let children = [];
const recorder = {
  onStart() {},
  onEnd(span) {
    const i = span.attributes.request;
    if (span.name === 'request') roots.set(i, span.spanContext().spanId);
    else children.push([i, span.parentSpanContext?.spanId]);
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [recorder] }));
context.setGlobalContextManager(await manager(spec.manager));

async function manager(name) {
  if (name === 'compiled') return new (await import('otel-context-transformer/runtime')).CompiledContextManager().enable();
  if (name === 'als') return new (await import('@opentelemetry/context-async-hooks')).AsyncLocalStorageContextManager().enable();
  if (name === 'zone') return new (await import('@opentelemetry/context-zone-peer-dep')).ZoneContextManager().enable();
  throw new Error(name);
}

// Each time is the mean of a group of consecutive runs: one run (a few ms) either hits a scavenge or
// not, so single-run times are bimodal; a group's mean includes its share of garbage collection.
const GROUP_SIZE = 5;
if (spec.paired) {
  await runPaired(spec.paired);
  process.exit(0);
}

const workload = await import(pathToFileURL(spec.file).href);
const run = workload.runRequests ?? workload.default?.runRequests;
const times = [];
let wrong = 0;
let checked = 0;
let groupMs = 0;
for (let i = 0; i < spec.warmup + spec.iterations; i++) {
  roots.clear();
  children = [];
  const start = performance.now();
  await run(spec.requests);
  const ms = performance.now() - start;
  checked += children.length;
  for (const [request, parent] of children) if (roots.get(request) !== parent) wrong++;
  if (i < spec.warmup) continue;
  groupMs += ms;
  if ((i - spec.warmup + 1) % GROUP_SIZE === 0) {
    times.push(groupMs / GROUP_SIZE);
    groupMs = 0;
  }
}
const micro = {};
if (spec.micro) {
  const awaitLoop = workload.awaitLoop ?? workload.default?.awaitLoop;
  const thenLoop = workload.thenLoop ?? workload.default?.thenLoop;
  const thenBatches = workload.thenBatches ?? workload.default?.thenBatches;
  // Inside a span's context: in the empty context compiled code has nothing to carry and skips its work.
  const inSpan = trace.setSpan(context.active(), trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }));
  for (const [name, fn] of [
    ['await', awaitLoop],
    ['thenBatches', thenBatches],
    ['then', thenLoop],
  ]) {
    await context.with(inSpan, () => fn(spec.micro));
    const start = performance.now();
    await context.with(inSpan, () => fn(spec.micro));
    micro[name] = ((performance.now() - start) * 1e6) / spec.micro;
  }
}
process.stdout.write(JSON.stringify({ times, wrong, checked, micro }));

/**
 * Several workloads in this one process, alternating group by group (ABC, then CBA): the host's drift
 * over seconds and minutes falls on all of them alike, so the ratio of neighbouring groups is precise.
 * Each entry is its own module instance (a query string), so the "by hand" flag, read when the module
 * is evaluated, applies to that instance only.
 */
async function runPaired(entries) {
  const runs = [];
  for (const entry of entries) {
    globalThis.benchExplicitParent = !!entry.explicitParent;
    const module = await import(`${pathToFileURL(entry.file).href}?${entry.id}`);
    runs.push({ id: entry.id, run: module.runRequests, times: [], wrong: 0, checked: 0 });
  }
  delete globalThis.benchExplicitParent;
  for (let g = 0; g < spec.warmupGroups + spec.groups; g++) {
    for (const r of g % 2 === 0 ? runs : [...runs].reverse()) {
      let ms = 0;
      for (let i = 0; i < GROUP_SIZE; i++) {
        roots.clear();
        children = [];
        const start = performance.now();
        await r.run(spec.requests);
        ms += performance.now() - start;
        r.checked += children.length;
        for (const [request, parent] of children) if (roots.get(request) !== parent) r.wrong++;
      }
      if (g >= spec.warmupGroups) r.times.push(ms / GROUP_SIZE);
    }
  }
  process.stdout.write(JSON.stringify(Object.fromEntries(runs.map((r) => [r.id, { times: r.times, wrong: r.wrong, checked: r.checked }]))));
}
