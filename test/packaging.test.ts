/**
 * The package as installed, not as checked out:
 * - package-lock.json lists every optional platform binding (oxc-parser, rspack, rolldown, esbuild…):
 *   a lockfile written on one platform by an old npm leaves the others out and `npm ci` fails there;
 * - the published package.json runs nothing at install time (no preinstall/install/postinstall/prepare);
 * - typescript stays an optional peer that TypeScript 7 projects (CLI, bundlers) can install next to;
 * - every export path's types resolve with the real tsc, from the packed tarball installed by npm into a
 *   scratch project, under node10 (`"module": "commonjs"`), node16, nodenext and bundler resolution.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installScratch, lockedVersion, pack, ROOT, SCRATCH, type PackResult } from './harness/packed.js';

const WORK = join(SCRATCH, 'packaging');

/** Optional dependencies a lockfile names that it has no entry for (by Node's resolution from the dependent). */
type Lockfile = { packages: Record<string, { optionalDependencies?: Record<string, string> }> };

export function missingOptionalEntries(lockfile: Lockfile): string[] {
  const packages = lockfile.packages;
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      let dir = path;
      for (;;) {
        if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) break;
        if (!dir) {
          missing.push(`${path || '(root)'} → ${name}`);
          break;
        }
        const up = dir.lastIndexOf('/node_modules/');
        dir = up < 0 ? '' : dir.slice(0, up);
      }
    }
  }
  return missing;
}

describe('lockfiles', () => {
  const lockfiles = execFileSync('git', ['ls-files', '*package-lock.json'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

  it.each(lockfiles)('%s lists every optional platform binding (npm ci works on every platform)', (file) => {
    expect(missingOptionalEntries(JSON.parse(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  // npm itself, planning a clean install for other platforms (dry run, in a copy: nothing is installed).
  it.each([
    ['darwin', 'arm64'],
    ['win32', 'x64'],
  ])('npm ci plans a clean install for %s-%s from package-lock.json', (os, cpu) => {
    const dir = join(WORK, `npm-ci-${os}-${cpu}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(dir, file));
    const ci = spawnSync('npm', ['ci', '--dry-run', `--os=${os}`, `--cpu=${cpu}`, '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(ci.stderr.split('\n').filter((l) => l.startsWith('npm error'))).toEqual([]);
    expect(ci.status).toBe(0);
    expect(ci.stdout).toContain(`@oxc-parser/binding-${os}-${cpu}`);
  });

  it('the check finds a lockfile written on Linux alone', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const bindings = Object.keys(lock.packages).filter((p) => /\/(binding-|@oxc-parser\/binding-|@rolldown\/binding-)/.test(p));
    expect(bindings.some((p) => p.includes('darwin')) && bindings.some((p) => p.includes('win32'))).toBe(true);
    for (const path of bindings) if (!/linux-x64-gnu/.test(path)) delete lock.packages[path];
    expect(missingOptionalEntries(lock)).toContain('node_modules/oxc-parser → @oxc-parser/binding-darwin-arm64');
  });
});

describe('the packed package', () => {
  let packed: PackResult;
  beforeAll(() => {
    packed = pack(join(WORK, 'tarball'));
  });

  it('runs no script when installed', () => {
    const scripts = Object.keys(packed.manifest.scripts ?? {});
    expect(scripts.filter((s) => ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'].includes(s))).toEqual([]);
    // Nor does npm add an implicit `node-gyp rebuild`: no binding.gyp ships.
    expect(packed.files.filter((f) => f.endsWith('binding.gyp'))).toEqual([]);
  });

  it('keeps TypeScript an optional peer that admits TypeScript 7 projects (the CLI and the bundlers serve them)', () => {
    // An optional peer must still match when present: a range stopping before 7 makes npm refuse to install the
    // package in every TypeScript 7 project (ERESOLVE), the very projects the README sends to the CLI. The
    // tsconfig plugin itself says, in one diagnostic, that it needs 5 or 6 (test/readme-snippets.test.ts).
    expect(packed.manifest.peerDependencies.typescript).toBe('>=5.0.0');
    expect(packed.manifest.peerDependenciesMeta.typescript.optional).toBe(true);
  });

  it('ships every file its exports, typesVersions and bin name', () => {
    const targets = new Set<string>();
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(packed.manifest.exports);
    collect(packed.manifest.typesVersions);
    collect(packed.manifest.bin);
    collect([packed.manifest.main, packed.manifest.module, packed.manifest.types]);
    expect([...targets].filter((t) => !packed.files.includes(t))).toEqual([]);
  });

  it('maps every typed subpath for node10 resolution (typesVersions), to the same declarations as require', () => {
    const exportsMap = packed.manifest.exports as Record<string, any>;
    const subpaths = Object.entries(exportsMap).filter(([key, value]) => key !== '.' && value?.require?.types);
    expect(subpaths.length).toBeGreaterThan(10);
    for (const [key, value] of subpaths) expect(packed.manifest.typesVersions?.['*']?.[key.slice(2)], key).toEqual([value.require.types]);
  });
});

/**
 * Every export path with types: what a consumer imports from it. `@ts-expect-error` on a misuse proves
 * the import is typed: were it `any`, the directive would be unused (TS2578) and tsc would fail.
 */
const TYPE_CHECKS = `
import otelContextTransformer, { resolveOptions } from 'otel-context-transformer';
import { transform, type TransformResult } from 'otel-context-transformer/api';
import vite from 'otel-context-transformer/vite';
import rollup from 'otel-context-transformer/rollup';
import rolldown from 'otel-context-transformer/rolldown';
import esbuild from 'otel-context-transformer/esbuild';
import webpack from 'otel-context-transformer/webpack';
import rspack from 'otel-context-transformer/rspack';
import babel from 'otel-context-transformer/babel';
import { CompiledContextManager, type Frame } from 'otel-context-transformer/runtime';
import { AsyncContext } from 'otel-context-transformer/async-context';
import { OPTIONS_ENV } from 'otel-context-transformer/register';
import { debugSummary, bind as debugBind } from 'otel-context-transformer/runtime/debug';
import 'otel-context-transformer/global';

const result: TransformResult | undefined = transform('await 1', { filename: 'a.mjs' });
// @ts-expect-error: transform needs its options
transform('await 1');
for (const plugin of [vite, rollup, rolldown, esbuild, webpack, rspack]) {
  plugin({ include: ['src/**'] });
  // @ts-expect-error: a misspelt option
  plugin({ inclde: ['src/**'] });
}
// @ts-expect-error: the Babel plugin takes Babel's api first
babel({ include: ['src/**'] });
const manager = new CompiledContextManager().enable();
// @ts-expect-error: active() takes nothing
manager.active(1);
const variable = new AsyncContext.Variable<number>({ defaultValue: 1 });
const value: number | undefined = variable.get();
// @ts-expect-error: a number, not a string
const text: string = variable.get();
const frame: Frame | undefined = undefined;
const env: string = OPTIONS_ENV;
// @ts-expect-error: the program is a TypeScript Program
otelContextTransformer('program');
resolveOptions({ debug: true });
// @ts-expect-error: the site is a string
debugBind(() => 1, 12);
const sites: string[] = debugSummary().map((entry) => entry.site);
const bound: () => number = debugBind(() => 1, 'src/a.ts:1:1');
export { result, value, text, frame, env, sites, bound };
`;

const RESOLUTIONS = [
  { name: 'node10', options: { module: 'commonjs', moduleResolution: 'node10' }, files: ['check.ts'] },
  { name: 'node16', options: { module: 'node16', moduleResolution: 'node16' }, files: ['check.ts', 'check.mts'] },
  { name: 'nodenext', options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['check.ts', 'check.mts'] },
  { name: 'bundler', options: { module: 'esnext', moduleResolution: 'bundler' }, files: ['check.ts'] },
];

describe('types of every export path, from the installed tarball, with the real tsc', () => {
  const project = join(WORK, 'types');
  beforeAll(() => {
    const { tarball } = pack(join(WORK, 'types-tarball'));
    const packages = ['@opentelemetry/api', 'typescript'].map((name) => `${name}@${lockedVersion(name)}`);
    installScratch(project, tarball, packages);
    writeFileSync(join(project, 'check.ts'), TYPE_CHECKS);
    writeFileSync(join(project, 'check.mts'), TYPE_CHECKS);
  });

  it.each(RESOLUTIONS)('moduleResolution $name', ({ name, options, files }) => {
    const tsconfig = `tsconfig.${name}.json`;
    writeFileSync(
      join(project, tsconfig),
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: 'es2022',
          strict: true,
          noEmit: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noUncheckedSideEffectImports: true,
          types: [],
        },
        files,
      }),
    );
    const tscBin = join(project, 'node_modules/typescript/bin/tsc');
    const tsc = spawnSync(process.execPath, [tscBin, '-p', tsconfig], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
