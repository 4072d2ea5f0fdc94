/**
 * Conformance backends for the bundler integration (see backends.ts for the interface).
 *
 * Each bundler builds every scenario file as one entry of a single build, with
 * otel-context-transformer's plugin (`otel-context-transformer/<name>`, i.e.
 * dist/esm/bundler/<name>.js) or without it,
 * into <outDir>/<stem>.mjs|.cjs. The builds run in a child process (bundle.mjs):
 * bundler APIs are async, Backend.compile is not.
 */
import { execFileSync, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './backends.js';

const here = dirname(fileURLToPath(import.meta.url));
const BUNDLE_SCRIPT = join(here, 'bundle.mjs');

export type BundlerName = 'vite' | 'rollup' | 'rolldown' | 'esbuild' | 'webpack' | 'rspack';

export interface BundleSpec {
  bundler: BundlerName;
  /** Entry name → source file; each entry becomes <outDir>/<name>.mjs|.cjs. */
  entries: Record<string, string>;
  outDir: string;
  format: 'esm' | 'cjs';
  /** Options for our plugin, or false to build without it. */
  plugin: false | Record<string, unknown>;
  sourcemap?: boolean;
  /** How the build gets our plugin: ESM `import` (default) or CommonJS `require(...).default`. */
  loadPluginWith?: 'import' | 'require';
  /** rollup, rolldown: a TypeScript step lowering await to ES2016 generators, listed before our plugin. */
  lowerAwaitFirst?: boolean;
}

/** The output format each bundler is tested with: what is natural for it on Node. */
export const BUNDLER_FORMATS: Record<BundlerName, 'esm' | 'cjs'> = {
  vite: 'esm',
  rollup: 'esm',
  rolldown: 'esm',
  esbuild: 'cjs',
  webpack: 'cjs',
  rspack: 'esm',
};

export function outputPath(spec: Pick<BundleSpec, 'outDir' | 'format'>, name: string): string {
  return join(spec.outDir, `${name}.${spec.format === 'esm' ? 'mjs' : 'cjs'}`);
}

/** Builds synchronously; throws with the bundler's message when the build fails. */
export function bundleSync(spec: BundleSpec): string[] {
  try {
    execFileSync(process.execPath, [BUNDLE_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`${spec.bundler} build failed:\n${stderr || String(error)}`);
  }
  return checkOutputs(spec);
}

/** Builds in the background; resolves with the outputs or rejects with the bundler's message. */
export function bundle(spec: BundleSpec): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BUNDLE_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`${spec.bundler} build failed:\n${stderr || String(error)}`));
      try {
        resolve(checkOutputs(spec));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function checkOutputs(spec: BundleSpec): string[] {
  return Object.keys(spec.entries).map((name) => {
    const out = outputPath(spec, name);
    if (!existsSync(out)) throw new Error(`${spec.bundler}: no output ${out}`);
    return out;
  });
}

function bundlerBackend(bundler: BundlerName): Backend {
  const format = BUNDLER_FORMATS[bundler];
  return {
    name: `bundler-${bundler}-${format}`,
    format,
    compile(files, outDir, transform, options = {}) {
      const entries = Object.fromEntries(files.map((file) => [stemOf(file), file]));
      if (Object.keys(entries).length !== files.length) throw new Error('two scenario files with one name');
      return bundleSync({ bundler, entries, outDir, format, plugin: transform ? options : false });
    },
  };
}

// Same as backends.ts's stem(); not imported from there because backends.ts imports this file.
function stemOf(file: string): string {
  return file.replace(/^.*[\\/]/, '').replace(/\.tsx?$/, '');
}

export const BUNDLERS: BundlerName[] = ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack'];

export const BUNDLER_BACKENDS: Backend[] = BUNDLERS.map(bundlerBackend);
