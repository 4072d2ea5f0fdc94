/** Finding the files to process, and reading each with its source map. */
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import { dataUrlJson, findSourceMapComment } from '../text/source-map-comment.js';
import { UsageError, type Settings } from './args.js';
import { ioMessage } from './output.js';

/** A file to process: the path as shown to the user and the real one it is read from and written to. */
export interface FileEntry {
  shown: string;
  real: string;
  /** Permission bits, kept by the rewritten file. */
  mode: number;
}

export interface FileError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * Directories are walked (sorted, symbolic links to directories not followed);
 * files named on the command line are taken whatever their extension. A
 * symbolic link to a file is read and written through (the link stays).
 */
export function collectFiles(settings: Settings, errors: FileError[]): { files: FileEntry[]; excluded: number } {
  const files: FileEntry[] = [];
  const seen = new Set<string>();
  let excluded = 0;
  // Checked before anything is read: an excluded file is never an error.
  const isExcluded = (file: string) => !settings.resolved.matches(path.resolve(file)) && ++excluded > 0;
  const add = (shown: string, stats: Stats, throughLink: boolean) => {
    if (!stats.isFile()) {
      errors.push({ file: shown, message: 'not a regular file' });
      return;
    }
    let real: string;
    try {
      real = throughLink ? realpathSync.native(shown) : path.resolve(shown);
    } catch (error) {
      errors.push({ file: shown, message: `cannot read: ${ioMessage(error)}` });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ shown, real, mode: stats.mode & 0o7777 });
  };
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      errors.push({ file: dir, message: `cannot read directory: ${ioMessage(error)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      if (!settings.extensions.some((ext) => entry.name.endsWith(ext)) || isExcluded(full)) continue;
      if (entry.isSymbolicLink()) {
        let target: Stats;
        try {
          target = statSync(full);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const message =
            code === 'ENOENT' ? `cannot read: broken symbolic link (to ${readLink(full)})` : `cannot read: ${ioMessage(error)}`;
          errors.push({ file: full, message });
          continue;
        }
        if (target.isDirectory()) continue;
        add(full, target, true);
      } else {
        add(full, lstatSync(full), false);
      }
    }
  };
  for (const given of settings.paths) {
    let stats: Stats;
    try {
      stats = statSync(given);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !isSymlink(given)) throw new UsageError(`${given}: no such file or directory`);
      if (isExcluded(given)) continue;
      if (code === 'ENOENT') errors.push({ file: given, message: `cannot read: broken symbolic link (to ${readLink(given)})` });
      else errors.push({ file: given, message: `cannot read: ${ioMessage(error)}` });
      continue;
    }
    if (stats.isDirectory()) walk(given);
    else if (!isExcluded(given)) add(given, stats, isSymlink(given));
  }
  return { files, excluded };
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function readLink(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '?';
  }
}

/** What the user sees: relative to the working directory when inside it. */
export function display(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

// ---------------------------------------------------------------------------
// Reading a file and its source map

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readText(file: FileEntry): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file.real);
  } catch (error) {
    throw new FileProblem(`cannot read: ${ioMessage(error)}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FileProblem('cannot read: not UTF-8 text');
  }
}

export class FileProblem extends Error {}

export type InputMap =
  | { kind: 'none' }
  | { kind: 'file'; path: string; map: Record<string, unknown> }
  | { kind: 'inline'; url: string; map: Record<string, unknown> };

export function findInputMap(code: string, file: FileEntry, warn: (message: string) => void): InputMap {
  const url = findSourceMapComment(code)?.url;
  if (url?.startsWith('data:')) {
    let json: string;
    try {
      json = dataUrlJson(url);
    } catch (error) {
      throw new FileProblem((error as Error).message);
    }
    return { kind: 'inline', url, map: parseMap(json, 'inline source map') };
  }
  let mapPath: string;
  if (url === undefined) {
    // A "hidden" map (emitted without the comment, e.g. for error trackers) sits next to the file.
    mapPath = `${file.real}.map`;
    if (!exists(mapPath)) return { kind: 'none' };
  } else {
    if (/^[a-z][a-z\d+.-]*:/i.test(url) && !url.startsWith('file:')) {
      warn(`source map ${url} is not a local file; it is not updated`);
      return { kind: 'none' };
    }
    const local = url.startsWith('file:') ? new URL(url).pathname : decodeURIComponent(url);
    mapPath = path.resolve(path.dirname(file.real), local);
    if (!exists(mapPath)) {
      warn(`source map ${url} not found; the file is rewritten without one`);
      return { kind: 'none' };
    }
  }
  let text: string;
  try {
    text = readFileSync(mapPath, 'utf8');
  } catch (error) {
    throw new FileProblem(`cannot read source map ${display(mapPath)}: ${ioMessage(error)}`);
  }
  return { kind: 'file', path: mapPath, map: parseMap(text, `source map ${display(mapPath)}`) };
}

function parseMap(json: string, what: string): Record<string, unknown> {
  let map: unknown;
  try {
    map = JSON.parse(json);
  } catch (error) {
    throw new FileProblem(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  const fields = map as { version?: unknown; mappings?: unknown } | null;
  if (!fields || typeof fields !== 'object' || fields.version !== 3 || typeof fields.mappings !== 'string') {
    throw new FileProblem(`${what} is not a version 3 source map`);
  }
  return map as Record<string, unknown>;
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Nearest package.json "type" per directory (undefined: none, or no "type": "module"). */
const moduleTypeCache = new Map<string, boolean>();

/**
 * How `helpers: "auto"` reaches the runtime in a file, where Node's own rule
 * settles it: `.mjs` and files under a package.json with `"type": "module"` are
 * ES modules (a `require` there would throw), `.cjs` is CommonJS. Otherwise
 * undefined: the transform decides from the file's text.
 */
export function helpersByModuleType(file: string): 'import' | 'require' | undefined {
  if (file.endsWith('.mjs')) return 'import';
  if (file.endsWith('.cjs')) return 'require';
  return underModuleType(path.dirname(file)) ? 'import' : undefined;
}

function underModuleType(dir: string): boolean {
  const cached = moduleTypeCache.get(dir);
  if (cached !== undefined) return cached;
  let result = false;
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
    result = manifest.type === 'module';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const parent = path.dirname(dir);
    // No package.json here: the parent's decides (Node stops at the first package.json, readable or not).
    if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== dir) result = underModuleType(parent);
  }
  moduleTypeCache.set(dir, result);
  return result;
}
