/**
 * The real `tspc` end to end: ts-patch 3 with TypeScript 5, ts-patch 4 with
 * TypeScript 6, on fixture projects under test/.tmp/ (gitignored) whose
 * tsconfig lists `{ "transform": "otel-context-transformer" }`.
 *
 * How the pieces are found:
 * - tspc compiles with the `typescript` that `require.resolve('typescript')`
 *   finds from ts-patch's own install directory, unless TSP_COMPILER_TS_PATH
 *   names another package directory. ts-patch 3 (node_modules/ts-patch) gets
 *   node_modules/typescript (5.x); ts-patch 4 (node_modules/ts-patch-4) would
 *   get the same and refuse it, so it is pointed at node_modules/typescript-6.
 * - the plugin is resolved with `require.resolve(transform, { paths: [project dir] })`,
 *   which does not apply package self-reference: each fixture gets
 *   node_modules/otel-context-transformer, a link to this repository. tspc
 *   loads the CommonJS build, dist/cjs, so run `npm run build` first (`npm test`
 *   does).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TMP = path.join(REPO, 'test', '.tmp');
const NODE_MODULES = path.join(REPO, 'node_modules');

interface Toolchain {
  name: string;
  /** Fixture directory name under test/.tmp/tspc/. */
  id: string;
  tspc: string;
  tsVersion: string;
  env: Record<string, string>;
}

const TOOLCHAINS: Toolchain[] = [
  {
    name: 'ts-patch 3 + TypeScript 5',
    id: 'tsp3-ts5',
    tspc: path.join(NODE_MODULES, 'ts-patch', 'bin', 'tspc.js'),
    tsVersion: readVersion('typescript'),
    env: {},
  },
  {
    name: 'ts-patch 4 + TypeScript 6',
    id: 'tsp4-ts6',
    tspc: path.join(NODE_MODULES, 'ts-patch-4', 'bin', 'tspc.js'),
    tsVersion: readVersion('typescript-6'),
    env: { TSP_COMPILER_TS_PATH: path.join(NODE_MODULES, 'typescript-6') },
  },
];

function readVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(NODE_MODULES, pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

// ---------------------------------------------------------------------------
// Fixtures

const APP = `import { helper } from './helper.js';

export async function handler(input: Promise<number>): Promise<number> {
  setTimeout(() => helper('tick'), 10);
  const first = await input;
  try {
    const second = await Promise.resolve(first + 1);
    helper(second);
  } catch (error) {
    helper(error);
  } finally {
    helper('done');
  }
  input.then((v) => helper(v));
  return first;
}

export const arrow = async (x: Promise<string>) => (await x).length;

export function* generator(a: number) {
  const b: number = yield a;
  return b;
}

const top = await Promise.resolve('top');
helper(top);
`;

const HELPER = `export function helper(value: unknown): void {
  void value;
}
`;

const BOOM = `export async function g(x: Promise<number>) {
  return await x;
}
`;

/**
 * A plugin listed before ours that makes the first read of `statements` of
 * src/boom.ts throw: the transformer fails on that file while the compiler,
 * reading it afterwards, does not. Simulates an internal transformer error.
 */
const TRAP_PLUGIN = `module.exports = function trap() {
  return () => (sourceFile) => {
    if (!sourceFile.fileName.endsWith('boom.ts')) return sourceFile;
    const statements = sourceFile.statements;
    let armed = true;
    Object.defineProperty(sourceFile, 'statements', {
      configurable: true,
      enumerable: true,
      get() {
        if (armed) {
          armed = false;
          throw new Error('trap: simulated failure inside the transformer');
        }
        return statements;
      },
    });
    return sourceFile;
  };
};
`;

function tsconfig(plugins: unknown[]): string {
  return JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022', 'DOM'],
        types: [],
        strict: true,
        skipLibCheck: true,
        sourceMap: true,
        rootDir: 'src',
        outDir: 'out',
        plugins,
      },
      include: ['src'],
    },
    null,
    2,
  );
}

function createFixture(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(REPO, path.join(dir, 'node_modules', 'otel-context-transformer'), 'junction');
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tspc(tspcBin: string, env: Record<string, string>, cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tspcBin, ...args],
      { cwd, env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

// ---------------------------------------------------------------------------
// Source maps: a small VLQ decoder.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decoded segments per generated line: [generatedColumn, sourceIndex, sourceLine, sourceColumn] (all 0-based). */
function decodeMappings(mappings: string): number[][][] {
  const lines: number[][][] = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(';')) {
    const segments: number[][] = [];
    let column = 0;
    for (const segmentText of lineText.split(',')) {
      if (!segmentText) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segmentText) {
        const digit = BASE64.indexOf(char);
        if (digit < 0) throw new Error(`bad VLQ digit ${char}`);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0]!;
      if (values.length >= 4) {
        source += values[1]!;
        sourceLine += values[2]!;
        sourceColumn += values[3]!;
        segments.push([column, source, sourceLine, sourceColumn]);
      } else {
        segments.push([column]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** The original position (0-based line and column) a generated position maps to: the last segment at or before it. */
function originalPosition(decoded: number[][][], line: number, column: number): { line: number; column: number } | undefined {
  const segments = (decoded[line] ?? []).filter((s) => s.length >= 4 && s[0]! <= column);
  const segment = segments[segments.length - 1];
  return segment ? { line: segment[2]!, column: segment[3]! } : undefined;
}

it('the VLQ decoder agrees with a known mapping', () => {
  // "AAAA,MAAM,CAAC" → (0,0,0,0), (6,0,0,6), (7,0,0,7); ";AACA" moves one source line.
  expect(decodeMappings('AAAA,MAAM,CAAC;AACA')).toEqual([
    [
      [0, 0, 0, 0],
      [6, 0, 0, 6],
      [7, 0, 0, 7],
    ],
    [[0, 0, 1, 7]],
  ]);
  expect(decodeMappings('gBAAgB')).toEqual([[[16, 0, 0, 16]]]);
  expect(decodeMappings('DAAD')).toEqual([[[-1, 0, 0, -1]]]);
});

// ---------------------------------------------------------------------------

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const entry = path.join(REPO, 'dist', 'cjs', 'index.js');
  if (!existsSync(entry)) throw new Error('dist/cjs/index.js is missing: run `npm run build` first (tspc loads the built package)');
  if (statSync(entry).mtimeMs < newestMtime(path.join(REPO, 'src'))) {
    throw new Error('dist is older than src: run `npm run build` first (tspc loads the built package)');
  }
});

type FixtureName = 'app' | 'badOption' | 'trap';
type Runs = Record<FixtureName | 'version', Run>;

function fixtureDirs(toolchain: Toolchain): Record<FixtureName, string> {
  const base = path.join(TMP, 'tspc', toolchain.id);
  return { app: path.join(base, 'app'), badOption: path.join(base, 'bad-option'), trap: path.join(base, 'trap') };
}

/** Every tspc run of every toolchain, started together (each is a separate process). */
const allRuns = new Map<string, Runs>();
beforeAll(async () => {
  await Promise.all(
    TOOLCHAINS.map(async (toolchain) => {
      const dirs = fixtureDirs(toolchain);
      createFixture(dirs.app, {
        'tsconfig.json': tsconfig([{ transform: 'otel-context-transformer' }]),
        'src/app.ts': APP,
        'src/helper.ts': HELPER,
      });
      createFixture(dirs.badOption, {
        'tsconfig.json': tsconfig([{ transform: 'otel-context-transformer', inclde: [] }]),
        'src/app.ts': APP,
        'src/helper.ts': HELPER,
      });
      createFixture(dirs.trap, {
        'tsconfig.json': tsconfig([{ transform: './trap.cjs' }, { transform: 'otel-context-transformer' }]),
        'trap.cjs': TRAP_PLUGIN,
        'src/app.ts': APP,
        'src/helper.ts': HELPER,
        'src/boom.ts': BOOM,
      });
      const run = (dir: string, args: string[]) => tspc(toolchain.tspc, toolchain.env, dir, args);
      const [version, app, badOption, trap] = await Promise.all([
        run(path.dirname(dirs.app), ['--version']),
        run(dirs.app, ['-p', 'tsconfig.json']),
        run(dirs.badOption, ['-p', 'tsconfig.json']),
        run(dirs.trap, ['-p', 'tsconfig.json']),
      ]);
      allRuns.set(toolchain.id, { version: version!, app: app!, badOption: badOption!, trap: trap! });
    }),
  );
}, 120_000);

// The fixtures (and their output) stay for inspection; the links back to the repository do not,
// so that nothing walking test/.tmp later loops through them.
afterAll(() => {
  for (const toolchain of TOOLCHAINS) {
    for (const dir of Object.values(fixtureDirs(toolchain))) rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  }
});

for (const toolchain of TOOLCHAINS) {
  describe(`tspc: ${toolchain.name}`, () => {
    const dirs = fixtureDirs(toolchain);
    let runs: Runs;
    beforeAll(() => {
      runs = allRuns.get(toolchain.id)!;
    });

    const read = (dir: string, file: string) => readFileSync(path.join(dir, 'out', file), 'utf8');

    it(`compiles with TypeScript ${toolchain.tsVersion}`, () => {
      expect(runs.version.stderr).toBe('');
      expect(runs.version.stdout.trim()).toBe(`Version ${toolchain.tsVersion}`);
    });

    it('emits JavaScript with the helper calls, without diagnostics', () => {
      expect(runs.app.stdout + runs.app.stderr).toBe('');
      expect(runs.app.status).toBe(0);
      const js = read(dirs.app, 'app.js');
      expect(js.split('\n')[0]).toBe('import * as __otelCtx from "otel-context-transformer/runtime";');
      expect(js).toContain('const __otelFrame = __otelCtx.rootFrame();');
      expect(js).toContain("setTimeout(__otelCtx.bind(() => helper('tick')), 10);");
      expect(js).toContain('const first = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, input));');
      expect(js).toContain('input.then(__otelCtx.bind((v) => helper(v)));');
      expect(js).toMatch(/catch \(error\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);/);
      expect(js).toContain('export function* generator(a, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(js).toContain("const top = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, Promise.resolve('top')));");
      expect(js.trimEnd().endsWith('//# sourceMappingURL=app.js.map')).toBe(true);
      // A file with nothing to rewrite is emitted as it was.
      expect(read(dirs.app, 'helper.js')).not.toContain('__otelCtx');
    });

    it('the source map sends every rewritten await back to its original line', () => {
      const js = read(dirs.app, 'app.js').split('\n');
      const map = JSON.parse(read(dirs.app, 'app.js.map')) as { sources: string[]; mappings: string };
      expect(map.sources).toEqual(['../src/app.ts']);
      const decoded = decodeMappings(map.mappings);
      const original = APP.split('\n');
      const awaitLines = original.flatMap((text, line) => (/\bawait\b/.test(text) ? [line] : []));
      expect(awaitLines).toHaveLength(4);

      const generated = js.flatMap((text, line) => (text.includes('await __otelCtx.suspend(') ? [line] : []));
      expect(generated).toHaveLength(awaitLines.length);
      for (const [i, line] of generated.entries()) {
        const text = js[line]!;
        // Where the `await` keyword was emitted...
        const at = originalPosition(decoded, line, text.indexOf('await '));
        expect(at, `generated line ${line + 1}: ${text.trim()}`).toBeDefined();
        // ...is the line of the original await, and every mapped segment on the line agrees.
        expect(at!.line, text.trim()).toBe(awaitLines[i]);
        expect(original[at!.line]!.slice(at!.column)).toMatch(/^await\b/);
        const mappedLines = new Set(decoded[line]!.filter((s) => s.length >= 4).map((s) => s[2]));
        expect([...mappedLines], text.trim()).toEqual([awaitLines[i]]);
      }
    });

    it('a bad option: a diagnostic naming "inclde", and nothing transformed', () => {
      const output = runs.badOption.stdout + runs.badOption.stderr;
      expect(output).toContain('error TS90000');
      expect(output).toContain('unknown option "inclde"; allowed options: include, exclude, skip, runtimeModule, typeCheck');
      expect(output).not.toMatch(/\n\s+at /); // a diagnostic, not a stack trace
      expect(runs.badOption.status).not.toBe(0);
      expect(read(dirs.badOption, 'app.js')).not.toContain('__otelCtx');
    });

    it('an error inside the transformer on one file does not crash tspc: a warning, the file emitted unchanged', () => {
      const output = runs.trap.stdout + runs.trap.stderr;
      expect(output).toMatch(
        /src[\\/]boom\.ts\(1,1\): warning TS90002: otel-context-transformer: internal error, file left unchanged: \w*Error: trap: simulated failure inside the transformer/,
      );
      expect(output).not.toMatch(/\n\s+at /);
      // tsc's status for "diagnostics present, outputs generated" (a warning counts as a diagnostic).
      expect(runs.trap.status).toBe(2);
      expect(read(dirs.trap, 'boom.js')).toBe('export async function g(x) {\n    return await x;\n}\n//# sourceMappingURL=boom.js.map');
      expect(read(dirs.trap, 'app.js')).toContain('__otelCtx.suspend(');
    });
  });
}
