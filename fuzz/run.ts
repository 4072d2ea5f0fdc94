/**
 * Differential fuzzing: random async programs (fuzz/generator.ts), each
 * compiled without the transform and with it — the text backend
 * (`transform()` from dist/esm/api.js), the TypeScript plugin
 * (`ts.transpileModule` with the before-transformer from dist/esm/index.js), and
 * the plugin at target ES2015 — and run in batches in child processes
 * (fuzz/runner.mjs). Logged events, values, errors (identity included) and the
 * final status must be identical, and with the transform every context check
 * must pass and nothing may be left in the slot for uncompiled jobs. The text
 * backend and the plugin (no type checker) must make the same decisions: the
 * same helper calls in the same order (fuzz/decisions.ts).
 *
 * On a mismatch the program is shrunk (statements deleted and control-flow
 * blocks unwrapped while the same mismatch persists) and written as a
 * regression case.
 *
 *   npm run fuzz -- [--count 10000] [--seed 1] [--batch 100] [--jobs 2]
 *                   [--out test/fuzz-regressions] [--no-shrink] [--max-shrink 5]
 *                   [--lang js|ts] [--backends text,ts,es2015] [--include-known]
 *                   [--print] [--check FILE...]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import type * as TS from 'typescript';
import otelContextTransformer from '../dist/esm/index.js';
import { transform } from '../dist/esm/api.js';
import { editsBehind, layOut } from '../dist/esm/text/edits.js';
import { firstDecisionDifference, helperCalls } from './decisions.js';
import { countStatements, generate, KNOWN_ISSUES, render, type GenerateOptions, type Lang, type Program, type Stmt } from './generator.js';

// ---------------------------------------------------------------------------
// Paths

/** The repository root: the compiled programs must live inside it for `otel-context-transformer/runtime` to self-resolve. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'otel-context-transformer') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('otel-context-transformer repository root not found');
    dir = up;
  }
}
export const ROOT = findRoot();
export const RUNNER = join(ROOT, 'fuzz', 'runner.mjs');
export const REGRESSION_DIR = join(ROOT, 'test', 'fuzz-regressions');
const TMP = join(ROOT, 'test', '.tmp', 'fuzz');

// ---------------------------------------------------------------------------
// Compiling

/**
 * text: transform() from the api (then, for TS, types stripped by esbuild). ts: the TypeScript plugin
 * through transpileModule (ES2022). es2015: the same at target ES2015, where TypeScript turns async
 * functions into generators under __awaiter after our rewrite; compared with TypeScript's own ES2015
 * emit, whose timing differs from native async.
 */
export type Backend = 'text' | 'ts' | 'es2015';
export const BACKENDS: readonly Backend[] = ['text', 'ts', 'es2015'];
export type Variant = 'plain' | 'tsPlain' | 'es2015Plain' | Backend;

export interface CompiledProgram {
  /**
   * Output per variant. plain: the program without the transform (JS: the source itself; TS: types
   * stripped by esbuild, as a bundler would). text: transform() from the api, then (TS) the same
   * stripping. ts: TypeScript's transpileModule with our before-transformer. tsPlain: transpileModule
   * without it — the baseline of `ts`, made only when `ts` differs from `plain` (TypeScript's own emit
   * can change behaviour, e.g. its top-level-await parse bug, see fuzz/README.md).
   */
  variants: Partial<Record<Variant, string>>;
  /** Diagnostics or exceptions of a backend (a failure of that backend). */
  compileErrors: Partial<Record<Backend, string>>;
  /** The helper calls the text and ts outputs make (fuzz/decisions.ts): equal, or the backends decided differently. */
  decisions: Partial<Record<'text' | 'ts', string[]>>;
}

const ts = createRequire(import.meta.url)('typescript') as typeof TS;
const TS_OPTIONS: TS.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext };
const TS_ES2015: TS.CompilerOptions = { target: ts.ScriptTarget.ES2015, module: ts.ModuleKind.ESNext };

function tsEmit(source: string, fileName: string, withPlugin: boolean, diagnostics: string[], options = TS_OPTIONS): string {
  const before = withPlugin
    ? [
        otelContextTransformer(
          undefined,
          {},
          { ts, addDiagnostic: (d: TS.Diagnostic) => void diagnostics.push(ts.flattenDiagnosticMessageText(d.messageText, '\n')) },
        ),
      ]
    : [];
  return ts.transpileModule(source, { fileName, compilerOptions: options, transformers: { before } }).outputText;
}

function stripTypes(source: string): string {
  try {
    return transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    }).code;
  } catch (e) {
    // Invalid program (a shrinking candidate): a module that fails to load, like the JS one would.
    return `throw new SyntaxError(${JSON.stringify(`esbuild: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`)});\n`;
  }
}

/** Compiles `source` the ways `only` asks for (default: plain, text, ts). */
export function compileSource(source: string, lang: Lang, only: readonly Variant[] = ['plain', 'text', 'ts']): CompiledProgram {
  const fileName = lang === 'ts' ? 'program.ts' : 'program.mjs';
  const variants: CompiledProgram['variants'] = {};
  const compileErrors: CompiledProgram['compileErrors'] = {};
  const decisions: CompiledProgram['decisions'] = {};
  if (only.includes('plain')) variants.plain = lang === 'ts' ? stripTypes(source) : source;
  if (only.includes('tsPlain')) variants.tsPlain = tsEmit(source, fileName, false, []);
  if (only.includes('text')) {
    try {
      const problems: string[] = [];
      const out = transform(source, { filename: fileName, onDiagnostic: (d) => problems.push(`${d.line}:${d.column} ${d.message}`) });
      // The Babel plugin maps positions with the edit list behind the output: it must make exactly that output.
      if (out && layOut(source, editsBehind.get(out) ?? []).code !== out.code) problems.push('the recorded edits do not make the output');
      if (problems.length) compileErrors.text = problems.join('\n');
      const code = out?.code ?? source;
      variants.text = lang === 'ts' ? stripTypes(code) : code;
      decisions.text = helperCalls(code, fileName);
    } catch (e) {
      compileErrors.text = `transform() threw: ${(e as Error)?.stack ?? String(e)}`;
    }
  }
  for (const backend of ['ts', 'es2015'] as const) {
    if (!only.includes(backend)) continue;
    try {
      const problems: string[] = [];
      variants[backend] = tsEmit(source, fileName, true, problems, backend === 'ts' ? TS_OPTIONS : TS_ES2015);
      if (backend === 'ts') decisions.ts = helperCalls(variants.ts, 'program.mjs');
      if (problems.length) compileErrors[backend] = problems.join('\n');
    } catch (e) {
      compileErrors[backend] = `TypeScript plugin threw: ${(e as Error)?.stack ?? String(e)}`;
    }
  }
  if (only.includes('es2015Plain')) variants.es2015Plain = tsEmit(source, fileName, false, [], TS_ES2015);
  return { variants, compileErrors, decisions };
}

// ---------------------------------------------------------------------------
// Running

export interface RunResult {
  key: string;
  status: string;
  events: string[];
  ctx: string[];
  truncated?: boolean;
  ms?: number;
}

export interface RunOptions {
  /** Per-program watchdog in the child (ms). */
  watchdogMs?: number;
}

/**
 * Runs compiled files in order in child processes (one process for the list;
 * restarted after a hang or crash, the program it was running marked so).
 */
export async function runFiles(
  jobs: { key: string; file: string }[],
  dir: string,
  options: RunOptions = {},
): Promise<Map<string, RunResult>> {
  const results = new Map<string, RunResult>();
  const watchdogMs = options.watchdogMs ?? 5000;
  let rest = jobs;
  let attempt = 0;
  while (rest.length > 0) {
    const jobFile = join(dir, `jobs-${attempt++}.json`);
    writeFileSync(jobFile, JSON.stringify(rest));
    const before = results.size;
    const { lastStarted, exitInfo } = await runChild(jobFile, watchdogMs, (r) => results.set(r.key, r));
    rest = rest.filter((j) => !results.has(j.key));
    if (rest.length === 0) break;
    // The child stopped early: after a watchdog (result written, exit 3), or the program it was in crashed or hung it.
    if (rest[0]!.key === lastStarted) {
      results.set(lastStarted, { key: lastStarted, status: `crash: ${exitInfo}`, events: [], ctx: [] });
      rest = rest.slice(1);
    } else if (results.size === before) {
      throw new Error(`fuzz runner failed before running ${rest[0]!.key}: ${exitInfo}`);
    }
  }
  return results;
}

function runChild(
  jobFile: string,
  watchdogMs: number,
  onResult: (r: RunResult) => void,
): Promise<{ lastStarted?: string; exitInfo: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--stack-size=2000', RUNNER, jobFile], {
      cwd: ROOT,
      env: { ...process.env, FUZZ_WATCHDOG_MS: String(watchdogMs) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastStarted: string | undefined;
    let buffer = '';
    let stderr = '';
    // No line for a while: the program is stuck synchronously (the child's own watchdog cannot fire).
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), watchdogMs + 15000);
    };
    arm();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('@@S ')) {
          lastStarted = line.slice(4);
          arm();
        } else if (line.startsWith('@@R ')) onResult(JSON.parse(line.slice(4)) as RunResult);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 20000) stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        lastStarted,
        exitInfo: signal
          ? `killed (${signal}), no progress for ${watchdogMs + 15000} ms`
          : `exit code ${code}${stderr ? `: ${stderr.trim().slice(0, 2000)}` : ''}`,
      });
    });
  });
}

// ---------------------------------------------------------------------------
// Checking

/** decisions: the text backend's helper calls differ from the TypeScript plugin's (without a type checker they must not). */
export type FailureKind = 'compile' | 'status' | 'events' | 'ctx' | 'decisions';

export interface Failure {
  /** `generator`: the program itself is broken (the untransformed run did not load or finish). `typescript`: TypeScript's own emit changed behaviour (not our bug). */
  backend: Backend | 'generator' | 'typescript';
  kind: FailureKind;
  detail: string;
}

export interface CheckedProgram {
  name: string;
  source: string;
  lang: Lang;
  failures: Failure[];
  results: Partial<Record<Variant, RunResult>>;
  /** The untransformed program lost context somewhere (the transform is what makes its checks pass). */
  plainCtxFailures: number;
  events: number;
}

/** What to compare a backend with: TypeScript's own emit for the plugin when we have it. */
function baselineOf(backend: Backend, results: Partial<Record<Variant, RunResult>>): Variant {
  if (backend === 'es2015') return 'es2015Plain';
  return backend === 'ts' && results.tsPlain ? 'tsPlain' : 'plain';
}

function firstDifference(a: string[], b: string[]): string {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `event #${i}: without the transform ${a[i] === undefined ? '(nothing)' : JSON.stringify(a[i])}, with it ${b[i] === undefined ? '(nothing)' : JSON.stringify(b[i])}`;
    }
  }
  return 'identical';
}

export function compare(
  compiled: CompiledProgram,
  results: Partial<Record<Variant, RunResult>>,
  backends: readonly Backend[] = BACKENDS,
): Failure[] {
  const failures: Failure[] = [];
  const plain = results.plain;
  if (!plain || plain.status !== 'ok' || plain.truncated) {
    failures.push({
      backend: 'generator',
      kind: 'status',
      detail: `untransformed program: ${plain?.status ?? 'no result'}${plain?.truncated ? ' (too many events)' : ''}`,
    });
    return failures;
  }
  const tsPlain = results.tsPlain;
  if (tsPlain && (tsPlain.status !== plain.status || firstDifference(plain.events, tsPlain.events) !== 'identical')) {
    failures.push({
      backend: 'typescript',
      kind: tsPlain.status !== plain.status ? 'status' : 'events',
      detail: `TypeScript's emit without the plugin: ${tsPlain.status}; ${firstDifference(plain.events, tsPlain.events)}`,
    });
  }
  if (results.es2015Plain && results.es2015Plain.status !== 'ok') {
    failures.push({
      backend: 'typescript',
      kind: 'status',
      detail: `TypeScript's ES2015 emit without the plugin: ${results.es2015Plain.status}`,
    });
  }
  for (const backend of backends) {
    if (compiled.compileErrors[backend]) {
      failures.push({ backend, kind: 'compile', detail: compiled.compileErrors[backend]! });
      continue;
    }
    const base = results[baselineOf(backend, results)];
    const got = results[backend];
    if (!base || !got) {
      failures.push({ backend, kind: 'status', detail: 'no result' });
      continue;
    }
    if (got.status !== base.status) {
      failures.push({ backend, kind: 'status', detail: `without the transform: ${base.status}; with it: ${got.status}` });
    } else if (firstDifference(base.events, got.events) !== 'identical') {
      failures.push({ backend, kind: 'events', detail: firstDifference(base.events, got.events) });
    }
    if (got.ctx.length > 0) failures.push({ backend, kind: 'ctx', detail: got.ctx.slice(0, 5).join('; ') });
  }
  const { text, ts: fromTs } = compiled.decisions;
  if (backends.includes('text') && backends.includes('ts') && !compiled.compileErrors.text && !compiled.compileErrors.ts) {
    const difference = text && fromTs ? firstDecisionDifference(text, fromTs) : 'an output does not parse';
    if (difference) failures.push({ backend: 'text', kind: 'decisions', detail: `the backends decide differently: ${difference}` });
  }
  return failures;
}

export interface Source {
  name: string;
  source: string;
  lang: Lang;
}

/**
 * Compiles and runs sources (all variants), in `jobs` child processes at a
 * time, `batch` programs per process, and compares. Results come back in order.
 */
export async function checkSources(
  sources: Source[],
  options: RunOptions & {
    batch?: number;
    jobs?: number;
    backends?: readonly Backend[];
    onBatch?: (done: CheckedProgram[]) => void;
    /** Rewrites the transformed outputs before they run: for checking that the oracle catches injected bugs. */
    mutate?: (code: string) => string;
  } = {},
): Promise<CheckedProgram[]> {
  const batchSize = options.batch ?? 100;
  const jobs = options.jobs ?? 2;
  const backends = options.backends ?? BACKENDS;
  const variants: Variant[] = ['plain', ...backends, ...(backends.includes('es2015') ? (['es2015Plain'] as const) : [])];
  const out: CheckedProgram[] = new Array(sources.length);
  const running = new Set<Promise<void>>();
  mkdirSync(TMP, { recursive: true });
  const writeJobs = (dir: string, items: { index: number; compiled: CompiledProgram }[], which: readonly Variant[]) => {
    const jobList: { key: string; file: string }[] = [];
    for (const { index, compiled } of items) {
      for (const v of which) {
        const code = compiled.variants[v];
        if (code === undefined) continue;
        const file = join(dir, `${index}.${v}.mjs`);
        writeFileSync(file, code);
        jobList.push({ key: `${index}.${v}`, file });
      }
    }
    return jobList;
  };
  for (let start = 0; start < sources.length; start += batchSize) {
    const slice = sources.slice(start, start + batchSize);
    const dir = join(TMP, `${process.pid}-${start}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir, { recursive: true });
    const compiled = slice.map((s) => compileSource(s.source, s.lang, variants));
    if (options.mutate) {
      for (const c of compiled) for (const b of backends) if (c.variants[b] !== undefined) c.variants[b] = options.mutate(c.variants[b]!);
    }
    const jobList = writeJobs(
      dir,
      compiled.map((c, index) => ({ index, compiled: c })),
      variants,
    );
    const task = (async () => {
      const results = await runFiles(jobList, dir, options);
      const resultsOf = (i: number) => {
        const r: Partial<Record<Variant, RunResult>> = {};
        for (const v of ['plain', 'tsPlain', 'es2015Plain', ...backends] as Variant[]) {
          const res = results.get(`${i}.${v}`);
          if (res) r[v] = res;
        }
        return r;
      };
      // The plugin's output differs from the program: compare it with TypeScript's own emit (without the plugin) too.
      const again = slice
        .map((_, i) => i)
        .filter((i) =>
          compare(compiled[i]!, resultsOf(i), backends).some((f) => f.backend === 'ts' && (f.kind === 'events' || f.kind === 'status')),
        );
      if (again.length) {
        const more = again.map((i) => {
          compiled[i]!.variants.tsPlain = compileSource(slice[i]!.source, slice[i]!.lang, ['tsPlain']).variants.tsPlain;
          return { index: i, compiled: compiled[i]! };
        });
        for (const [k, v] of await runFiles(writeJobs(dir, more, ['tsPlain']), dir, options)) results.set(k, v);
      }
      const checked = slice.map((s, i) => {
        const r = resultsOf(i);
        const program: CheckedProgram = {
          ...s,
          failures: compare(compiled[i]!, r, backends),
          results: r,
          plainCtxFailures: r.plain?.ctx.length ?? 0,
          events: r.plain?.events.length ?? 0,
        };
        out[start + i] = program;
        return program;
      });
      rmSync(dir, { recursive: true, force: true });
      options.onBatch?.(checked);
    })();
    const tracked = task.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= jobs) await Promise.race(running);
  }
  await Promise.all(running);
  return out;
}

export function programSource(seed: number, options: GenerateOptions = {}): Source {
  const p = generate(seed, options);
  return { name: String(seed), source: render(p), lang: p.lang };
}

// ---------------------------------------------------------------------------
// Shrinking

/** Every statement list in the tree, in a fixed (pre-)order, so a clone can find "the same" list. */
function lists(p: Program): Stmt[][] {
  const out: Stmt[][] = [];
  const walk = (list: Stmt[]) => {
    out.push(list);
    for (const s of list) for (const part of s.parts) if (typeof part !== 'string') walk(part);
  };
  walk(p.decls);
  walk(p.body);
  return out;
}

type Edit = { list: number; start: number; count: number; unwrap?: boolean };

function applyEdit(p: Program, edit: Edit): Program {
  return applyEdits(p, [edit]);
}

/**
 * Applies several edits of the same program at once: deeper lists first (their statements may be
 * moved by an unwrap above), and within a list from the end; overlapping edits are dropped.
 */
function applyEdits(p: Program, edits: Edit[]): Program {
  const copy = structuredClone(p);
  const all = lists(copy);
  const byList = new Map<number, Edit[]>();
  for (const e of edits) byList.set(e.list, [...(byList.get(e.list) ?? []), e]);
  for (const li of [...byList.keys()].sort((a, b) => b - a)) {
    const list = all[li]!;
    const taken = new Set<number>();
    const chosen = byList
      .get(li)!
      .filter((e) => {
        const span = Array.from({ length: e.count }, (_, k) => e.start + k);
        if (span.some((i) => taken.has(i))) return false;
        span.forEach((i) => taken.add(i));
        return true;
      })
      .sort((a, b) => b.start - a.start);
    for (const e of chosen) {
      if (e.unwrap) {
        const inner = list[e.start]!.parts.filter((part): part is Stmt[] => typeof part !== 'string').flat();
        list.splice(e.start, 1, ...inner);
      } else {
        list.splice(e.start, e.count);
      }
    }
  }
  return copy;
}

/**
 * Control-flow statements may be replaced by their blocks. Functions, callbacks and V.run bodies may
 * not: moved out of them, code runs in another context than its checks expect.
 */
function unwrappable(s: Stmt): boolean {
  const head = s.parts[0];
  return (
    typeof head === 'string' &&
    /^(try \{|if \(|for |let |switch |case |default:|(lb|blk)\d+: )/.test(head) &&
    s.parts.some((part) => typeof part !== 'string' && part.length > 0)
  );
}

/** Candidate edits, coarse first: halves of lists, single statements, unwrapping compound statements. */
function candidates(p: Program): Edit[] {
  const all = lists(p);
  const coarse: Edit[] = [];
  const single: Edit[] = [];
  const unwrap: Edit[] = [];
  all.forEach((list, li) => {
    if (list.length >= 4) {
      const half = Math.ceil(list.length / 2);
      coarse.push({ list: li, start: 0, count: half }, { list: li, start: half, count: list.length - half });
    }
    list.forEach((s, si) => {
      single.push({ list: li, start: si, count: 1 });
      if (unwrappable(s)) unwrap.push({ list: li, start: si, count: 1, unwrap: true });
    });
  });
  return [...coarse, ...single, ...unwrap];
}

function sameFailure(failures: Failure[], target: Failure): boolean {
  if (failures.some((f) => f.backend === 'generator')) return false;
  return failures.some((f) => f.backend === target.backend && f.kind === target.kind);
}

export interface ShrinkResult {
  program: Program;
  failure: Failure;
  rounds: number;
  statementsBefore: number;
  statementsAfter: number;
}

/**
 * Greedy delta debugging over the statement tree: evaluates candidate edits in
 * batches (one child process per batch), keeps the first that still shows the
 * same failure (same backend and kind, and the untransformed program still
 * runs), and starts over until no edit does.
 */
export async function shrink(
  program: Program,
  target: Failure,
  options: { log?: (s: string) => void; maxRounds?: number; chunk?: number } = {},
): Promise<ShrinkResult> {
  // A decisions mismatch is between two backends: both must compile every candidate.
  const single: Backend[] = BACKENDS.includes(target.backend as Backend) ? [target.backend as Backend] : [...BACKENDS];
  const backends: Backend[] = target.kind === 'decisions' ? ['text', 'ts'] : single;
  const statementsBefore = countStatements(program);
  const chunk = options.chunk ?? 32;
  const maxRounds = options.maxRounds ?? 300;
  let current = program;
  let rounds = 0;
  // Passes over the candidate edits; after a hit, go on from about the same place with the new program.
  for (let pass = 0; rounds < maxRounds; pass++) {
    let changed = false;
    let cursor = 0;
    for (;;) {
      const edits = candidates(current);
      if (cursor >= edits.length || rounds >= maxRounds) break;
      // Two child processes' worth of candidates at a time, the first hit in order wins.
      const slice = edits.slice(cursor, cursor + 2 * chunk);
      const tries = slice.map((e) => applyEdit(current, e));
      const sources = tries.map((p, k) => ({ name: `shrink-${k}`, source: render(p), lang: p.lang }));
      const checked = await checkSources(sources, { batch: chunk, jobs: 2, backends, watchdogMs: 3000 });
      rounds++;
      const hits = checked.flatMap((c, k) => (sameFailure(c.failures, target) ? [k] : []));
      if (hits.length > 0) {
        // Most hits are independent deletions: keep as many of them together as still fail.
        const edits = await combineHits(
          current,
          hits.map((k) => slice[k]!),
          async (programs) => {
            const sources = programs.map((p, k) => ({ name: `combined-${k}`, source: render(p), lang: p.lang }));
            const results = await checkSources(sources, { batch: Math.ceil(sources.length / 2), jobs: 2, backends, watchdogMs: 3000 });
            return results.map((c) => sameFailure(c.failures, target));
          },
        );
        current = applyEdits(current, edits);
        changed = true;
        cursor += hits[0]!;
        options.log?.(
          `  shrink round ${rounds}: ${hits.length} of ${slice.length} candidates still fail, ${edits.length} kept together; ${countStatements(current)} statements`,
        );
      } else {
        cursor += slice.length;
      }
    }
    if (!changed) break;
  }
  const final = await checkSources([{ name: 'final', source: render(current), lang: current.lang }], { backends });
  const failure = final[0]!.failures.find((f) => f.backend === target.backend && f.kind === target.kind) ?? target;
  return { program: current, failure, rounds, statementsBefore, statementsAfter: countStatements(current) };
}

/**
 * The longest run of `hits` (edits of `base` that each keep the failure) that, applied together,
 * still keeps it: prefixes of decreasing length are checked in one batch, the longest that fails is
 * kept, and the rest is tried again on top of it.
 */
async function combineHits(base: Program, hits: Edit[], stillFails: (programs: Program[]) => Promise<boolean[]>): Promise<Edit[]> {
  const accepted: Edit[] = [hits[0]!];
  let rest = hits.slice(1);
  while (rest.length > 0) {
    const sizes: number[] = [];
    for (let n = rest.length; n >= 1; n = Math.floor(n / 2)) sizes.push(n);
    const ok = await stillFails(sizes.map((n) => applyEdits(base, [...accepted, ...rest.slice(0, n)])));
    const best = sizes.find((_, i) => ok[i]);
    if (best) {
      accepted.push(...rest.slice(0, best));
      rest = rest.slice(best);
    } else {
      rest = rest.slice(1);
    }
  }
  return accepted;
}

/** A regression case: the shrunk program with how it was found. */
export function regressionText(result: ShrinkResult, flags = ''): string {
  const p = result.program;
  const header = [
    `// fuzz regression: seed ${p.seed} (${p.lang}, timers ${p.timers}), from \`npm run fuzz -- --seed ${p.seed} --count 1${flags}\``,
    `// backend ${result.failure.backend}, ${result.failure.kind}: ${result.failure.detail.replace(/\s+/g, ' ').slice(0, 300)}`,
    `// shrunk from ${result.statementsBefore} to ${result.statementsAfter} statements`,
  ];
  return `${header.join('\n')}\n${render(p)}`;
}

// ---------------------------------------------------------------------------
// Coverage: how many programs contain each construct (a text match on the source)

export const FEATURES: [string, RegExp][] = [
  ['await', /\bawait\b/],
  ['top-level await', /^ {2}(?:const .*= |log\(.*)?await /m],
  ['then/catch/finally chain', /\.(then|catch|finally)\(/],
  ['non-function then argument', /\.then\((undefined|null|5)/],
  ['setTimeout', /setTimeout/],
  ['setInterval', /setInterval/],
  ['setImmediate', /setImmediate/],
  ['queueMicrotask', /queueMicrotask/],
  ['process.nextTick', /process\.nextTick/],
  ['resolve scheduled with no value', /\(\(res\) => [\w.?]+\(res(, \d+)?\)\)/],
  ['globalThis.<scheduler>', /globalThis\.(setTimeout|setImmediate|queueMicrotask|process)/],
  ['optional call ?.(', /\?\.\(/],
  ['scheduler alias (const)', /\bfz(St|Timeout|Immediate|Later|Tick)\b/],
  ['try/catch', /\} catch/],
  ['try/finally', /\} finally \{/],
  ['return await', /return await/],
  ['throw', /\bthrow\b/],
  ['loops', /\b(for|while|do)\b/],
  ['await in loop head', /for \(let \w+ = await/],
  ['labels + break/continue', /(break|continue) (lb|blk)\d+/],
  ['switch', /\bswitch \(/],
  ['sync generator', /function\*|\*m\(|\*#m\(/],
  ['async generator', /async function\*|async \*m\(|async \*#m\(/],
  ['yield await', /yield await/],
  ['yield*', /yield\*/],
  ['generator next/return/throw', /\.(next|return|throw)\(/],
  ['for await', /for await/],
  ['for await with break', /for await[^\n]*\{\n(?:[^\n]*\n){0,3}[^\n]*\bbreak\b/],
  ['Promise.all', /Promise\.all\(/],
  ['Promise.allSettled', /Promise\.allSettled\(/],
  ['Promise.race', /Promise\.race\(/],
  ['Promise.any', /Promise\.any\(/],
  ['map(async …)', /\.map\(async/],
  ['thenable', /\{ then\(|get then\(\)|then\(res/],
  ['thenable calling twice / throwing', /res\([^)]*\); res\(|res\([^)]*\); throw/],
  ['Promise subclass', /extends Promise/],
  ['Promise.reject', /Promise\.reject\(/],
  ['async arrow', /async \([^)]*\) =>/],
  ['async method', /async m\(|async #m\(|static async/],
  ['class field arrow', /^\s*(static )?m = async/m],
  ['private method', /#m\(/],
  ['super call', /super\.m\(/],
  ['nested function', /^\s+(async )?function\*? h\d+|const h\d+ = async/m],
  ['async IIFE', /\(async \(\) => \{/],
  ['V.run (context switch)', /V\.run\(/],
  ['context checks', /chk\(/],
  ['rest/default parameters', /\.\.\.rest|\.\.\.\[a, b\]|, a(: number)? = \d/],
  ["'use strict'", /'use strict'/],
  ['arguments', /arguments\.length/],
  ['fn.length/name', /\.length, \w+\.name/],
  ['destructuring default with await', /= await [^,;]*, v\d+ = /],
  ['catch binding with await', /catch \(\{ message: e = await/],
  ['tagged template', /String\.raw`/],
  ['evaluation order (tap)', /tap\(/],
  ['no semicolons (ASI)', /no semicolons/],
  ['TypeScript', /\(globalThis as any\)/],
  ['microtask ticker', /ticks\(/],
];

/** The program without the lines every program has (top-level sections' try/catch, the final drain). */
function ownCode(source: string): string {
  return source
    .split('\n')
    .filter((l) => !/^(try \{|\} catch \(e(: any)?\) \{|  log\('top-catch', e\);?|for \(let q; .*)$/.test(l))
    .join('\n');
}

export function featureCounts(sources: readonly { source: string }[]): [string, number][] {
  const own = sources.map((s) => ownCode(s.source));
  return FEATURES.map(([name, re]) => [name, own.filter((code) => re.test(code)).length]);
}

// ---------------------------------------------------------------------------
// CLI

interface CliOptions {
  count: number;
  seed: number;
  batch: number;
  jobs: number;
  out: string;
  shrink: boolean;
  lang?: Lang;
  /** Generate the known issues too (documented limits: their mismatches are expected). */
  includeKnown: boolean;
  /** --out was given: with --include-known, shrunk programs are written only then (they would fail npm test). */
  outGiven: boolean;
  backends: Backend[];
  maxShrink: number;
  print?: boolean;
  /** Files to check (regression cases) instead of generating programs. */
  check: string[];
}

function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    count: 10000,
    seed: 1,
    batch: 100,
    jobs: 2,
    out: REGRESSION_DIR,
    shrink: true,
    maxShrink: 5,
    includeKnown: false,
    outGiven: false,
    backends: [...BACKENDS],
    check: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--count') o.count = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--batch') o.batch = Number(next());
    else if (a === '--jobs') o.jobs = Number(next());
    else if (a === '--out') {
      o.out = resolve(next());
      o.outGiven = true;
    } else if (a === '--no-shrink') o.shrink = false;
    else if (a === '--max-shrink') o.maxShrink = Number(next());
    else if (a === '--lang') o.lang = next() as Lang;
    else if (a === '--print') o.print = true;
    else if (a === '--include-known') o.includeKnown = true;
    else if (a === '--avoid-known') o.includeKnown = false; // the default; kept for old command lines
    else if (a === '--check') {
      // The rest of the arguments are files.
      o.check = argv.slice(i + 1).map((f) => resolve(f));
      break;
    } else if (a === '--backends') {
      o.backends = next().split(',') as Backend[];
      const bad = o.backends.filter((b) => !BACKENDS.includes(b));
      if (bad.length || o.backends.length === 0) throw new Error(`--backends: a comma-separated list of ${BACKENDS.join(', ')}`);
    } else if (a === '--help' || a === '-h') {
      console.log(
        'npm run fuzz -- [--count N] [--seed S] [--batch B] [--jobs J] [--out DIR] [--no-shrink] [--max-shrink N] [--lang js|ts] [--backends text,ts,es2015] [--include-known] [--print] [--check FILE...]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const [k, v] of Object.entries({ count: o.count, seed: o.seed, batch: o.batch, jobs: o.jobs })) {
    if (!Number.isInteger(v) || v < (k === 'seed' ? 0 : 1))
      throw new Error(`--${k} must be a ${k === 'seed' ? 'non-negative' : 'positive'} integer`);
  }
  return o;
}

export async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const genOptions: GenerateOptions = { ...(o.lang ? { lang: o.lang } : {}), ...(o.includeKnown ? {} : { avoid: KNOWN_ISSUES }) };
  if (o.check.length) {
    // Regression cases (or fuzz/known-issues/*): every backend, failures printed.
    const sources = o.check.map((file) => ({
      name: file,
      source: readFileSync(file, 'utf8'),
      lang: (file.endsWith('.ts') ? 'ts' : 'js') as Lang,
    }));
    const checked = await checkSources(sources, { batch: 20, jobs: o.jobs, backends: o.backends });
    let bad = 0;
    for (const c of checked) {
      const real = c.failures.filter((f) => f.backend !== 'typescript');
      if (real.length) bad++;
      console.log(`${real.length ? 'FAIL' : 'ok  '} ${c.name}`);
      for (const f of c.failures) console.log(`       [${f.backend} ${f.kind}] ${f.detail.split('\n')[0]!.slice(0, 300)}`);
    }
    return bad ? 1 : 0;
  }
  if (o.print) {
    // Print the programs (and what each variant compiles to with FUZZ_PRINT=all) instead of running them.
    for (let i = 0; i < o.count; i++) {
      const s = programSource(o.seed + i, genOptions);
      console.log(s.source);
      if (process.env.FUZZ_PRINT === 'all') {
        const c = compileSource(s.source, s.lang, ['plain', 'text', 'ts', 'tsPlain', 'es2015', 'es2015Plain']);
        for (const [v, code] of Object.entries(c.variants)) console.log(`// ----- ${v}\n${code}`);
        console.log(c.compileErrors);
      }
    }
    return 0;
  }
  console.log(
    `fuzz: ${o.count} programs from seed ${o.seed}, backends ${o.backends.join(', ')}, ${o.batch} per child process, ${o.jobs} at a time${o.includeKnown ? `, known issues included (${KNOWN_ISSUES.join(', ')}: expect their mismatches)` : `, avoiding known issues (${KNOWN_ISSUES.join(', ')})`}`,
  );
  const t0 = performance.now();
  let done = 0;
  let events = 0;
  let plainLost = 0;
  let lastPrint = 0;
  const failing: CheckedProgram[] = [];
  const notes: CheckedProgram[] = [];
  const langs = { js: 0, ts: 0 };
  const sources = Array.from({ length: o.count }, (_, i) => programSource(o.seed + i, genOptions));
  for (const s of sources) langs[s.lang]++;
  await checkSources(sources, {
    batch: o.batch,
    jobs: o.jobs,
    backends: o.backends,
    onBatch: (batch) => {
      for (const c of batch) {
        done++;
        events += c.events;
        if (c.plainCtxFailures > 0) plainLost++;
        const real = c.failures.filter((f) => f.backend !== 'typescript');
        if (real.length) {
          failing.push(c);
          if (failing.length <= 50)
            console.log(
              `MISMATCH seed ${c.name}: ${real.map((f) => `[${f.backend} ${f.kind}] ${f.detail.split('\n')[0]!.slice(0, 200)}`).join(' | ')}`,
            );
          else if (failing.length === 51) console.log('(further mismatches are only counted; see the summary)');
        } else if (c.failures.length) {
          notes.push(c);
          if (notes.length <= 20)
            console.log(`note seed ${c.name}: ${c.failures.map((f) => `[${f.backend} ${f.kind}] ${f.detail.slice(0, 200)}`).join(' | ')}`);
        }
      }
      const now = performance.now();
      if (now - lastPrint > 2000 || done === o.count) {
        lastPrint = now;
        const secs = (now - t0) / 1000;
        console.log(`  ${done}/${o.count} programs, ${(done / secs).toFixed(1)} programs/s, ${failing.length} failing`);
      }
    },
  });
  const secs = (performance.now() - t0) / 1000;
  console.log('');
  console.log(
    `fuzz summary: ${done} programs (${langs.js} JS, ${langs.ts} TS) in ${secs.toFixed(1)} s = ${(done / secs).toFixed(1)} programs/s`,
  );
  console.log(`  ${events} events logged by the untransformed programs; ${plainLost} programs lose context without the transform`);
  console.log(`  ${failing.length} failing, ${notes.length} notes (TypeScript's own emit differs from the source)`);
  const timers = { none: 0, timeout: 0, immediate: 0 };
  for (const s of sources) timers[(/timers (\w+)/.exec(s.source)?.[1] ?? 'none') as keyof typeof timers]++;
  console.log(`  macrotask family: ${timers.timeout} setTimeout/setInterval, ${timers.immediate} setImmediate, ${timers.none} none`);
  console.log(
    `  programs containing: ${featureCounts(sources)
      .map(([n, c]) => `${n} ${c}`)
      .join(', ')}`,
  );
  // Mismatches grouped by what they look like (numbers blanked): one shrunk example per group.
  const groups = new Map<string, CheckedProgram[]>();
  for (const c of failing) {
    const f = c.failures.find((x) => x.backend !== 'typescript')!;
    const key = `[${f.backend} ${f.kind}] ${f.detail.split('\n')[0]!.replace(/\d+/g, 'N').slice(0, 160)}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  if (groups.size) {
    console.log(`  mismatch groups:`);
    for (const [key, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      console.log(
        `    ${String(list.length).padStart(5)} × ${key} (seeds ${list
          .slice(0, 5)
          .map((c) => c.name)
          .join(', ')}${list.length > 5 ? ', …' : ''})`,
      );
    }
  }
  if (failing.length && o.shrink && o.includeKnown && !o.outGiven) {
    console.log(
      'not shrinking: with --include-known, failures include the documented limits; give --out DIR to write shrunk programs there',
    );
  } else if (failing.length && o.shrink) {
    mkdirSync(o.out, { recursive: true });
    for (const c of [...groups.values()].map((list) => list[0]!).slice(0, o.maxShrink)) {
      const seed = Number(c.name);
      const failure = c.failures.find((f) => f.backend !== 'typescript' && f.backend !== 'generator') ?? c.failures[0]!;
      if (failure.backend === 'generator') {
        console.log(`seed ${seed}: generator problem (${failure.detail}); not shrunk`);
        continue;
      }
      console.log(`shrinking seed ${seed} [${failure.backend} ${failure.kind}]`);
      const result = await shrink(generate(seed, genOptions), failure, { log: (s) => console.log(s) });
      const file = join(o.out, `${seed}.${result.program.lang === 'ts' ? 'ts' : 'js'}`);
      writeFileSync(file, regressionText(result, `${o.lang ? ` --lang ${o.lang}` : ''}${o.includeKnown ? ' --include-known' : ''}`));
      console.log(
        `  -> ${file} (${result.statementsBefore} -> ${result.statementsAfter} statements): ${result.failure.detail.split('\n')[0]}`,
      );
    }
  }
  return failing.length ? 1 : 0;
}
