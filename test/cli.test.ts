/**
 * The `otel-context-transformer` command, as a package script runs it: the bin
 * entry (bin/otel-context-transformer.mjs → dist/esm/cli/index.js, so `npm run build`
 * first) in a child process, on trees under test/.tmp/cli/ (gitignored).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { main } from '../dist/esm/cli/index.js';
import { CLI_BIN } from './harness/cli-backends.js';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TMP = path.join(REPO, 'test', '.tmp', 'cli');
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin in `cwd`, as on CI (plain progress lines). */
function cli(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freshDir(name: string): string {
  const dir = path.join(TMP, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Every entry under dir (files with their content, links with their target, directories), for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const rel = path.relative(dir, full);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) result[rel] = `link -> ${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        result[rel] = 'dir';
        walk(full);
      } else if (st.isFile()) result[rel] = `${st.mtimeMs} ${readFileSync(full, 'latin1')}`;
      else result[rel] = 'special';
    }
  };
  walk(dir);
  return result;
}

/** 1-based line and column of the first occurrence of `needle` (at its `at`-th character). */
function position(text: string, needle: string, at = 0): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset === -1) throw new Error(`${needle} not found`);
  const before = text.slice(0, offset + at);
  const line = before.split('\n').length;
  return { line, column: offset + at - before.lastIndexOf('\n') };
}

// ---------------------------------------------------------------------------
// A small project compiled by plain tsc (no plugin), with source maps: what a TypeScript 7 build leaves behind.

const SOURCES: Record<string, string> = {
  'src/orders.ts': `export async function load(id: string): Promise<string> {
  const value = await fetchValue(id);
  return value.toUpperCase();
}

async function fetchValue(id: string): Promise<string> {
  return id;
}

export function later(fn: () => void): void {
  setTimeout(fn, 1);
}

export function chain(p: Promise<number>): Promise<number> {
  return p.then((x) => x + 1);
}
`,
  'src/constants.ts': `export const LIMIT: number = 10;
`,
  'src/stream/pump.ts': `export async function* pump(source: AsyncIterable<number>): AsyncGenerator<number> {
  for await (const item of source) {
    yield item * 2;
  }
}

export function tick(): void {
  process.nextTick(() => undefined);
  queueMicrotask(() => undefined);
}
`,
};

function compileProject(dir: string, extra: Partial<TS.CompilerOptions> = {}): void {
  const ts = require('typescript') as typeof TS;
  for (const [file, text] of Object.entries(SOURCES)) write(path.join(dir, file), text);
  const program = ts.createProgram(
    Object.keys(SOURCES).map((f) => path.join(dir, f)),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['node'],
      skipLibCheck: true,
      sourceMap: true,
      rootDir: path.join(dir, 'src'),
      outDir: path.join(dir, 'out'),
      ...extra,
    },
  );
  const result = program.emit();
  expect(result.emitSkipped).toBe(false);
}

describe('apply and report on a tsc build', () => {
  const dir = freshDir('project');
  compileProject(dir);
  const plain = snapshot(path.join(dir, 'out'));
  const plainOrders = readFileSync(path.join(dir, 'out/orders.js'), 'utf8');
  const plainPump = readFileSync(path.join(dir, 'out/stream/pump.js'), 'utf8');

  it('report lists every boundary of the plain output as not rewritten, and --check fails on it', () => {
    const expected = [
      ['out/orders.js', position(plainOrders, 'await fetchValue'), 'await'],
      ['out/orders.js', position(plainOrders, 'setTimeout('), 'setTimeout'],
      ['out/orders.js', position(plainOrders, '.then(', 1), 'then'],
      ['out/stream/pump.js', position(plainPump, 'for await'), 'for-await'],
      ['out/stream/pump.js', position(plainPump, 'yield item'), 'yield'],
      ['out/stream/pump.js', position(plainPump, 'nextTick', 0), 'process.nextTick'],
      ['out/stream/pump.js', position(plainPump, 'queueMicrotask'), 'queueMicrotask'],
    ].map(([file, at, kind]) => {
      const { line, column } = at as { line: number; column: number };
      return `${file}:${line}:${column}  ${kind}  not rewritten`;
    });
    const report = cli(['report', 'out'], dir);
    expect(report.status).toBe(0);
    expect(report.stdout.trim().split('\n')).toEqual(expected);
    expect(report.stderr).toMatch(/report: 3 files, 7 boundaries: 0 rewritten, 7 not rewritten \(in 2 files\)/);

    const check = cli(['report', '--check', 'out'], dir);
    expect(check.status).toBe(1);
    expect(check.stdout.trim().split('\n')).toEqual(expected);
    expect(check.stderr).toContain("failed: this output was not processed; run 'otel-context-transformer apply' on it");

    const json = cli(['report', '--check', '--json', 'out'], dir);
    expect(json.status).toBe(1);
    const parsed = JSON.parse(json.stdout) as {
      notRewritten: number;
      boundaries: Array<{ file: string; kind: string; rewritten: boolean }>;
    };
    expect(parsed.notRewritten).toBe(7);
    expect(parsed.boundaries.map((b) => b.kind)).toEqual([
      'await',
      'setTimeout',
      'then',
      'for-await',
      'yield',
      'process.nextTick',
      'queueMicrotask',
    ]);
    // report reads, never writes.
    expect(snapshot(path.join(dir, 'out'))).toEqual(plain);
  });

  it('apply rewrites in place, chains the maps to the original .ts, and the result runs', () => {
    const run = cli(['apply', 'out'], dir);
    expect(run.stderr).toMatch(/apply: 2 files rewritten, 1 unchanged, 0 excluded, 0 errors \(\d+\.\d s\)/);
    expect(run.status, run.stderr).toBe(0);
    const orders = readFileSync(path.join(dir, 'out/orders.js'), 'utf8');
    expect(orders.startsWith('import * as __otelCtx from "otel-context-transformer/runtime";\n')).toBe(true);
    expect(orders).toContain('__otelCtx.bind(');
    expect(orders.trimEnd().endsWith('//# sourceMappingURL=orders.js.map')).toBe(true);
    expect(readFileSync(path.join(dir, 'out/constants.js'), 'utf8')).toBe(plain['constants.js']!.replace(/^\S+ /, ''));
    expect(readdirSync(path.join(dir, 'out')).filter((f) => f.includes('otel-tmp'))).toEqual([]);

    // The map of the rewritten file points to the original TypeScript, not to tsc's output.
    const map = JSON.parse(readFileSync(path.join(dir, 'out/orders.js.map'), 'utf8'));
    expect(map.sources).toEqual(['../src/orders.ts']);
    expect(map.file).toBe('orders.js');
    const tracer = new TraceMap(map);
    const source = SOURCES['src/orders.ts']!;
    for (const [generated, original] of [
      ['await __otelCtx.suspend', '= await', 2],
      ['setTimeout(__otelCtx', 'setTimeout(', 0],
      ['then(__otelCtx', 'then(', 0],
    ] as const) {
      const at = position(orders, generated);
      const traced = originalPositionFor(tracer, { line: at.line, column: at.column - 1 });
      const want = position(source, original, original === '= await' ? 2 : 0);
      expect({ generated, source: traced.source, line: traced.line, column: traced.column }).toEqual({
        generated,
        source: '../src/orders.ts',
        line: want.line,
        column: want.column - 1,
      });
    }
    const pumpMap = new TraceMap(JSON.parse(readFileSync(path.join(dir, 'out/stream/pump.js.map'), 'utf8')));
    const pump = readFileSync(path.join(dir, 'out/stream/pump.js'), 'utf8');
    const forAwait = position(pump, 'for await');
    expect(originalPositionFor(pumpMap, { line: forAwait.line, column: forAwait.column - 1 })).toMatchObject({
      source: '../../src/stream/pump.ts',
      line: 2,
      column: 2,
    });

    // The rewritten modules load and behave as before.
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { load, chain } from './out/orders.js'; import { pump } from './out/stream/pump.js';
         async function* src() { yield 1; yield 2; }
         const out = []; for await (const x of pump(src())) out.push(x);
         console.log(await load('a'), await chain(Promise.resolve(1)), out.join(','));`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('A 2 2,4');
  });

  it('a second apply changes nothing, and report --check passes', () => {
    const before = snapshot(path.join(dir, 'out'));
    const again = cli(['apply', 'out'], dir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/apply: 0 files rewritten, 3 unchanged, 0 excluded, 0 errors/);
    expect(snapshot(path.join(dir, 'out'))).toEqual(before);

    const check = cli(['report', '--check', 'out'], dir);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toBe('');
    expect(check.stderr).toMatch(/report: 3 files, 7 boundaries: 7 rewritten, 0 not rewritten/);
    const all = cli(['report', 'out/orders.js'], dir);
    expect(
      all.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+\s+/, '')),
    ).toEqual(['await  rewritten', 'setTimeout  rewritten', 'then  rewritten']);
  });
});

describe('apply details', () => {
  it('chains an inline source map and keeps it inline', () => {
    const dir = freshDir('inline');
    compileProject(dir, { sourceMap: false, inlineSourceMap: true });
    expect(cli(['apply', 'out'], dir).status).toBe(0);
    const orders = readFileSync(path.join(dir, 'out/orders.js'), 'utf8');
    const url = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)\s*$/.exec(orders);
    expect(url).not.toBeNull();
    const tracer = new TraceMap(JSON.parse(Buffer.from(url![1]!, 'base64').toString('utf8')));
    const at = position(orders, 'await __otelCtx.suspend');
    expect(originalPositionFor(tracer, { line: at.line, column: at.column - 1 })).toMatchObject({
      source: '../src/orders.ts',
      line: 2,
      column: 16,
    });
  });

  it('CommonJS output gets require(), .cjs is found, options come from flags and --config', () => {
    const dir = freshDir('cjs');
    write(
      path.join(dir, 'out/a.cjs'),
      `"use strict";\nexports.f = () => { setTimeout(() => 1, 1); return Promise.resolve(1).then((x) => x); };\n`,
    );
    write(path.join(dir, 'out/skipped/b.js'), `setTimeout(() => 1, 1);\n`);
    write(path.join(dir, 'out/c.js'), `export const g = () => { setTimeout(() => 1, 1); return Promise.resolve(1).then((x) => x); };\n`);
    write(path.join(dir, 'config.json'), JSON.stringify({ exclude: ['out/skipped/**'], runtimeModule: '@acme/otel-runtime' }));
    const run = cli(['apply', '--config', 'config.json', '--skip', 'promises', 'out'], dir);
    expect(run.stderr).toMatch(/apply: 2 files rewritten, 0 unchanged, 1 excluded, 0 errors/);
    expect(run.status, run.stderr).toBe(0);
    const a = readFileSync(path.join(dir, 'out/a.cjs'), 'utf8');
    expect(a).toBe(
      `"use strict";\nconst __otelCtx = require("@acme/otel-runtime");\nexports.f = () => { setTimeout(__otelCtx.bind(() => 1), 1); return Promise.resolve(1).then((x) => x); };\n`,
    );
    expect(readFileSync(path.join(dir, 'out/c.js'), 'utf8')).toMatch(/^import \* as __otelCtx from "@acme\/otel-runtime";\n/);
    expect(readFileSync(path.join(dir, 'out/skipped/b.js'), 'utf8')).toBe(`setTimeout(() => 1, 1);\n`);
    // With the same options report agrees that everything asked for is rewritten; without them it does not.
    expect(cli(['report', '--check', '--config', 'config.json', '--skip', 'promises', 'out'], dir).status).toBe(0);
    const strict = cli(['report', '--check', 'out'], dir);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/^out\/a\.cjs:3:\d+  then  not rewritten$/m);
    expect(strict.stdout).toContain('out/skipped/b.js:1:1  setTimeout  not rewritten');
  });

  it('report lists what apply binds: not literals, not code under otel-context-ignore', () => {
    const dir = freshDir('what-counts');
    write(
      path.join(dir, 'out/f.js'),
      [
        'export function f(p) {',
        '  p.then(null);',
        '  // otel-context-ignore',
        '  setTimeout(() => 1, 1);',
        '  return p.then(undefined, (e) => e);',
        '}',
        '',
      ].join('\n'),
    );
    expect(cli(['report', 'out'], dir).stdout).toBe('out/f.js:5:12  then  not rewritten\n');
    expect(cli(['apply', '--quiet', 'out'], dir).status).toBe(0);
    const after = cli(['report', '--check', 'out'], dir);
    expect(after.status).toBe(0);
    expect(cli(['report', 'out'], dir).stdout).toMatch(/^out\/f\.js:6:12  then  rewritten\n$/);
  });

  it('unreadable and unparsable files: clear diagnostics, nothing written, non-zero exit', () => {
    const dir = freshDir('broken');
    compileProject(dir);
    const out = path.join(dir, 'out');
    write(path.join(out, 'bad.js'), 'export const a = 1;\nconst b = ;\n');
    symlinkSync('missing.js', path.join(out, 'dangling.js'));
    // A directory named like a file is walked, not read.
    write(path.join(out, 'lib.js', 'inner.js'), 'setTimeout(() => 1, 1);\n');
    writeFileSync(path.join(out, 'latin1.js'), Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]));
    write(path.join(out, 'badmap.js'), 'setTimeout(() => 1, 1);\n//# sourceMappingURL=badmap.js.map\n');
    write(path.join(out, 'badmap.js.map'), '{ not json');
    chmodSync(path.join(out, 'orders.js'), 0o640);
    const before = snapshot(out);

    const run = cli(['apply', 'out'], dir);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      'out/bad.js:2:11: error: syntax error, file left unchanged: Unexpected token',
      expect.stringMatching(/^out\/badmap\.js: error: source map out\/badmap\.js\.map is not valid JSON: /),
      'out/dangling.js: error: cannot read: broken symbolic link (to missing.js)',
      'out/latin1.js: error: cannot read: not UTF-8 text',
      'otel-context-transformer apply: 4 errors; nothing written (3 files would have been rewritten)',
    ]);
    expect(snapshot(out)).toEqual(before);

    const json = cli(['apply', '--json', 'out'], dir);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ written: false, errors: [{ file: 'out/bad.js', line: 2, column: 11 }, {}, {}, {}] });

    const report = cli(['report', 'out'], dir);
    expect(report.status).toBe(1);
    expect(report.stderr).toContain('out/dangling.js: error: cannot read: broken symbolic link (to missing.js)');
    expect(report.stderr).toContain('out/bad.js:2:11: error: syntax error');
    expect(report.stdout).toContain('out/lib.js/inner.js:1:1  setTimeout  not rewritten');

    // Once the problems are excluded the rest is written, the file mode kept.
    const fixed = cli(['apply', 'out', '--exclude', 'out/bad*.js', '--exclude', 'out/dangling.js', '--exclude', 'out/latin1.js'], dir);
    expect(fixed.stderr).toMatch(/apply: 3 files rewritten, 1 unchanged, 4 excluded, 0 errors/);
    expect(statSync(path.join(out, 'orders.js')).mode & 0o777).toBe(0o640);
    expect(readFileSync(path.join(out, 'bad.js'), 'utf8')).toBe('export const a = 1;\nconst b = ;\n');
  });

  it('--preset and boundaries in --config (issue 10): only what the preset needs, declared calls bound', () => {
    const dir = freshDir('preset');
    write(
      path.join(dir, 'out/a.mjs'),
      `import { Pool } from 'job-pool';\nconst pool = new Pool();\nexport async function f(cb) { setTimeout(cb, 1); await cb(); pool.submit(cb); }\n`,
    );
    write(
      path.join(dir, 'config.json'),
      JSON.stringify({ boundaries: [{ module: 'job-pool', call: 'Pool.prototype.submit', callbackArg: 0 }] }),
    );
    const run = cli(['apply', '--config', 'config.json', '--preset', 'node', 'out'], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'out/a.mjs'), 'utf8')).toBe(
      `import * as __otelCtx from "otel-context-transformer/runtime";\nimport { Pool } from 'job-pool';\nconst pool = new Pool();\n` +
        `export async function f(cb) { setTimeout(cb, 1); await cb(); pool.submit(__otelCtx.bindAlways(cb)); }\n`,
    );
    write(path.join(dir, 'bad.json'), JSON.stringify({ boundaries: [{ module: 'job-pool', call: 'Pool.prototype.submit' }] }));
    const bad = cli(['apply', '--config', 'bad.json', 'out'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('option "boundaries", entry 0: field "callbackArg" must be a non-negative integer');
    const preset = cli(['apply', '--preset', 'deno', 'out'], dir);
    expect(preset.status).toBe(2);
    expect(preset.stderr).toContain('--preset: option "preset" has unknown value "deno"; allowed values: all, browser, react-native, node');
  });

  it('bad options and usage: exit 2 with a message naming the option', () => {
    const dir = freshDir('usage');
    write(path.join(dir, 'out/a.js'), 'setTimeout(() => 1);\n');
    write(path.join(dir, 'bad-key.json'), '{ "skp": ["timers"] }');
    write(path.join(dir, 'bad-value.json'), '{ "include": "out/**" }');
    write(path.join(dir, 'not-json.json'), '{ skip: [] }');
    const cases: Array<[string[], string]> = [
      [
        ['apply', '--skip', 'timer', 'out'],
        '--skip: option "skip" has unknown value "timer"; allowed values: timers, microtasks, frames, promises, await, generators, finalizers, threads, processes, declared',
      ],
      [
        ['apply', '--helpers', 'esm', 'out'],
        '--helpers: option "helpers" has unknown value "esm"; allowed values: auto, import, require, global',
      ],
      [['apply', '--runtime-module=', 'out'], '--runtime-module: option "runtimeModule" must be a non-empty string'],
      [['apply', '--ext', '', 'out'], '--ext must list file extensions'],
      [['apply', '--frobnicate', 'out'], "Unknown option '--frobnicate'"],
      [
        ['apply', '--config', 'bad-key.json', 'out'],
        'bad-key.json: unknown option "skp"; allowed options: include, exclude, skip, runtimeModule, typeCheck',
      ],
      [['apply', '--config', 'bad-value.json', 'out'], 'bad-value.json: option "include" must be an array of glob strings'],
      [['apply', '--config', 'not-json.json', 'out'], '--config not-json.json: not valid JSON'],
      [['apply', '--config', 'nowhere.json', 'out'], '--config nowhere.json: cannot read: no such file or directory (ENOENT)'],
      [['apply', 'nowhere'], 'nowhere: no such file or directory'],
      [['apply'], 'apply needs at least one directory or file'],
      [['apply', '--check', 'out'], '--check belongs to report'],
      [['compile', 'out'], 'unknown command "compile"; commands: apply, report'],
      [[], 'missing command (apply or report)'],
    ];
    for (const [args, message] of cases) {
      const run = cli(args, dir);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toContain(`otel-context-transformer: ${message}`);
      expect(run.stderr).toContain("Run 'otel-context-transformer --help' for usage.");
    }
    expect(readFileSync(path.join(dir, 'out/a.js'), 'utf8')).toBe('setTimeout(() => 1);\n');
  });

  it('--help and --version', () => {
    const help = cli(['--help'], TMP);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: otel-context-transformer <command> \[options\] <dir\|file\.\.\.>\n/);
    for (const flag of [
      '--ext',
      '--include',
      '--exclude',
      '--skip',
      '--runtime-module',
      '--helpers',
      '--config',
      '--check',
      '--json',
      '--quiet',
    ]) {
      expect(help.stdout).toContain(`  ${flag}`);
    }
    expect(cli(['apply', '-h'], TMP).stdout).toBe(help.stdout);
    const version = cli(['--version'], TMP);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });

  it('the bin entry is a node script with a shebang, and the package ships it', () => {
    expect(readFileSync(CLI_BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(path.resolve(REPO, pkg.bin['otel-context-transformer']!)).toBe(CLI_BIN);
    expect(pkg.files).toContain('bin');
    // The module the bin imports is built.
    const target = /from '(\.\.\/dist\/[^']+)'/.exec(readFileSync(CLI_BIN, 'utf8'))?.[1];
    expect(target).toBe('../dist/esm/cli/index.js');
    expect(existsSync(path.resolve(path.dirname(CLI_BIN), target!))).toBe(true);
  });

  it('a counter line on a terminal', async () => {
    const dir = freshDir('tty');
    for (let i = 0; i < 3; i++) write(path.join(dir, `f${i}.js`), 'setTimeout(() => 1);\n');
    let stderr = '';
    const status = await main(['apply', dir], { stdout: () => {}, stderr: (t) => (stderr += t), interactive: true, version: VERSION });
    expect(status).toBe(0);
    expect(stderr).toContain('\r\x1b[Kapply: 3/3 ');
    expect(stderr).toMatch(/\r\x1b\[Kotel-context-transformer apply: 3 files rewritten/);
  });
});

// ---------------------------------------------------------------------------
// A large tree: progress and time (printed, not asserted).

const FILES = 2000;

function generateTree(dir: string): void {
  for (let i = 0; i < FILES; i++) {
    const lines = [
      `import { helper${i % 7} } from '../lib/helpers.js';`,
      `export async function handler${i}(request) {`,
      `  const user = await helper${i % 7}(request.user);`,
      `  setTimeout(() => console.log('audit', user), ${i % 50});`,
      `  for (let attempt = 0; attempt < 3; attempt++) {`,
      `    try {`,
      `      return await fetch(request.url).then((r) => r.json());`,
      `    } catch (error) {`,
      `      await new Promise((resolve) => setTimeout(resolve, attempt * 10));`,
      `    }`,
      `  }`,
      `}`,
      `export function* ids${i}() { let n = 0; while (true) yield n++; }`,
    ];
    const mappings = lines.map((_, n) => (n === 0 ? 'AAAA' : 'AACA')).join(';');
    const name = `m${String(i).padStart(4, '0')}.js`;
    const sub = path.join(dir, 'out', `pkg${i % 20}`);
    if (i < 20) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, name), `${lines.join('\n')}\n//# sourceMappingURL=${name}.map\n`);
    writeFileSync(
      path.join(sub, `${name}.map`),
      JSON.stringify({ version: 3, file: name, sources: [`../../src/${name.replace('.js', '.ts')}`], names: [], mappings }),
    );
  }
}

describe(`a tree of ${FILES} files`, () => {
  it('apply prints progress lines and a summary; report --check passes afterwards', () => {
    const dir = freshDir('large');
    generateTree(dir);
    let started = performance.now();
    const run = cli(['apply', 'out'], dir);
    const applySeconds = (performance.now() - started) / 1000;
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `apply: 500/${FILES} files`,
      `apply: 1000/${FILES} files`,
      `apply: 1500/${FILES} files`,
      `apply: 2000/${FILES} files`,
    ]);
    expect(lines[4]).toMatch(
      new RegExp(`^otel-context-transformer apply: ${FILES} files rewritten, 0 unchanged, 0 excluded, 0 errors \\(\\d+\\.\\d s\\)$`),
    );

    started = performance.now();
    const check = cli(['report', '--check', 'out'], dir);
    const reportSeconds = (performance.now() - started) / 1000;
    expect(check.status, check.stderr).toBe(0);
    // Six per file: the sleep's `setTimeout(resolve, …)` needs no binding and is not one.
    expect(check.stderr).toContain(`report: ${FILES} files, ${FILES * 6} boundaries: ${FILES * 6} rewritten, 0 not rewritten`);

    started = performance.now();
    const again = cli(['apply', 'out'], dir);
    const againSeconds = (performance.now() - started) / 1000;
    expect(again.stderr).toContain(`apply: 0 files rewritten, ${FILES} unchanged`);

    console.log(
      `[cli timing] ${FILES} files (with maps): apply ${applySeconds.toFixed(2)} s (CLI's own count: ${/\((\d+\.\d s)\)/.exec(lines[4]!)?.[1]}), ` +
        `report --check ${reportSeconds.toFixed(2)} s, second apply (all unchanged) ${againSeconds.toFixed(2)} s (wall clock, including node start-up)`,
    );
  });

  it('an interrupted apply writes nothing and leaves no temporary files', async () => {
    const dir = freshDir('interrupted');
    generateTree(dir);
    const before = snapshot(path.join(dir, 'out'));
    const child = spawn(process.execPath, [CLI_BIN, 'apply', 'out'], { cwd: dir, env: { ...process.env, CI: '1' } });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // First progress line: a quarter of the files are transformed, none written.
      if (!signalled && stderr.includes('apply: 500/')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(signalled).toBe(true);
    if (status === 0) {
      // The transform finished before the signal arrived: then everything was written, in one piece.
      console.log('[cli] SIGINT arrived after apply had finished; checked the completed run instead');
      expect(cli(['report', '--check', '--quiet', 'out'], dir).status).toBe(0);
      return;
    }
    expect(status).toBe(130);
    expect(stderr).toContain('apply: interrupted (SIGINT); nothing written');
    expect(snapshot(path.join(dir, 'out'))).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// report at a workspace root: every package's build output, a table, one exit status.

describe('report --check at a workspace root', () => {
  const LIB_SRC = 'export async function get(id) {\n  await null;\n  return id;\n}\nexport function later(fn) {\n  setTimeout(fn, 1);\n}\n';
  const SVC_SRC =
    'const { get } = require("@acme/lib");\nexports.handle = async (id) => {\n  const v = await get(id);\n  return Promise.resolve(v).then((x) => x);\n};\n';

  /** An npm workspace: a library (dist/ via exports), a service (build/ via main), a types-only package (no output). */
  function npmWorkspace(name: string): string {
    const dir = freshDir(name);
    write(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme', private: true, workspaces: ['packages/*', 'services/*'] }));
    write(
      path.join(dir, 'packages/lib/package.json'),
      JSON.stringify({
        name: '@acme/lib',
        type: 'module',
        exports: { '.': { import: './dist/esm/index.js', types: './dist/index.d.ts' } },
      }),
    );
    write(path.join(dir, 'packages/lib/dist/esm/index.js'), LIB_SRC);
    write(path.join(dir, 'packages/lib/src/index.js'), LIB_SRC);
    write(path.join(dir, 'services/svc/package.json'), JSON.stringify({ name: '@acme/svc', main: 'build/index.js' }));
    write(path.join(dir, 'services/svc/build/index.js'), SVC_SRC);
    write(path.join(dir, 'packages/types/package.json'), JSON.stringify({ name: '@acme/types', types: 'index.d.ts' }));
    write(path.join(dir, 'packages/types/index.d.ts'), 'export type Id = string;\n');
    // Not a workspace package (no glob selects it): never reported.
    write(path.join(dir, 'tools/script/package.json'), JSON.stringify({ name: 'script', main: 'dist/x.js' }));
    write(path.join(dir, 'tools/script/dist/x.js'), 'setTimeout(() => 1);\n');
    return dir;
  }

  it('with no paths: a table per package, exit 1 while a package is not rewritten, 0 once it is', () => {
    const dir = npmWorkspace('workspace-npm');
    const first = cli(['report', '--check'], dir);
    expect(first.status).toBe(1);
    const table = first.stdout.split('\n\n')[0]!.split('\n');
    expect(table[0]).toMatch(/^package\s+output\s+files\s+boundaries\s+rewritten\s+not rewritten$/);
    expect(table.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['@acme/lib', 'packages/lib/dist', '1', '2', '0', '2'],
      ['@acme/types', '(none found)', '0', '0', '0', '0'],
      ['@acme/svc', 'services/svc/build', '1', '3', '0', '3'],
    ]);
    // The boundaries that fail the check follow the table.
    expect(first.stdout).toContain('services/svc/build/index.js:3:13  await  not rewritten\n');
    expect(first.stdout).not.toContain('tools/');
    expect(first.stderr).toContain('@acme/types (packages/types): no build output found');
    expect(first.stderr).toMatch(/report: 3 packages, 2 files, 5 boundaries: 0 rewritten, 5 not rewritten \(in 2 packages\)/);
    expect(first.stderr).toContain('report --check: failed: boundaries not rewritten in @acme/lib, @acme/svc\n');

    expect(cli(['apply', 'packages/lib/dist'], dir).status).toBe(0);
    const half = cli(['report', '--check', '--json'], dir);
    expect(half.status).toBe(1);
    const json = JSON.parse(half.stdout) as { workspace: unknown; packages: Array<Record<string, unknown>>; notRewritten: number };
    expect(json.workspace).toEqual({ root: dir, kind: 'npm' });
    expect(json.packages.map(({ name, rewritten, notRewritten }) => ({ name, rewritten, notRewritten }))).toEqual([
      { name: '@acme/lib', rewritten: 2, notRewritten: 0 },
      { name: '@acme/types', rewritten: 0, notRewritten: 0 },
      { name: '@acme/svc', rewritten: 0, notRewritten: 3 },
    ]);
    expect(json.notRewritten).toBe(3);

    expect(cli(['apply', 'services/svc/build'], dir).status).toBe(0);
    const done = cli(['report', '--check'], dir);
    expect(done.status).toBe(0);
    expect(done.stderr).toMatch(/report: 3 packages, 2 files, 5 boundaries: 5 rewritten, 0 not rewritten/);
    // The root given as the one path is the same check.
    expect(cli(['report', '--check', dir], TMP).status).toBe(0);
  });

  it('pnpm-workspace.yaml (with an exclusion), and a lone package', () => {
    const dir = freshDir('workspace-pnpm');
    write(path.join(dir, 'package.json'), JSON.stringify({ name: 'root', private: true }));
    const yaml = "# apps and libraries\npackages:\n  - 'apps/*'\n  - \"libs/**\"\n  - '!libs/legacy'\ncatalog:\n  x: 1\n";
    write(path.join(dir, 'pnpm-workspace.yaml'), yaml);
    write(path.join(dir, 'apps/web/package.json'), JSON.stringify({ name: 'web' }));
    write(path.join(dir, 'apps/web/out/main.js'), 'queueMicrotask(() => 1);\n');
    write(path.join(dir, 'libs/core/util/package.json'), JSON.stringify({ name: 'util', main: 'index.js' }));
    write(path.join(dir, 'libs/core/util/index.js'), 'export const x = 1;\n');
    write(path.join(dir, 'libs/legacy/package.json'), JSON.stringify({ name: 'legacy', main: 'lib/a.js' }));
    write(path.join(dir, 'libs/legacy/lib/a.js'), 'setTimeout(() => 1);\n');
    const run = cli(['report', '--check', '--json'], dir);
    expect(run.status).toBe(1);
    type Package = { name: string; outputs: string[]; notRewritten: number };
    const json = JSON.parse(run.stdout) as { workspace: { kind: string }; packages: Package[] };
    expect(json.workspace.kind).toBe('pnpm');
    expect(json.packages.map(({ name, outputs, notRewritten }) => ({ name, outputs, notRewritten }))).toEqual([
      { name: 'web', outputs: ['apps/web/out'], notRewritten: 1 },
      { name: 'util', outputs: ['libs/core/util/index.js'], notRewritten: 0 },
    ]);

    const single = freshDir('workspace-single');
    write(path.join(single, 'package.json'), JSON.stringify({ name: 'solo', main: './lib/index.cjs' }));
    write(path.join(single, 'lib/index.cjs'), 'setImmediate(() => 1);\n');
    const solo = cli(['report', '--check'], single);
    expect(solo.status).toBe(1);
    expect(solo.stdout).toMatch(/^package\s+output.*\nsolo\s+lib\s+1\s+1\s+0\s+1\n/);

    const nothing = cli(['report'], freshDir('workspace-none'));
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain('no package.json or pnpm-workspace.yaml here; name the directories or files to report on');
  });
});

describe("apply with --helpers auto follows Node's module type where it is settled", () => {
  it('a script without module syntax under "type": "module" gets an import, never a require', () => {
    const dir = freshDir('module-type');
    // A browser bundle (no import or export) whose text mentions require( in a string.
    const bundle = '(function () {\n  setTimeout(() => console.log("require(x) is not called here"), 1);\n})();\n';
    write(path.join(dir, 'esm/package.json'), JSON.stringify({ type: 'module' }));
    write(path.join(dir, 'esm/dist/app.js'), bundle);
    write(path.join(dir, 'cjs/package.json'), JSON.stringify({ type: 'commonjs' }));
    write(path.join(dir, 'cjs/dist/app.js'), bundle);
    expect(cli(['apply', 'esm/dist', 'cjs/dist'], dir).status).toBe(0);
    const esm = readFileSync(path.join(dir, 'esm/dist/app.js'), 'utf8');
    expect(esm.startsWith('import * as __otelCtx from "otel-context-transformer/runtime";\n')).toBe(true);
    expect(esm).not.toContain('require("otel-context-transformer');
    // Where package.json does not say "module", the file's own text still decides.
    const cjs = readFileSync(path.join(dir, 'cjs/dist/app.js'), 'utf8');
    expect(cjs).toContain('const __otelCtx = require("otel-context-transformer/runtime");');
  });
});
