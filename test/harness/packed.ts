/**
 * The package as users get it: `npm pack` of this repository (dist/ must be built: npm test's
 * pretest does) installed with npm into a scratch project. Versions come from our own lockfile,
 * so npm's cache serves them (--prefer-offline) and the scratch project runs what the tests run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Where scratch projects go: outside this repository, so that nothing resolves from its
 * node_modules (a dependency missing from our package.json would pass unnoticed under test/.tmp).
 * One directory per checkout: several worktrees may run the tests at once.
 */
export const SCRATCH = join(tmpdir(), `otel-context-transformer-packed-${createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}`);
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; name?: string }>;
};

/** The version our lockfile installs for a package (top level), e.g. lockedVersion('vite') → '8.3.8'. */
export function lockedVersion(name: string): string {
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry?.version) throw new Error(`${name} is not in package-lock.json`);
  return entry.version;
}

export interface PackResult {
  tarball: string;
  /** The package.json inside the tarball. */
  manifest: Record<string, any>;
  files: string[];
}

/** `npm pack` into dir; returns the tarball's path and what it holds. */
export function pack(dir: string): PackResult {
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(dir, info!.filename);
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  return { tarball, manifest, files: info!.files.map((f) => f.path) };
}

/** A fresh scratch project at dir with the tarball and the given packages (name@version) installed by npm. */
export function installScratch(dir: string, tarball: string, packages: string[], pkg: Record<string, unknown> = {}): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, ...pkg }, null, 2));
  npmInstall(dir, [tarball, ...packages]);
}

export function npmInstall(dir: string, specs: string[]): void {
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
  });
}
