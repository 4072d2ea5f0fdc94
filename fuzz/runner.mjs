// Child process of fuzz/run.ts: runs compiled fuzz programs one after another
// in this one process and prints one result line per program.
//
//   node fuzz/runner.mjs <jobs.json>      jobs: [{ key, file }], run in order
//
// Plain JavaScript on purpose: this is "code we did not compile". Each program
// gets globalThis.__fuzz = { log, tap, chk, err, obj, V, T, ticks } (see
// fuzz/generator.ts). A program is done when its module has evaluated (it
// awaits what it tracked) and no timer or immediate is pending any more (the
// runner drains what it did not track); a watchdog stops a hang.
//
// Recorded per program:
//   events  what it logged, plus unhandled rejections and uncaught exceptions:
//           must be identical with and without the transform
//   ctx     failed context checks (chk) and contexts seen by uncompiled jobs
//           (leaks): must be empty with the transform
//   status  'ok', 'watchdog', or 'load-error: ...'
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { AsyncContext } from 'otel-context-transformer/async-context';

const WATCHDOG_MS = Number(process.env.FUZZ_WATCHDOG_MS ?? 5000);
const MAX_EVENTS = 20000;

context.setGlobalContextManager(new CompiledContextManager().enable());
const V = new AsyncContext.Variable({ name: 'fuzz' });

/** The program being run. */
let cur;

function makeEnv() {
  const registry = new Map();
  let nextId = 0;
  const rec = { events: [], ctx: [], truncated: false };
  const seen = new Set();
  const desc = (v, depth = 0) => {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    switch (typeof v) {
      case 'number':
        return Object.is(v, -0) ? '-0' : String(v);
      case 'boolean':
      case 'bigint':
        return String(v);
      case 'string':
        return JSON.stringify(v);
      case 'symbol':
        return v.toString();
      case 'function':
        return `fn:${v.name}`;
    }
    const id = registry.get(v);
    if (id !== undefined) return id;
    if (depth > 4 || seen.has(v)) return '…';
    seen.add(v);
    try {
      if (v instanceof Promise) return 'Promise';
      if (v instanceof AggregateError) return `AggregateError:${v.message}[${v.errors.map((e) => desc(e, depth + 1)).join(',')}]`;
      if (v instanceof Error) return `${v.name}:${v.message}`;
      if (Array.isArray(v)) return `[${v.map((x) => desc(x, depth + 1)).join(',')}]`;
      const tag = Object.prototype.toString.call(v);
      if (tag !== '[object Object]') return tag;
      // Own properties without calling getters (a `then` getter logs when read).
      const fields = Object.keys(v).map((k) => {
        const d = Object.getOwnPropertyDescriptor(v, k);
        return `${k}:${d.get || d.set ? 'accessor' : desc(d.value, depth + 1)}`;
      });
      return `{${fields.join(',')}}`;
    } finally {
      seen.delete(v);
    }
  };
  const push = (line) => {
    if (rec.events.length < MAX_EVENTS) rec.events.push(line);
    else rec.truncated = true;
  };
  const tasks = [];
  const env = {
    log: (...args) => push(args.map((a) => desc(a)).join(' ')),
    tap: (tag, value) => (push(`${tag} ${desc(value)}`), value),
    chk: (expected, tag) => {
      const got = V.get();
      if (got !== expected) rec.ctx.push(`${tag}: expected ${String(expected)}, got ${String(got)}`);
    },
    err: (message) => {
      const e = new Error(message);
      registry.set(e, `E#${++nextId}:${message}`);
      return e;
    },
    obj: (name) => {
      const o = { name };
      registry.set(o, `O#${++nextId}:${name}`);
      return o;
    },
    V,
    T: Object.assign((p) => (tasks.push(p), p), { take: () => tasks.splice(0) }),
    // Logs at each of n microtask turns: makes a changed number of ticks anywhere else visible as a changed interleaving.
    ticks: async (tag, n) => {
      for (let i = 0; i < n; i++) {
        await null;
        push(`${tag} ${i}`);
      }
    },
  };
  return { env, rec, desc, push };
}

process.on('unhandledRejection', (reason) => {
  if (cur) cur.push(`unhandled-rejection ${cur.desc(reason)}`);
});
process.on('rejectionHandled', () => {
  if (cur) cur.push('rejection-handled');
});
process.on('uncaughtException', (error) => {
  if (cur) cur.push(`uncaught ${cur.desc(error)}`);
  else {
    console.error(error);
    process.exit(2);
  }
});

/** An uncompiled job: nothing may be left in the slot for it to see. */
function probe(where) {
  if (!cur) return;
  const v = V.get();
  if (v !== undefined) cur.rec.ctx.push(`leak: uncompiled ${where} saw context ${String(v)}`);
  else if (context.active() !== ROOT_CONTEXT) cur.rec.ctx.push(`leak: uncompiled ${where} saw a non-root OTel context`);
}

/** Timers and immediates pending, not counting the running timer (a running Timeout still counts itself; an Immediate does not). */
function pendingMacrotasks(inTimeout) {
  let timeouts = inTimeout ? -1 : 0;
  let immediates = 0;
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'Timeout') timeouts++;
    else if (r === 'Immediate') immediates++;
  }
  return { timeouts, immediates };
}

async function runOne(job) {
  const { env, rec, desc, push } = makeEnv();
  cur = { rec, desc, push };
  globalThis.__fuzz = env;
  const started = performance.now();
  let status;
  import(pathToFileURL(job.file).href).then(
    () => {
      status ??= 'ok';
    },
    (e) => {
      status ??= `load-error: ${e && e.name}: ${e && e.message}`;
    },
  );
  // Poll from uncompiled jobs until the module is done and nothing is pending.
  const deadline = Date.now() + WATCHDOG_MS;
  let quiet = 0;
  await new Promise((resolve) => {
    const tick = (where) => {
      probe(where);
      const { timeouts, immediates } = pendingMacrotasks(where === 'setTimeout');
      if (status !== undefined && timeouts === 0 && immediates === 0) {
        if (++quiet >= 2) return resolve();
      } else quiet = 0;
      if (Date.now() > deadline) {
        status = 'watchdog';
        return resolve();
      }
      // Poll with the program's own macrotask kind when it has timers pending, so the process does not spin.
      if (timeouts > 0) setTimeout(tick, 1, 'setTimeout');
      else setImmediate(tick, 'setImmediate');
    };
    setImmediate(tick, 'setImmediate');
  });
  probe('runner');
  // Whatever a program left in the slot is its failure (recorded above), not the next program's.
  const slot = globalThis[Symbol.for('otel-context-transformer.slot.v2')];
  if (slot) slot.current = slot.empty;
  cur = undefined;
  globalThis.__fuzz = undefined;
  return {
    key: job.key,
    status,
    events: rec.events,
    ctx: rec.ctx.slice(0, 50),
    truncated: rec.truncated,
    ms: Math.round(performance.now() - started),
  };
}

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const job of jobs) {
  process.stdout.write(`@@S ${job.key}\n`);
  const result = await runOne(job);
  process.stdout.write(`@@R ${JSON.stringify(result)}\n`);
  // A program that hung may still have work pending: the parent restarts us for the rest.
  if (result.status === 'watchdog') process.exit(3);
}
