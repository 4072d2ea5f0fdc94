/**
 * Isolation under load (run by test/isolation.test.ts, compiled with and
 * without the transform).
 *
 * 1,200 concurrent "users", each in its own OpenTelemetry context carrying the
 * baggage entry user.id = u<n>, run a seeded random mix of awaits, then-chains,
 * setTimeout / setInterval / setImmediate / queueMicrotask / process.nextTick
 * hops, nested async calls, async generators, Promise.all fan-outs, rejected
 * awaits, thenables, nested context.with and callbacks scheduled by uncompiled
 * code. At every operation the user reads its baggage: anything but its own id
 * is counted (another user's id: a mismatch; no baggage: lost).
 *
 * Next to it, an uncompiled module (uncompiled-observer.mjs, never transformed)
 * runs its own timers, microtasks and promise chains and counts every job in
 * which it sees a context other than the root one.
 *
 * Prints one line: `@@ISOLATION {json}`.
 *
 * Environment: ISOLATION_USERS (1200), ISOLATION_STEPS (40), ISOLATION_SEED,
 * ISOLATION_MANAGER = compiled (default) | leaky (a deliberately broken global
 * variable manager that never restores: proves the counters can fire).
 */
import { context, propagation, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
// @ts-ignore: plain JavaScript without types, on purpose
import { startObserver } from './uncompiled-observer.mjs';

const USERS = Number(process.env.ISOLATION_USERS ?? 1200);
const STEPS = Number(process.env.ISOLATION_STEPS ?? 40);
const SEED = Number(process.env.ISOLATION_SEED ?? 20240611);
const MANAGER = process.env.ISOLATION_MANAGER ?? 'compiled';

/** Sets the context and never puts the previous one back: what a broken manager does. */
class LeakyGlobalManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.current = ctx;
    return fn.call(thisArg, ...args);
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

context.setGlobalContextManager(MANAGER === 'leaky' ? new LeakyGlobalManager() : new CompiledContextManager().enable());

interface User {
  id: string;
  random: () => number;
}

const stats = {
  operations: 0,
  mismatches: 0,
  lost: 0,
  byKind: {} as Record<string, number>,
  samples: [] as string[],
};
let inFlight = 0;
let peakConcurrent = 0;
const contexts = new Set<string>();

function baggageUser(): string | undefined {
  return propagation.getBaggage(context.active())?.getEntry('user.id')?.value;
}

/** One operation: the active context must carry exactly `expected`. */
function check(expected: string, where: string): void {
  stats.operations++;
  stats.byKind[where] = (stats.byKind[where] ?? 0) + 1;
  const seen = baggageUser();
  if (seen === expected) return;
  if (seen === undefined) stats.lost++;
  else stats.mismatches++;
  if (stats.samples.length < 10) stats.samples.push(`${expected} at ${where} saw ${seen ?? 'no baggage'}`);
}

function withUser<T>(id: string, fn: () => T): T {
  contexts.add(id);
  const ctx = propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: id } }));
  return context.with(ctx, fn);
}

/** mulberry32: each user's mix of operations is the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const observer = startObserver() as {
  deliver(): void;
  later(callback: () => void, ms?: number): void;
  stop(): Promise<{ observations: number; nonRoot: number; delivered: number; byKind: Record<string, number>; samples: string[] }>;
};

/** One hop through a scheduler, checking inside the callback (`expected`: a sub-request's id). */
function hop(u: User, where: string, expected = u.id): Promise<void> {
  const r = u.random();
  const delay = Math.floor(u.random() * 3);
  return new Promise<void>((resolve) => {
    if (r < 0.3) {
      setTimeout(() => {
        check(expected, `${where}/setTimeout`);
        resolve();
      }, delay);
    } else if (r < 0.5) {
      setImmediate(() => {
        check(expected, `${where}/setImmediate`);
        resolve();
      });
    } else if (r < 0.7) {
      queueMicrotask(() => {
        check(expected, `${where}/queueMicrotask`);
        resolve();
      });
    } else if (r < 0.85) {
      process.nextTick(() => {
        check(expected, `${where}/process.nextTick`);
        resolve();
      });
    } else {
      Promise.resolve().then(() => {
        check(expected, `${where}/then`);
        resolve();
      });
    }
  });
}

function rejectLater(u: User): Promise<never> {
  const delay = Math.floor(u.random() * 2);
  return new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`rejected for ${u.id}`)), delay));
}

async function* feed(u: User, n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    await hop(u, 'generator');
    check(u.id, 'generator body');
    yield i;
    check(u.id, 'generator after yield');
  }
}

async function nested(u: User, depth: number): Promise<void> {
  check(u.id, 'nested entry');
  await hop(u, 'nested');
  check(u.id, 'nested after hop');
  if (depth < 3 && u.random() < 0.5) await step(u, depth + 1);
  check(u.id, 'nested exit');
}

const KINDS = 12;

async function step(u: User, depth: number): Promise<void> {
  const kind = Math.floor(u.random() * KINDS);
  switch (kind) {
    case 0:
      await null;
      check(u.id, 'await');
      break;
    case 1:
      await hop(u, 'hop');
      check(u.id, 'after hop');
      break;
    case 2: {
      const value = await Promise.resolve(u.id)
        .then((v) => {
          check(u.id, 'then');
          return v;
        })
        .then((v) => new Promise<string>((resolve) => setTimeout(() => (check(u.id, 'then/setTimeout'), resolve(v)), 1)))
        .then(() => {
          throw new Error('chain');
        })
        .catch(() => {
          check(u.id, 'catch');
          return u.id;
        })
        .finally(() => check(u.id, 'finally'));
      check(value, 'after then-chain');
      break;
    }
    case 3:
      await nested(u, depth);
      check(u.id, 'after nested');
      break;
    case 4:
      for await (const _ of feed(u, 2)) check(u.id, 'for await body');
      check(u.id, 'after for await');
      break;
    case 5: {
      const branches = 2 + Math.floor(u.random() * 3);
      await Promise.all(
        Array.from({ length: branches }, async () => {
          await hop(u, 'fan-out');
          check(u.id, 'fan-out branch');
        }),
      );
      check(u.id, 'after Promise.all');
      break;
    }
    case 6:
      try {
        await rejectLater(u);
      } catch {
        check(u.id, 'await catch');
      } finally {
        check(u.id, 'await finally');
      }
      break;
    case 7:
      await new Promise<void>((resolve) => {
        let n = 0;
        const timer = setInterval(() => {
          check(u.id, 'setInterval');
          if (++n === 2) {
            clearInterval(timer);
            resolve();
          }
        }, 1);
      });
      check(u.id, 'after setInterval');
      break;
    case 8:
      // A thenable's then runs in the await's context.
      await {
        then(resolve: (v: number) => void) {
          check(u.id, 'thenable then');
          resolve(1);
        },
      };
      check(u.id, 'after thenable');
      break;
    case 9:
      // Resolved from an uncompiled timer: nothing binds it, the await resumes us anyway.
      await new Promise<void>((resolve) => observer.later(resolve, Math.floor(u.random() * 2)));
      check(u.id, 'after uncompiled timer');
      observer.deliver();
      check(u.id, 'after deliver');
      break;
    case 10: {
      // A nested context for a sub-request, then back.
      const sub = `${u.id}/sub`;
      await withUser(sub, async () => {
        check(sub, 'sub-request');
        await hop(u, 'sub-request', sub);
        check(sub, 'sub-request after hop');
      });
      check(u.id, 'after sub-request');
      break;
    }
    case 11:
      await new Promise<void>((resolve) => setImmediate(resolve));
      check(u.id, 'after setImmediate');
      await Promise.resolve();
      check(u.id, 'after resolved promise');
      break;
  }
}

async function runUser(u: User): Promise<void> {
  inFlight++;
  peakConcurrent = Math.max(peakConcurrent, inFlight);
  check(u.id, 'start');
  for (let i = 0; i < STEPS; i++) await step(u, 0);
  check(u.id, 'end');
  inFlight--;
}

const started = performance.now();
const done: Promise<void>[] = [];
for (let i = 0; i < USERS; i++) {
  const u: User = { id: `u${i}`, random: seeded(SEED + i) };
  if (i % 2 === 0) {
    done.push(withUser(u.id, () => runUser(u)));
  } else {
    // The other half starts a few milliseconds later, from timers scheduled at the root.
    done.push(new Promise<void>((resolve, reject) => setTimeout(() => withUser(u.id, () => runUser(u)).then(resolve, reject), i % 5)));
  }
}
await Promise.all(done);
const wallMs = Math.round(performance.now() - started);
// Module top level resumes in the root context after a top-level await.
const topLevelAfterAwait = baggageUser() ?? 'root';
const uncompiled = await observer.stop();

console.log(
  '@@ISOLATION ' +
    JSON.stringify({
      manager: MANAGER,
      users: USERS,
      contexts: contexts.size,
      peakConcurrent,
      operations: stats.operations,
      mismatches: stats.mismatches,
      lost: stats.lost,
      samples: stats.samples,
      topLevelAfterAwait,
      uncompiled,
      wallMs,
      byKind: stats.byKind,
    }),
);
