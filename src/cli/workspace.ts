/**
 * A workspace's packages and where each one's build output is, for
 * `report` at a root: npm and Yarn `workspaces` in package.json (an array, or
 * `{ packages: [...] }`), pnpm's pnpm-workspace.yaml `packages:` list; a
 * directory that is neither is one package.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';

export interface WorkspacePackage {
  /** package.json `name`, or the directory when it has none. */
  name: string;
  dir: string;
  /** Directories (or single files) holding its build output; empty when none was found. */
  outputs: string[];
}

export interface Workspace {
  kind: 'npm' | 'pnpm' | 'single';
  packages: WorkspacePackage[];
}

/** Where builds usually write, when package.json does not say. */
const OUTPUT_DIRS = ['dist', 'build', 'lib', 'out'];
/** Directories never searched for packages. */
const SKIP_DIRS = new Set(['node_modules', '.git']);
const MAX_DEPTH = 8;

export class WorkspaceError extends Error {}

/** The workspace at `root`, or undefined when `root` has no package.json and no pnpm-workspace.yaml. */
export function findWorkspace(root: string): Workspace | undefined {
  const manifest = readManifest(root);
  const pnpm = path.join(root, 'pnpm-workspace.yaml');
  let patterns: string[] | undefined;
  let kind: Workspace['kind'] = 'single';
  if (existsSync(pnpm)) {
    patterns = pnpmPackages(readFileSync(pnpm, 'utf8'));
    kind = 'pnpm';
  } else if (manifest?.workspaces !== undefined) {
    const w = manifest.workspaces as unknown;
    patterns = Array.isArray(w) ? w : (w as { packages?: unknown })?.packages as string[] | undefined;
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string')) {
      throw new WorkspaceError(`${path.join(root, 'package.json')}: "workspaces" must list directory globs`);
    }
    kind = 'npm';
  }
  if (!patterns) return manifest ? { kind, packages: [describePackage(root, manifest)] } : undefined;
  const dirs = matchPackageDirs(root, patterns);
  return { kind, packages: dirs.map((dir) => describePackage(dir, readManifest(dir)!)) };
}

function readManifest(dir: string): Record<string, unknown> | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch (error) {
    throw new WorkspaceError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  throw new WorkspaceError(`${file}: not a JSON object`);
}

/** The `packages:` list of pnpm-workspace.yaml (block or flow style; the rest of the file is not read). */
export function pnpmPackages(yaml: string): string[] {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((l) => /^packages\s*:/.test(l));
  if (start === -1) return [];
  const unquote = (s: string) => s.trim().replace(/^(['"])(.*)\1$/, '$2');
  const flow = /^packages\s*:\s*\[(.*)\]\s*(#.*)?$/.exec(lines[start]!);
  if (flow) return flow[1]!.split(',').map(unquote).filter((s) => s !== '');
  const patterns: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const item = /^\s+-\s*(.+?)\s*(#.*)?$/.exec(line);
    if (!item) break;
    patterns.push(unquote(item[1]!));
  }
  return patterns;
}

/** Directories under root with a package.json that the globs select (`!glob` excludes), sorted. */
function matchPackageDirs(root: string, patterns: string[]): string[] {
  const clean = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const include = patterns.filter((p) => !p.startsWith('!')).map(clean);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => clean(p.slice(1)));
  const included = picomatch(include, { dot: false });
  const excluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIP_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (included(relative) && !excluded(relative) && existsSync(path.join(full, 'package.json'))) found.push(full);
      if (depth < MAX_DEPTH) walk(full, depth + 1);
    }
  };
  walk(root, 1);
  return found.sort();
}

function describePackage(dir: string, manifest: Record<string, unknown>): WorkspacePackage {
  const name = typeof manifest.name === 'string' ? manifest.name : path.basename(dir);
  return { name, dir, outputs: outputsOf(dir, manifest) };
}

/**
 * The directories of the files package.json points at (`main`, `module`,
 * `browser`, `bin`, every `exports` target), or the file itself when it sits at
 * the package root; else the usual output directories that exist.
 */
function outputsOf(dir: string, manifest: Record<string, unknown>): string[] {
  const targets: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === 'string') targets.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.main);
  collect(manifest.module);
  if (typeof manifest.browser === 'string') collect(manifest.browser);
  collect(manifest.bin);
  collect(manifest.exports);
  const outputs = new Set<string>();
  for (const target of targets) {
    if (!/\.[cm]?js$/.test(target) || target.includes('*')) continue;
    const file = path.resolve(dir, target);
    if (!file.startsWith(dir + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const parent = path.dirname(file);
    if (parent === dir) {
      if (isFile(file)) outputs.add(file);
    } else {
      // The top directory under the package (dist/, not dist/esm/): one walk covers every format.
      const top = path.join(dir, path.relative(dir, parent).split(path.sep)[0]!);
      if (isDirectory(top)) outputs.add(top);
    }
  }
  if (outputs.size === 0) {
    for (const name of OUTPUT_DIRS) if (isDirectory(path.join(dir, name))) outputs.add(path.join(dir, name));
  }
  return [...outputs].sort();
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
