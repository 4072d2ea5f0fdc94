/**
 * What builds each package: config files by name, `tsc`/`tspc` in its scripts
 * (or a root `tsc -b` over project references), and where OpenTelemetry is
 * set up in its sources. Reads files only; runs nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readJsonc, SKIPPED_DIRECTORIES, type PackageInfo, type Workspace } from '../workspace.js';

export type BundlerTool = 'vite' | 'vitest' | 'rollup' | 'rolldown' | 'webpack' | 'rspack';
export type Tool = BundlerTool | 'tsc' | 'next' | 'babel' | 'esbuild';

export interface Build {
  tool: Tool;
  /** The config file that drives it (absolute), when it has one. */
  config?: string;
  /** tsc: built with `-b` (project references). */
  references?: boolean;
}

export interface PackageBuilds {
  pkg: PackageInfo;
  builds: Build[];
  /** Source files that register a web tracer provider. */
  otelSetup: string[];
  /** Source files that set up OpenTelemetry for Node (left to AsyncLocalStorage). */
  nodeOtelSetup: string[];
}

const CONFIG_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];
const BUNDLERS: readonly BundlerTool[] = ['vite', 'vitest', 'rollup', 'rolldown', 'webpack', 'rspack'];
const BABEL_CONFIGS = [
  ...['js', 'cjs', 'mjs', 'json', 'cts', 'ts'].map((e) => `babel.config.${e}`),
  '.babelrc',
  '.babelrc.json',
  '.babelrc.js',
  '.babelrc.cjs',
];
const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const MAX_SOURCE_FILES = 5000;

function firstExisting(dir: string, names: string[]): string | undefined {
  return names.map((n) => path.join(dir, n)).find((f) => existsSync(f));
}

/** tsconfig paths given to tsc/tspc in a script (`-p x`, `--project x`, `-b a b`), or the default. */
function tscInvocations(scripts: Record<string, string>): { configs: string[]; references: boolean } | undefined {
  let found = false;
  let references = false;
  const configs: string[] = [];
  for (const script of Object.values(scripts)) {
    for (const command of script.split(/&&|\|\||;/)) {
      const words = command.trim().split(/\s+/);
      const at = words.findIndex((w) => /^(?:npx\s+)?(?:tsc|tspc)$/.test(w) || /(?:^|\/)(?:tsc|tspc)$/.test(w));
      if (at < 0) continue;
      const rest = words.slice(at + 1);
      if (rest.includes('--noEmit') || rest.includes('--version') || rest.includes('-v')) continue;
      found = true;
      const build = rest.findIndex((w) => w === '-b' || w === '--build');
      if (build >= 0) {
        references = true;
        configs.push(...rest.slice(build + 1).filter((w) => !w.startsWith('-')));
      }
      const project = rest.findIndex((w) => w === '-p' || w === '--project');
      if (project >= 0 && rest[project + 1]) configs.push(rest[project + 1]!);
    }
  }
  return found ? { configs, references } : undefined;
}

/** Config files a tsc build reads: a directory means its tsconfig.json. */
export function resolveTsconfig(dir: string, given: string): string {
  const file = path.resolve(dir, given);
  return existsSync(file) && !file.endsWith('.json') ? path.join(file, 'tsconfig.json') : file;
}

/** Package directories a root `tsc -b` reaches through the root tsconfig's `references`. */
function referencedDirectories(workspace: Workspace, configs: string[]): Set<string> {
  const dirs = new Set<string>();
  const seen = new Set<string>();
  const follow = (config: string) => {
    if (seen.has(config) || !existsSync(config)) return;
    seen.add(config);
    dirs.add(path.dirname(config));
    const references = readJsonc<{ references?: { path: string }[] }>(config).references ?? [];
    for (const reference of references) follow(resolveTsconfig(path.dirname(config), reference.path));
  };
  for (const config of configs) follow(resolveTsconfig(workspace.root, config));
  return dirs;
}

export function detectBuilds(workspace: Workspace): PackageBuilds[] {
  const rootTsc = tscInvocations(workspace.rootPackage.manifest.scripts ?? {});
  const viaRoot = rootTsc?.references
    ? referencedDirectories(workspace, rootTsc.configs.length > 0 ? rootTsc.configs : ['tsconfig.json'])
    : new Set<string>();
  return workspace.packages.map((pkg) => {
    const builds: Build[] = [];
    const scripts = pkg.manifest.scripts ?? {};
    const tsc = tscInvocations(scripts);
    if (tsc || viaRoot.has(pkg.dir)) {
      const configs =
        tsc && tsc.configs.length > 0 ? tsc.configs.map((c) => resolveTsconfig(pkg.dir, c)) : [path.join(pkg.dir, 'tsconfig.json')];
      for (const config of configs)
        if (existsSync(config)) builds.push({ tool: 'tsc', config, references: !!tsc?.references || viaRoot.has(pkg.dir) });
    }
    for (const tool of BUNDLERS) {
      const config = firstExisting(
        pkg.dir,
        CONFIG_EXTENSIONS.map((e) => `${tool}.config.${e}`),
      );
      if (config) builds.push({ tool, config });
    }
    const next = firstExisting(pkg.dir, ['next.config.js', 'next.config.mjs', 'next.config.ts', 'next.config.cjs']);
    if (next) builds.push({ tool: 'next', config: next });
    const babel = firstExisting(pkg.dir, BABEL_CONFIGS);
    if (babel) builds.push({ tool: 'babel', config: babel });
    if (Object.values(scripts).some((s) => /(?:^|[\s/])esbuild(?:\s|$)/.test(s))) builds.push({ tool: 'esbuild' });
    const { web, node } = findOtelSetup(pkg.dir);
    return { pkg, builds, otelSetup: web, nodeOtelSetup: node };
  });
}

/** Source files that set up an OpenTelemetry tracer provider, split by platform. */
function findOtelSetup(dir: string): { web: string[]; node: string[] } {
  const web: string[] = [];
  const node: string[] = [];
  let count = 0;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (count >= MAX_SOURCE_FILES) return;
      if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) {
        // A nested package is its own entry in the workspace.
        if (!existsSync(path.join(file, 'package.json'))) walk(file);
        continue;
      }
      if (!SOURCE_EXTENSIONS.has(path.extname(entry.name)) || /\.config\.[cm]?[jt]s$/.test(entry.name)) continue;
      count++;
      const text = readFileSync(file, 'utf8');
      if (/@opentelemetry\/sdk-trace-web/.test(text) && /\bWebTracerProvider\b/.test(text)) web.push(file);
      else if (/@opentelemetry\/(?:sdk-trace-node|sdk-node)/.test(text)) node.push(file);
    }
  };
  walk(dir);
  return { web, node };
}

/** The tsconfig files a config extends, nearest first, while they stay inside the workspace. */
export function tsconfigChain(config: string, root: string): string[] {
  const chain = [config];
  for (let at = config; chain.length < 16;) {
    const parent = readJsonc<{ extends?: string | string[] }>(at).extends;
    // A package (`@tsconfig/node20`) is not ours to edit; an array's last entry wins in TypeScript.
    const next = Array.isArray(parent) ? parent[parent.length - 1] : parent;
    if (typeof next !== 'string' || !/^\.{1,2}[\\/]|^\//.test(next)) break;
    let file = path.resolve(path.dirname(at), next);
    if (!file.endsWith('.json')) file += '.json';
    if (!existsSync(file) || path.relative(root, file).startsWith('..') || chain.includes(file)) break;
    chain.push(file);
    at = file;
  }
  return chain;
}

/** The installed or declared major version of a package, looked up from a package directory up to the root. */
export function majorVersionOf(name: string, dirs: string[]): number | undefined {
  for (const dir of dirs) {
    const installed = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(installed)) {
      const version = readJsonc<{ version?: string }>(installed).version;
      const major = version && /^(\d+)/.exec(version);
      if (major) return Number(major[1]);
    }
  }
  for (const dir of dirs) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = readJsonc<Record<string, Record<string, string> | undefined>>(file);
    const range = manifest.devDependencies?.[name] ?? manifest.dependencies?.[name] ?? manifest.peerDependencies?.[name];
    const major = range && /(\d+)/.exec(range);
    if (major) return Number(major[1]);
  }
  return undefined;
}
