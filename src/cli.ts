/**
 * The command line (`otel-context-transformer`, see bin/otel-context-transformer.mjs):
 *
 *   apply <dir|file...>    rewrites emitted JavaScript in place, after any compiler
 *                          (tsc, tsgo, swc, ...), chaining the existing source maps
 *   report <dir|file...>   lists every boundary and whether it is rewritten;
 *                          --check fails when one is not (for CI)
 *
 * It runs the same `transform()` as the bundler plugins (src/api.ts). `apply`
 * transforms the whole file set into temporary files first and renames them
 * over the originals only when every file succeeded: on any error nothing is
 * written. `main()` never calls process.exit: it returns the exit status.
 */
import {
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { transform, type ApiOptions, type Boundary, type Diagnostic, type HelpersReference } from './api.js';
import { CATEGORIES } from './catalog.js';
import { INIT_USAGE, runInit } from './init/index.js';
import { OptionsError, resolveOptions, type ResolvedOptions, type TransformOptions } from './options.js';

export const USAGE = `Usage: otel-context-transformer <command> [options] <dir|file...>

Rewrites the async boundaries of JavaScript a compiler already emitted (tsc,
tsgo, swc, esbuild, ...) so that OpenTelemetry context follows them.

Commands:
  apply <dir|file...>     rewrite the files in place; existing source maps are
                          chained so they still point to the original sources
  report <dir|file...>    list every async boundary: file:line:col  kind  state
  init [root]             find a workspace's packages and builds and print the
                          config changes that set them up; --write applies them

Options:
  --ext <list>            extensions looked for in directories, comma-separated
                          (default: .js,.mjs,.cjs); files named directly are
                          always processed
  --include <glob>        only files matching (repeatable; globs are relative
                          to the working directory)
  --exclude <glob>        leave matching files alone (repeatable;
                          default: **/node_modules/**)
  --skip <list>           boundary categories not to rewrite, comma-separated:
                          ${CATEGORIES.join(', ')}
  --runtime-module <id>   module rewritten code takes its helpers from
                          (default: otel-context-transformer/runtime)
  --helpers <mode>        auto (import in ES modules, require in CommonJS),
                          import, require or global (default: auto)
  --config <file.json>    the options above as JSON: include, exclude, skip,
                          runtimeModule, typeCheck, helpers, ext; flags win
  --check                 report: list only boundaries that are not rewritten
                          and exit 1 if there is one
  --json                  machine-readable result on stdout
  --quiet                 no progress and no summary (errors still print)
  -h, --help              show this text
  -v, --version           show the version

apply transforms every file before it writes any: if one cannot be read or
parsed, nothing is written. Each file is replaced through a temporary file and
a rename. Files already processed are left as they are, so a second apply
changes nothing. report takes the same options as apply (give it the same
--config) and reads nothing but the files.

Exit status: 0 done; 1 a file could not be read or parsed (apply wrote
nothing), or --check found a boundary that is not rewritten; 2 bad usage or
options; 130 apply was interrupted (nothing written).
`;

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress as one rewritten counter line (a terminal) or as plain lines (CI, pipes). */
  interactive: boolean;
  version: string;
}

const NAME = 'otel-context-transformer';
const DEFAULT_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const HELPER_MODES = ['auto', 'import', 'require', 'global'] as const;
/** Non-interactive progress: one line every this many files. */
export const PROGRESS_EVERY = 500;

class UsageError extends Error {}

interface Settings {
  command: 'apply' | 'report';
  paths: string[];
  extensions: string[];
  transformOptions: TransformOptions;
  resolved: ResolvedOptions;
  helpers: HelpersReference | 'auto';
  check: boolean;
  json: boolean;
  quiet: boolean;
}

/** A file to process: the path as shown to the user and the real one it is read from and written to. */
interface FileEntry {
  shown: string;
  real: string;
  /** Permission bits, kept by the rewritten file. */
  mode: number;
}

interface FileError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const out: CliIO = {
    stdout: io.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => process.stderr.write(text)),
    interactive: io.interactive ?? (!!process.stderr.isTTY && !process.env.CI),
    version: io.version ?? 'unknown',
  };
  if (argv[0] === 'init') return initCommand(argv.slice(1), out);
  try {
    const settings = parseCommandLine(argv);
    if (settings === 'help') {
      out.stdout(USAGE);
      return 0;
    }
    if (settings === 'version') {
      out.stdout(`${out.version}\n`);
      return 0;
    }
    return await (settings.command === 'apply' ? apply(settings, out) : report(settings, out));
  } catch (error) {
    if (error instanceof UsageError || error instanceof OptionsError) {
      out.stderr(`${NAME}: ${error.message}\nRun '${NAME} --help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}

function initCommand(argv: string[], out: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { write: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    out.stderr(`${NAME}: ${(error as Error).message.replace(/\. To specify a positional argument[^]*$/, '')}\n${INIT_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out.stdout(INIT_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    out.stderr(`${NAME}: init takes one root directory\n${INIT_USAGE}`);
    return 2;
  }
  return runInit({ root: parsed.positionals[0], write: !!parsed.values.write, json: !!parsed.values.json }, out);
}

// ---------------------------------------------------------------------------
// Arguments and options

function parseCommandLine(argv: string[]): Settings | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ext: { type: 'string', multiple: true },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        'runtime-module': { type: 'string' },
        helpers: { type: 'string' },
        config: { type: 'string' },
        check: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    // parseArgs names the flag: "Unknown option '--foo'", "Option '--ext <value>' argument missing".
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument[^]*$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('missing command (apply or report)');
  if (command !== 'apply' && command !== 'report') throw new UsageError(`unknown command "${command}"; commands: apply, report`);
  if (paths.length === 0) throw new UsageError(`${command} needs at least one directory or file`);
  if (values.check && command !== 'report') throw new UsageError('--check belongs to report');

  // The config file first, then each flag on top of it. Each source is validated
  // on its own so that an error names where the bad value came from.
  const config = values.config !== undefined ? readConfig(values.config) : {};
  const fromFlags: Record<string, unknown> = {};
  if (values.include) fromFlags.include = values.include;
  if (values.exclude) fromFlags.exclude = values.exclude;
  if (values.skip) fromFlags.skip = splitList(values.skip);
  if (values['runtime-module'] !== undefined) fromFlags.runtimeModule = values['runtime-module'];
  const flagNames: Record<string, string> = { include: '--include', exclude: '--exclude', skip: '--skip', runtimeModule: '--runtime-module' };
  for (const [key, value] of Object.entries(fromFlags)) {
    try {
      resolveOptions({ [key]: value });
    } catch (error) {
      if (error instanceof OptionsError) throw new OptionsError(`${flagNames[key]}: ${error.message}`);
      throw error;
    }
  }
  const { helpers: configHelpers, ext: configExt, ...configOptions } = config;
  const transformOptions = { ...configOptions, ...fromFlags } as TransformOptions;
  const helpers = values.helpers ?? configHelpers ?? 'auto';
  if (!(HELPER_MODES as readonly unknown[]).includes(helpers)) {
    const where = values.helpers !== undefined ? '--helpers' : values.config;
    throw new OptionsError(`${where}: option "helpers" has unknown value ${JSON.stringify(helpers)}; allowed values: ${HELPER_MODES.join(', ')}`);
  }
  let extensions = DEFAULT_EXTENSIONS;
  if (values.ext) extensions = normalizeExtensions(values.ext.join(','), '--ext');
  else if (configExt !== undefined) extensions = normalizeExtensions(configExt, `${values.config}: option "ext"`);
  return {
    command,
    paths,
    extensions,
    transformOptions,
    resolved: resolveOptions(transformOptions),
    helpers: helpers as HelpersReference | 'auto',
    check: !!values.check,
    json: !!values.json,
    quiet: !!values.quiet,
  };
}

function splitList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function normalizeExtensions(raw: unknown, where: string): string[] {
  const list = typeof raw === 'string' ? splitList([raw]) : raw;
  if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== 'string' || !/^\.?[\w.-]+$/.test(e))) {
    throw new OptionsError(`${where} must list file extensions such as .js,.mjs (got ${JSON.stringify(raw)})`);
  }
  return list.map((e: string) => (e.startsWith('.') ? e : `.${e}`));
}

function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${file}: cannot read: ${ioMessage(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new OptionsError(`${file}: options must be a JSON object`);
  try {
    resolveOptions(raw, ['helpers', 'ext']);
  } catch (error) {
    if (error instanceof OptionsError) throw new OptionsError(`${file}: ${error.message}`);
    throw error;
  }
  return raw as Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Finding the files

/**
 * Directories are walked (sorted, symbolic links to directories not followed);
 * files named on the command line are taken whatever their extension. A
 * symbolic link to a file is read and written through (the link stays).
 */
function collectFiles(settings: Settings, errors: FileError[]): { files: FileEntry[]; excluded: number } {
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
          errors.push({ file: full, message: code === 'ENOENT' ? `cannot read: broken symbolic link (to ${readLink(full)})` : `cannot read: ${ioMessage(error)}` });
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

function ioMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a path component is not a directory',
    ELOOP: 'too many levels of symbolic links',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
  };
  return e?.code ? `${reasons[e.code] ?? e.message} (${e.code})` : String(e?.message ?? error);
}

/** What the user sees: relative to the working directory when inside it. */
function display(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

// ---------------------------------------------------------------------------
// Reading a file and its source map

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function readText(file: FileEntry): string {
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

class FileProblem extends Error {}

/** The last `//# sourceMappingURL=` comment on a line of its own. */
const MAP_COMMENT = /^[ \t]*\/\/[#@][ \t]+sourceMappingURL=([^\s'"`]+)[ \t]*$/gm;

type InputMap =
  | { kind: 'none' }
  | { kind: 'file'; path: string; map: Record<string, unknown> }
  | { kind: 'inline'; url: string; map: Record<string, unknown> };

function findInputMap(code: string, file: FileEntry, warn: (message: string) => void): InputMap {
  let url: string | undefined;
  for (const match of code.matchAll(MAP_COMMENT)) url = match[1];
  if (url?.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = url.slice(5, comma);
    const body = url.slice(comma + 1);
    if (comma === -1 || !header.startsWith('application/json')) throw new FileProblem('inline source map is not a JSON data URL');
    const json = header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
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
  if (!map || typeof map !== 'object' || (map as { version?: unknown }).version !== 3 || typeof (map as { mappings?: unknown }).mappings !== 'string') {
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

// ---------------------------------------------------------------------------
// Progress

class Progress {
  private count = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: CliIO,
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  tick(file: string): void {
    this.count++;
    if (!this.enabled) return;
    if (this.out.interactive) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && this.count !== this.total) return;
      this.lastDraw = now;
      this.drawn = true;
      const line = `${this.label}: ${this.count}/${this.total} ${file}`;
      this.out.stderr(`\r\x1b[K${line.length > 120 ? line.slice(0, 117) + '...' : line}`);
    } else if (this.count % PROGRESS_EVERY === 0) {
      this.out.stderr(`${this.label}: ${this.count}/${this.total} files\n`);
    }
  }

  /** Clears the counter line before other output. */
  clear(): void {
    if (this.drawn) this.out.stderr('\r\x1b[K');
    this.drawn = false;
  }
}

/** Lets signal handlers run during long synchronous work. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Errors sorted by file name (stable: a file's problems stay in order). */
function sortErrors(errors: FileError[]): FileError[] {
  return [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function formatError(e: FileError): string {
  return e.line !== undefined ? `${e.file}:${e.line}:${e.column}: error: ${e.message}` : `${e.file}: error: ${e.message}`;
}

// ---------------------------------------------------------------------------
// apply

interface Pending {
  file: FileEntry;
  /** Temporary files and their destinations, the map first: the JavaScript file is renamed last. */
  writes: Array<{ temp: string; target: string }>;
}

async function apply(settings: Settings, out: CliIO): Promise<number> {
  const started = performance.now();
  const errors: FileError[] = [];
  const warnings: string[] = [];
  const { files, excluded } = collectFiles(settings, errors);
  const progress = new Progress(out, 'apply', files.length, !settings.quiet && !settings.json);
  const pending: Pending[] = [];
  const unchanged: string[] = [];
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => (interrupted = signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let tempCounter = 0;
  const options: ApiOptions = { ...settings.transformOptions, helpers: settings.helpers, filename: '' };
  try {
    for (let i = 0; i < files.length && !interrupted; i++) {
      const file = files[i]!;
      const shown = display(file.shown);
      if (i % 32 === 31) await breathe();
      progress.tick(shown);
      try {
        const code = readText(file);
        const inputMap = findInputMap(code, file, (message) => warnings.push(`${shown}: warning: ${message}`));
        const problems: Diagnostic[] = [];
        options.filename = file.real;
        options.inputSourceMap = inputMap.kind === 'none' ? null : (inputMap.map as never);
        options.onDiagnostic = (d) => problems.push(d);
        const result = transform(code, options);
        if (problems.length > 0) {
          for (const d of problems) errors.push({ file: shown, line: d.line, column: d.column, message: d.message });
          continue;
        }
        if (!result) {
          unchanged.push(shown);
          continue;
        }
        const map = result.map;
        if (inputMap.kind !== 'none' && typeof inputMap.map.file === 'string') map.file = inputMap.map.file;
        // Chained onto a map without sources content, the result lists nulls: leave the key out as the input did.
        if (map.sourcesContent?.every((content) => content == null)) (map as { sourcesContent?: unknown }).sourcesContent = undefined;
        let text = result.code;
        const writes: Pending['writes'] = [];
        const temp = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${tempCounter++}.otel-tmp`);
        if (inputMap.kind === 'file') {
          writes.push({ temp: temp(inputMap.path), target: inputMap.path });
        } else if (inputMap.kind === 'inline') {
          const at = text.lastIndexOf(inputMap.url);
          const url = `data:application/json;charset=utf-8;base64,${Buffer.from(map.toString()).toString('base64')}`;
          text = text.slice(0, at) + url + text.slice(at + inputMap.url.length);
        }
        writes.push({ temp: temp(file.real), target: file.real });
        const entry: Pending = { file, writes: [] };
        pending.push(entry);
        for (const write of writes) {
          const data = write.target === file.real ? text : map.toString();
          const mode = write.target === file.real ? file.mode : statSync(write.target).mode & 0o7777;
          try {
            writeFileSync(write.temp, data, { flag: 'wx', mode });
          } catch (error) {
            throw new FileProblem(`cannot write ${display(write.temp)}: ${ioMessage(error)}`);
          }
          entry.writes.push(write);
        }
      } catch (error) {
        if (!(error instanceof FileProblem)) throw error;
        errors.push({ file: shown, message: error.message });
      }
    }
    progress.clear();
    for (const warning of warnings) out.stderr(`${warning}\n`);
    for (const e of sortErrors(errors)) out.stderr(`${formatError(e)}\n`);

    if (interrupted || errors.length > 0) {
      discard(pending);
      const why = interrupted ? `interrupted (${interrupted})` : plural(errors.length, 'error');
      if (settings.json) {
        out.stdout(JSON.stringify({ written: false, interrupted: interrupted ?? null, errors: sortErrors(errors), rewritten: [], unchanged: unchanged.length, excluded, files: files.length }) + '\n');
      }
      if (!settings.quiet) out.stderr(`${NAME} apply: ${why}; nothing written (${plural(pending.length, 'file')} would have been rewritten)\n`);
      return interrupted ? 130 : 1;
    }

    // Commit: renames only. A failure here leaves every file either as it was or fully rewritten.
    const failed: FileError[] = [];
    const rewritten: string[] = [];
    for (const { file, writes } of pending) {
      try {
        for (const { temp, target } of writes) renameSync(temp, target);
        rewritten.push(display(file.shown));
      } catch (error) {
        failed.push({ file: display(file.shown), message: `cannot replace the file: ${ioMessage(error)}` });
      }
    }
    discard(pending);
    for (const e of failed) out.stderr(`${formatError(e)}\n`);
    if (settings.json) {
      out.stdout(JSON.stringify({ written: true, errors: failed, rewritten, unchanged: unchanged.length, excluded, files: files.length }) + '\n');
    }
    if (!settings.quiet && !settings.json) {
      out.stderr(
        `${NAME} apply: ${plural(rewritten.length, 'file')} rewritten, ${unchanged.length} unchanged, ${excluded} excluded, ${plural(failed.length, 'error')} (${seconds(started)})\n`,
      );
    }
    return failed.length > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    discard(pending);
  }
}

/** Removes temporary files that were not renamed. */
function discard(pending: Pending[]): void {
  for (const { writes } of pending) {
    for (const { temp } of writes) rmSync(temp, { force: true });
  }
}

// ---------------------------------------------------------------------------
// report

interface ReportedBoundary extends Boundary {
  file: string;
}

async function report(settings: Settings, out: CliIO): Promise<number> {
  const started = performance.now();
  const errors: FileError[] = [];
  const { files, excluded } = collectFiles(settings, errors);
  const progress = new Progress(out, 'report', files.length, !settings.quiet && !settings.json);
  const boundaries: ReportedBoundary[] = [];
  const options: ApiOptions = { ...settings.transformOptions, helpers: settings.helpers, filename: '' };
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const shown = display(file.shown);
    if (i % 32 === 31) await breathe();
    progress.tick(shown);
    let code: string;
    try {
      code = readText(file);
    } catch (error) {
      if (!(error instanceof FileProblem)) throw error;
      errors.push({ file: shown, message: error.message });
      continue;
    }
    const found: ReportedBoundary[] = [];
    const problems: Diagnostic[] = [];
    options.filename = file.real;
    options.onDiagnostic = (d) => problems.push(d);
    options.onBoundary = (b) => found.push({ file: shown, ...b });
    transform(code, options);
    for (const d of problems) errors.push({ file: shown, line: d.line, column: d.column, message: d.message });
    found.sort((a, b) => a.line - b.line || a.column - b.column);
    boundaries.push(...found);
  }
  progress.clear();
  for (const e of sortErrors(errors)) out.stderr(`${formatError(e)}\n`);
  const missing = boundaries.filter((b) => !b.rewritten);
  const missingFiles = new Set(missing.map((b) => b.file)).size;
  if (settings.json) {
    const listed = settings.check ? missing : boundaries;
    out.stdout(
      JSON.stringify({
        files: files.length,
        excluded,
        boundaries: listed.map(({ file, line, column, kind, rewritten }) => ({ file, line, column, kind, rewritten })),
        rewritten: boundaries.length - missing.length,
        notRewritten: missing.length,
        errors: sortErrors(errors),
      }) + '\n',
    );
  } else {
    const lines = (settings.check ? missing : boundaries).map((b) => `${b.file}:${b.line}:${b.column}  ${b.kind}  ${b.rewritten ? 'rewritten' : 'not rewritten'}\n`);
    out.stdout(lines.join(''));
  }
  if (!settings.quiet && !settings.json) {
    out.stderr(
      `${NAME} report: ${plural(files.length, 'file')}, ${plural(boundaries.length, 'boundary').replace(/boundarys$/, 'boundaries')}: ` +
        `${boundaries.length - missing.length} rewritten, ${missing.length} not rewritten` +
        (missing.length > 0 ? ` (in ${plural(missingFiles, 'file')})` : '') +
        `${errors.length > 0 ? `, ${plural(errors.length, 'error')}` : ''} (${seconds(started)})\n`,
    );
    if (settings.check && missing.length > 0) {
      out.stderr(`${NAME} report --check: failed: this output was not processed; run '${NAME} apply' on it\n`);
    }
  }
  if (errors.length > 0) return 1;
  return settings.check && missing.length > 0 ? 1 : 0;
}
