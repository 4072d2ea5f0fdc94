// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * Debug mode (README "Debug mode"): the helpers at the boundaries where compiled code crosses into a
 * later job — a bound callback's entry, the continuation after an await or yield, a catch, finally or
 * `for await` turn entered after a suspension — wrapped to log each crossing through OTel's `diag`:
 * the site (`file:line:col`, when the code was built with `debug: true`), the trace and span ids the
 * code runs in (what was captured when the work was scheduled) and those active before entering.
 * Crossings that run with no span are counted per site for debugSummary(): where the context was
 * already gone.
 *
 * None of this is in the default runtime (runtime/index.ts): code built with `debug: true` imports
 * runtime/debug.ts, and under Node runtime/node.ts picks these helpers when OTEL_LOG_LEVEL asks for
 * debug output. The other helpers (suspend, tail, leave, exit, ...) are the plain ones.
 */
import { context, diag, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import * as plain from './slot.js';
import { active, INERT_FRAME, runIn, type Frame } from './slot.js';

/** What the summary lists: a site and what crossed there. */
export interface DebugSummaryEntry {
  /** `file:line:col` of the boundary, or `(unknown site)` for code built without `debug: true`. */
  site: string;
  /** `callback` (bind), `continuation` (after an await or yield), `re-entry` (catch, finally or for-await turn after a suspension). */
  crossing: Crossing;
  /** How many times it crossed with no span. */
  count: number;
}
export type Crossing = 'callback' | 'continuation' | 're-entry';

const PREFIX = 'otel-context-transformer:';
const UNKNOWN_SITE = '(unknown site)';

interface DebugState {
  /** Crossings with no span, by `crossing site`. */
  empty: Map<string, number>;
  exitHook: boolean;
}
// Shared by every copy of this module (ESM and CommonJS builds), as the slot is.
const state: DebugState = ((globalThis as Record<symbol, DebugState>)[Symbol.for('otel-context-transformer.debug.v1')] ??= {
  empty: new Map(),
  exitHook: false,
});

function ids(ctx: Context): { traceId: string; spanId: string } | undefined {
  const span = trace.getSpanContext(ctx);
  return span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : undefined;
}

function show(x: { traceId: string; spanId: string } | undefined): string {
  return x ? `trace ${x.traceId} span ${x.spanId}` : 'no span';
}

/**
 * One line per crossing, e.g.
 *   otel-context-transformer: callback at src/a.ts:12:7 runs in trace 4bf9… span 00f0…; before entering: no span
 * "runs in": what the work was scheduled in (the callback bound, the await reached), restored now;
 * "before entering": what the host's job had.
 */
function log(crossing: Crossing, site: string | undefined, runsIn: Context, before: Context): void {
  const at = site ?? UNKNOWN_SITE;
  const carried = ids(runsIn);
  if (!carried) {
    const key = `${crossing} ${at}`;
    state.empty.set(key, (state.empty.get(key) ?? 0) + 1);
    hookExit();
  }
  const lost = carried ? '' : ' (context already lost before this boundary)';
  const message = `${PREFIX} ${crossing} at ${at} runs in ${show(carried)}${lost}; before entering: ${show(ids(before))}`;
  quietly(message);
}

/** diag.debug(message), with the logger's own work kept out of the log (QUIET). */
function quietly(message: string): void {
  runIn(active().setValue(QUIET, true), diag.debug, diag, [message]);
}

/**
 * The diag logger runs with this key in the slot, so that everything it schedules, and everything that
 * schedules in turn, carries it like any context: a logger that is compiled code itself (it awaits a
 * write, it schedules a flush) would otherwise log its own crossings, each logged line causing more.
 * Crossings into work carrying it are not logged. No manager or variable reads it.
 */
// Registered: the ES module and CommonJS copies of this file mark and read the same key.
const QUIET = Symbol.for('otel-context-transformer.debug.quiet');
const quiet = (): boolean => active().getValue(QUIET) === true;

/** Node: the summary is logged once when the process exits, if anything crossed with no span. */
function hookExit(): void {
  if (state.exitHook) return;
  state.exitHook = true;
  const p = (globalThis as { process?: { once?: (event: string, listener: () => void) => unknown } }).process;
  if (p && typeof p.once === 'function') p.once('exit', () => debugSummary());
}

/**
 * The boundaries crossed with no span so far (most first), also logged through diag.debug. Called at
 * process exit under Node; in a browser call it when you want the list (it is exported by
 * `otel-context-transformer/runtime/debug`, and under Node by `otel-context-transformer/runtime`).
 */
export function debugSummary(): DebugSummaryEntry[] {
  const entries = [...state.empty].map(([key, count]) => {
    const space = key.indexOf(' ');
    return { crossing: key.slice(0, space) as Crossing, site: key.slice(space + 1), count };
  });
  entries.sort((a, b) => b.count - a.count);
  const lines = entries.map((e) => `  ${e.site} ${e.crossing} ×${e.count}`);
  quietly(
    entries.length === 0
      ? `${PREFIX} no boundary crossed with no span`
      : `${PREFIX} boundaries crossed with no span (the context was lost before them):\n${lines.join('\n')}`,
  );
  return entries;
}

/** Forgets the counts (tests, or between phases of an app). */
export function resetDebugSummary(): void {
  state.empty.clear();
}

// ---------------------------------------------------------------------------
// The helpers (same contracts as slot.ts's, plus the site).

/** A callback: logs on entry what it was scheduled in and what the host ran it in. */
export function bind<T>(cb: T, site?: string): T {
  if (typeof cb !== 'function') return cb;
  const bound = plain.bind(cb) as unknown as Function;
  if (quiet()) return bound as unknown as T;
  const scheduledIn = context.active();
  return function (this: unknown) {
    log('callback', site, scheduledIn, context.active());
    return bound.apply(this, arguments);
  } as unknown as T;
}

type SitedFrame = Frame & { s?: string };

function sited(f: SitedFrame, site: string | undefined): Frame {
  if (f !== INERT_FRAME) f.s = site;
  return f;
}

export function frame(site?: string): Frame {
  return sited(plain.frame(), site);
}

export function genFrame(site?: string): Frame {
  return sited(plain.genFrame(), site);
}

/** After an await or yield. */
export function resume<T>(f: Frame, value: T, site?: string): T {
  const before = context.active();
  plain.resume(f, value);
  if (!quiet()) log('continuation', site, context.active(), before);
  return value;
}

/** A catch or finally block, or a `for await` turn: a crossing when entered still suspended (site: the function's body). */
export function reenter(f: Frame): void {
  if (f === INERT_FRAME || f.p !== undefined) return;
  const before = context.active();
  plain.reenter(f);
  if (!quiet()) log('re-entry', (f as SitedFrame).s, context.active(), before);
}

/** Whether OTEL_LOG_LEVEL (Node's environment) asks for debug output: `debug`, `verbose` or `all`, as OTel reads it. */
export function debugRequested(): boolean {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const level = p && p.env && p.env.OTEL_LOG_LEVEL;
  return typeof level === 'string' && /^(debug|verbose|all)$/i.test(level.trim());
}
