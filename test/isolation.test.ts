/**
 * Isolation under load: test/load/isolation.ts (1,200 concurrent users, each
 * in its own baggage context, well over 100,000 checked operations) next to an
 * uncompiled module (test/load/uncompiled-observer.mjs) that watches the
 * context in its own jobs. Run in a child process on the real OpenTelemetry
 * API with CompiledContextManager enabled.
 *
 * Compiled with the transform — the text backend (transform() then a plain
 * type strip) and the TypeScript plugin (whole program) — no operation may see
 * another user's baggage or none, and the uncompiled module may never see a
 * context. The same program without the transform must lose baggage, and
 * under a deliberately leaky manager it must read other users' ids and leak
 * into the uncompiled module: the counters can fire.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer from '../src/index.js';
import { transform } from '../src/api.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;

const PROGRAM = path.resolve('test/load/isolation.ts');
const OBSERVER = path.resolve('test/load/uncompiled-observer.mjs');
const WORK = path.resolve('test/.tmp/isolation');

interface Uncompiled {
  observations: number;
  nonRoot: number;
  delivered: number;
  byKind: Record<string, number>;
  samples: string[];
}
interface Result {
  manager: string;
  users: number;
  contexts: number;
  peakConcurrent: number;
  operations: number;
  mismatches: number;
  lost: number;
  samples: string[];
  topLevelAfterAwait: string;
  uncompiled: Uncompiled;
  wallMs: number;
  byKind: Record<string, number>;
}

const results: Record<string, Result> = {};

beforeAll(() => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // A package.json of its own stops Node resolving `otel-context-transformer/runtime` to this
  // repository's dist (which a parallel build may be rewriting); node_modules below holds the
  // runtime built from src/runtime for this run. @opentelemetry/api resolves to the repository's.
  writeFileSync(path.join(WORK, 'package.json'), JSON.stringify({ name: 'isolation-run', private: true, type: 'module' }));
  const pkg = path.join(WORK, 'node_modules', 'otel-context-transformer');
  mkdirSync(path.join(pkg, 'runtime'), { recursive: true });
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'otel-context-transformer', type: 'module', exports: { './runtime': './runtime/index.js' } }),
  );
  // Every runtime module (index.js imports some; a list here fell behind them once).
  for (const name of readdirSync('src/runtime')
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))) {
    const source = readFileSync(path.resolve('src/runtime', `${name}.ts`), 'utf8');
    const out = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    writeFileSync(path.join(pkg, 'runtime', `${name}.js`), out.outputText);
  }
});

const STRIP: TS.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext };

/** The program as TypeScript compiles it without the transform. */
function compilePlain(): string {
  return ts.transpileModule(readFileSync(PROGRAM, 'utf8'), { fileName: PROGRAM, compilerOptions: STRIP }).outputText;
}

/** transform() (the text backend every bundler plugin uses), then a plain type strip. */
function compileText(): string {
  const problems: string[] = [];
  const result = transform(readFileSync(PROGRAM, 'utf8'), { filename: PROGRAM, onDiagnostic: (d) => problems.push(d.message) });
  expect(problems).toEqual([]);
  expect(result).toBeDefined();
  return ts.transpileModule(result!.code, { fileName: PROGRAM, compilerOptions: STRIP }).outputText;
}

/** The TypeScript plugin with the Program (what tspc does). */
function compileTsPlugin(): string {
  const options: TS.CompilerOptions = {
    ...STRIP,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    skipLibCheck: true,
    strict: true,
    noEmitOnError: false,
    outDir: path.join(WORK, 'tsc-out'),
  };
  const program = ts.createProgram([PROGRAM], options);
  const diagnostics: TS.Diagnostic[] = [];
  let out: string | undefined;
  program.emit(
    program.getSourceFile(PROGRAM),
    (fileName, text) => {
      if (fileName.endsWith('.js')) out = text;
    },
    undefined,
    false,
    { before: [otelContextTransformer(program, {}, { ts, addDiagnostic: (d) => diagnostics.push(d) })] },
  );
  expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  expect(out).toBeDefined();
  return out!;
}

function run(variant: string, code: string, manager: 'compiled' | 'leaky' = 'compiled'): Result {
  const dir = path.join(WORK, variant);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'isolation.mjs'), code);
  copyFileSync(OBSERVER, path.join(dir, 'uncompiled-observer.mjs'));
  const stdout = execFileSync(process.execPath, [path.join(dir, 'isolation.mjs')], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ISOLATION_MANAGER: manager },
  });
  const line = stdout.split('\n').find((l) => l.startsWith('@@ISOLATION '));
  if (!line) throw new Error(`no result from ${variant}:\n${stdout}`);
  const result = JSON.parse(line.slice('@@ISOLATION '.length)) as Result;
  results[variant] = result;
  console.log(
    `isolation ${variant}: ${result.operations} operations, ${result.contexts} contexts (${result.users} users, peak ${result.peakConcurrent} concurrent), ` +
      `${result.mismatches} mismatches, ${result.lost} lost, uncompiled ${result.uncompiled.nonRoot}/${result.uncompiled.observations} non-root ` +
      `(${result.uncompiled.delivered} mailbox wake-ups), top level after await: ${result.topLevelAfterAwait}, ${result.wallMs} ms` +
      (result.samples.length || result.uncompiled.samples.length
        ? `\n  samples: ${[...result.samples, ...result.uncompiled.samples].slice(0, 6).join('; ')}`
        : ''),
  );
  writeFileSync(path.join(WORK, `${variant}.json`), JSON.stringify(result, null, 2));
  return result;
}

function expectIsolated(result: Result): void {
  expect(result.operations).toBeGreaterThanOrEqual(100_000);
  expect(result.contexts).toBeGreaterThanOrEqual(1_000);
  expect(result.peakConcurrent).toBeGreaterThanOrEqual(1_000);
  expect({ mismatches: result.mismatches, lost: result.lost, samples: result.samples }).toEqual({ mismatches: 0, lost: 0, samples: [] });
  // The uncompiled module really ran between the users' jobs, and never saw a context.
  expect(result.uncompiled.observations).toBeGreaterThanOrEqual(1_000);
  expect(result.uncompiled.delivered).toBeGreaterThan(0);
  expect({ nonRoot: result.uncompiled.nonRoot, samples: result.uncompiled.samples }).toEqual({ nonRoot: 0, samples: [] });
  expect(result.topLevelAfterAwait).toBe('root');
  // Every kind of operation happened, many times.
  for (const kind of [
    'await',
    'then',
    'catch',
    'finally',
    'generator body',
    'fan-out branch',
    'setInterval',
    'thenable then',
    'after uncompiled timer',
    'sub-request after hop',
    'await catch',
  ]) {
    expect(result.byKind[kind] ?? 0, kind).toBeGreaterThan(100);
  }
  for (const scheduler of ['setTimeout', 'setImmediate', 'queueMicrotask', 'process.nextTick', 'then']) {
    expect(result.byKind[`hop/${scheduler}`] ?? 0, scheduler).toBeGreaterThan(100);
  }
}

describe('isolation under load: 1,200 concurrent contexts, 100,000+ operations', () => {
  it('compiled with transform() (text backend): no operation sees another context, uncompiled code sees none', () => {
    expectIsolated(run('transform', compileText()));
  }, 600_000);

  it('compiled with the TypeScript plugin (program): same', () => {
    expectIsolated(run('tsc-plugin', compileTsPlugin()));
  }, 600_000);

  it('without the transform the same program loses baggage (the test can fail)', () => {
    const result = run('plain', compilePlain());
    expect(result.operations).toBe(results.transform?.operations ?? result.operations);
    expect(result.mismatches + result.lost).toBeGreaterThan(result.operations / 2);
    expect(result.lost).toBeGreaterThan(0);
  }, 600_000);

  it('under a manager that never restores, the counters see other users and the uncompiled module sees contexts', () => {
    const result = run('plain-leaky-manager', compilePlain(), 'leaky');
    expect(result.operations).toBe(results.transform?.operations ?? result.operations);
    expect(result.mismatches).toBeGreaterThan(1_000);
    expect(result.uncompiled.nonRoot).toBeGreaterThan(0);
  }, 600_000);
});
