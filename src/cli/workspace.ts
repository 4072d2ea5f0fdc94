/**
 * Where each package of a workspace keeps its build output, for `report` at a
 * root (the packages themselves: src/workspace.ts, shared with `init`).
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { findWorkspace as findPackages, type WorkspaceKind } from '../workspace.js';

export { WorkspaceError } from '../workspace.js';

export interface WorkspacePackage {
  /** package.json `name`, or the directory when it has none. */
  name: string;
  dir: string;
  /** Directories (or single files) holding its build output; empty when none was found. */
  outputs: string[];
}

export interface Workspace {
  kind: WorkspaceKind;
  packages: WorkspacePackage[];
}

/** Where builds usually write, when package.json does not say. */
const OUTPUT_DIRS = ['dist', 'build', 'lib', 'out'];

/** The workspace at `root` with each package's build output; undefined when `root` has no package.json and no pnpm-workspace.yaml. */
export function findWorkspace(root: string): Workspace | undefined {
  const workspace = findPackages(root);
  if (!workspace) return undefined;
  return { kind: workspace.kind, packages: workspace.packages.map((p) => describePackage(p.dir, p.manifest as Record<string, unknown>)) };
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
