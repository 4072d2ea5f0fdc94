/**
 * The benchmark workload: N concurrent requests, each a root span whose
 * handler awaits ten times, hops through the event loop (setImmediate; a 0 ms
 * timer in browsers), then starts a child span. Compiled three ways by
 * bench/run.mjs: untransformed, transformed, and downlevelled to generators
 * (what zone.js needs).
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('bench');
// The "manual propagation" reference: the child names its parent explicitly, as hand-written code
// passing contexts around would. Correct parents with no propagation at all: what the SDK itself
// costs when a span has a parent (the floor's children are roots, which is cheaper for the SDK).
const explicitParent = (globalThis as { benchExplicitParent?: boolean }).benchExplicitParent === true;
const hop = () => new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

async function lookup(i: number): Promise<number> {
  await null;
  return i + 1;
}

async function handle(i: number): Promise<void> {
  await tracer.startActiveSpan('request', { attributes: { request: i } }, async (span) => {
    let v = i;
    for (let k = 0; k < 8; k++) v = await lookup(v);
    await Promise.resolve(v);
    await hop();
    const parent = explicitParent ? trace.setSpan(ROOT_CONTEXT, span) : undefined;
    tracer.startSpan('child', { attributes: { request: i } }, parent).end();
    span.end();
  });
}

export async function runRequests(n: number): Promise<void> {
  const all: Promise<void>[] = [];
  for (let i = 0; i < n; i++) all.push(handle(i));
  await Promise.all(all);
}

/** Micro: one continuation per iteration. */
export async function awaitLoop(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await i;
  return sum;
}

/** Micro: one bound promise callback per iteration, 100 pending at a time (chains of 100, each awaited). */
export async function thenBatches(n: number): Promise<number> {
  let v = 0;
  for (let i = 0; i < n; i += 100) {
    let p: Promise<number> = Promise.resolve(v);
    for (let k = 0; k < 100; k++) p = p.then((x) => x + 1);
    v = await p;
  }
  return v;
}

/** Micro: one bound promise callback per iteration, all pending at once (one chain of n). */
export async function thenLoop(n: number): Promise<number> {
  let p: Promise<number> = Promise.resolve(0);
  for (let i = 0; i < n; i++) p = p.then((v) => v + 1);
  return p;
}
