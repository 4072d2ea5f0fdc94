/**
 * The packages of a workspace (npm and Yarn `workspaces` in package.json, as an
 * array or `{ packages: [...] }`; pnpm's pnpm-workspace.yaml) or the single
 * package at a root, reading only files. Shared by `init` and `report`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import picomatch from 'picomatch';

export type WorkspaceKind = 'npm' | 'yarn' | 'pnpm' | 'single';

export interface PackageInfo {
  /** Absolute directory. */
  dir: string;
  /** Directory relative to the root, `.` for the root itself, with forward slashes. */
  rel: string;
  manifest: Manifest;
}

export interface Manifest {
  name?: string;
  version?: string;
  workspaces?: string[] | { packages?: string[] };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface Workspace {
  root: string;
  kind: WorkspaceKind;
  rootPackage: PackageInfo;
  /** The workspace's packages (the root itself for a single package), sorted by directory. */
  packages: PackageInfo[];
}

/** Directories never searched for packages or sources. */
export const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'build', 'out', 'coverage', 'lib-cov']);

export class WorkspaceError extends Error {}

/** Reads a JSON-with-comments file, or throws a WorkspaceError naming the file, line and problem. */
export function readJsonc<T>(file: string): T {
  const text = readFileSync(file, 'utf8');
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false }) as T;
  if (errors.length > 0) {
    const offset = errors[0]!.offset;
    const line = text.slice(0, offset).split(/\r\n|\r|\n/).length;
    throw new WorkspaceError(`${file}:${line}: not valid JSON (${describeJsonError(errors[0]!.error)})`);
  }
  return value;
}

function describeJsonError(code: number): string {
  const names: Record<number, string> = {
    1: 'invalid symbol',
    2: 'invalid number',
    3: 'property name expected',
    4: 'value expected',
    5: 'colon expected',
    6: 'comma expected',
    7: 'closing brace expected',
    8: 'closing bracket expected',
    9: 'end of file expected',
  };
  return names[code] ?? `parse error ${code}`;
}

/** The workspace at `root`; undefined when it has neither a package.json nor a pnpm-workspace.yaml. */
export function findWorkspace(root: string): Workspace | undefined {
  const manifestFile = path.join(root, 'package.json');
  const pnpmFile = path.join(root, 'pnpm-workspace.yaml');
  if (!existsSync(manifestFile) && !existsSync(pnpmFile)) return undefined;
  const manifest = existsSync(manifestFile) ? readJsonc<Manifest>(manifestFile) : {};
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
    throw new WorkspaceError(`${manifestFile}: not a JSON object`);
  const rootPackage: PackageInfo = { dir: root, rel: '.', manifest };
  let patterns: string[] | undefined;
  let kind: WorkspaceKind = 'single';
  if (existsSync(pnpmFile)) {
    patterns = pnpmPackagePatterns(readFileSync(pnpmFile, 'utf8'));
    kind = 'pnpm';
  } else if (rootPackage.manifest.workspaces !== undefined) {
    const w = rootPackage.manifest.workspaces;
    patterns = Array.isArray(w) ? w : (w?.packages ?? []);
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string')) {
      throw new WorkspaceError(`${manifestFile}: "workspaces" must list directory globs`);
    }
    kind = existsSync(path.join(root, 'yarn.lock')) || existsSync(path.join(root, '.yarnrc.yml')) ? 'yarn' : 'npm';
  }
  if (patterns === undefined) return { root, kind, rootPackage, packages: [rootPackage] };
  return { root, kind, rootPackage, packages: matchPackages(root, patterns) };
}

/** The `packages:` list of a pnpm-workspace.yaml (block or flow style); other keys are ignored. */
export function pnpmPackagePatterns(yaml: string): string[] {
  const lines = yaml.split(/\r\n|\r|\n/);
  const start = lines.findIndex((l) => /^packages\s*:/.test(l));
  if (start < 0) return [];
  const unquote = (s: string) => s.trim().replace(/^(['"])(.*)\1$/, '$2');
  const inline = lines[start]!.replace(/^packages\s*:\s*/, '').replace(/\s+#.*$/, '');
  if (inline.startsWith('['))
    return inline
      .replace(/^\[|\]$/g, '')
      .split(',')
      .map(unquote)
      .filter(Boolean);
  const patterns: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level key
    const item = /^\s*-\s*(.+?)\s*(?:#.*)?$/.exec(line);
    if (item) patterns.push(unquote(item[1]!));
  }
  return patterns;
}

/** Directories under root that hold a package.json and match the workspace patterns (`!` excludes). */
function matchPackages(root: string, patterns: string[]): PackageInfo[] {
  const include = patterns.filter((p) => !p.startsWith('!')).map(normalizePattern);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => normalizePattern(p.slice(1)));
  if (include.length === 0) return [];
  const isIncluded = picomatch(include);
  const isExcluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  const found: PackageInfo[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > 8) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const childDir = path.join(dir, entry.name);
      if (isIncluded(childRel) && !isExcluded(childRel) && existsSync(path.join(childDir, 'package.json'))) {
        found.push({ dir: childDir, rel: childRel, manifest: readJsonc<Manifest>(path.join(childDir, 'package.json')) });
      }
      walk(childDir, childRel, depth + 1);
    }
  };
  walk(root, '', 0);
  return found.sort((a, b) => a.rel.localeCompare(b.rel));
}

function normalizePattern(pattern: string): string {
  return pattern.replace(/^\.\//, '').replace(/\/+$/, '');
}
