/**
 * `report`: lists every boundary and whether it is rewritten; --check fails when one is not.
 *
 * At a workspace root (no paths, or the root as the one path) it checks each
 * package's build output (see workspace.ts) and prints a table per package.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { transform, type ApiOptions, type Boundary, type Diagnostic } from '../api.js';
import { UsageError, type Settings } from './args.js';
import { collectFiles, display, FileProblem, readText, type FileError } from './files.js';
import { breathe, formatError, NAME, plural, Progress, seconds, sortErrors, type CliIO } from './output.js';
import { findWorkspace, WorkspaceError, type Workspace, type WorkspacePackage } from './workspace.js';

interface ReportedBoundary extends Boundary {
  file: string;
}

interface Scan {
  files: number;
  excluded: number;
  boundaries: ReportedBoundary[];
  errors: FileError[];
}

export async function report(settings: Settings, out: CliIO): Promise<number> {
  const started = performance.now();
  const root = workspaceRoot(settings.paths);
  if (root !== undefined) return reportWorkspace(root, settings, out, started);
  const scan = await scanFiles(settings, out);
  for (const e of sortErrors(scan.errors)) out.stderr(`${formatError(e)}\n`);
  const { boundaries, errors } = scan;
  const missing = boundaries.filter((b) => !b.rewritten);
  if (settings.json) {
    const listed = settings.check ? missing : boundaries;
    out.stdout(
      JSON.stringify({
        files: scan.files,
        excluded: scan.excluded,
        boundaries: listed.map(boundaryJson),
        rewritten: boundaries.length - missing.length,
        notRewritten: missing.length,
        errors: sortErrors(errors),
      }) + '\n',
    );
  } else {
    out.stdout((settings.check ? missing : boundaries).map(boundaryLine).join(''));
  }
  if (!settings.quiet && !settings.json) {
    const missingFiles = new Set(missing.map((b) => b.file)).size;
    out.stderr(
      `${NAME} report: ${plural(scan.files, 'file')}, ${counts(boundaries)}` +
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

/** Reads and walks every file the settings select. */
async function scanFiles(settings: Settings, out: CliIO): Promise<Scan> {
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
  return { files: files.length, excluded, boundaries, errors };
}

function boundaryLine(b: ReportedBoundary): string {
  return `${b.file}:${b.line}:${b.column}  ${b.kind}  ${b.rewritten ? 'rewritten' : 'not rewritten'}\n`;
}

function boundaryJson({ file, line, column, kind, rewritten, processedOutput }: ReportedBoundary) {
  return processedOutput ? { file, line, column, kind, rewritten, processedOutput } : { file, line, column, kind, rewritten };
}

/** "7 boundaries: 5 rewritten (…), 2 not rewritten" */
function counts(boundaries: ReportedBoundary[]): string {
  const missing = boundaries.filter((b) => !b.rewritten).length;
  const byMarkers = boundaries.filter((b) => b.processedOutput).length;
  return (
    `${plural(boundaries.length, 'boundary').replace(/boundarys$/, 'boundaries')}: ${boundaries.length - missing} rewritten` +
    (byMarkers > 0 ? ` (${byMarkers} in output recognised as processed by its markers)` : '') +
    `, ${missing} not rewritten`
  );
}

// ---------------------------------------------------------------------------
// A workspace

/** The workspace root to check: the working directory when no path is given, or the one path when it is a workspace root. */
function workspaceRoot(paths: string[]): string | undefined {
  if (paths.length === 0) return process.cwd();
  if (paths.length !== 1) return undefined;
  const dir = path.resolve(paths[0]!);
  try {
    if (!statSync(dir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown };
    return manifest.workspaces !== undefined ? dir : undefined;
  } catch {
    return undefined;
  }
}

interface PackageResult {
  pkg: WorkspacePackage;
  scan: Scan;
}

async function reportWorkspace(root: string, settings: Settings, out: CliIO, started: number): Promise<number> {
  let workspace: Workspace | undefined;
  try {
    workspace = findWorkspace(root);
  } catch (error) {
    if (error instanceof WorkspaceError) throw new UsageError(error.message);
    throw error;
  }
  if (!workspace) {
    throw new UsageError(`${display(root)}: no package.json or pnpm-workspace.yaml here; name the directories or files to report on`);
  }
  const results: PackageResult[] = [];
  for (const pkg of workspace.packages) {
    const scan =
      pkg.outputs.length === 0
        ? { files: 0, excluded: 0, boundaries: [], errors: [] }
        : await scanFiles({ ...settings, paths: pkg.outputs }, out);
    results.push({ pkg, scan });
  }
  const all = results.flatMap((r) => r.scan.boundaries);
  const errors = results.flatMap((r) => r.scan.errors);
  const missing = all.filter((b) => !b.rewritten);
  const failing = results.filter((r) => r.scan.boundaries.some((b) => !b.rewritten)).map((r) => r.pkg.name);
  for (const e of sortErrors(errors)) out.stderr(`${formatError(e)}\n`);
  if (!settings.json) {
    for (const { pkg } of results) {
      if (pkg.outputs.length > 0) continue;
      out.stderr(`${NAME} report: ${pkg.name} (${display(pkg.dir)}): no build output found (main, exports, dist/, build/, lib/, out/)\n`);
    }
  }
  if (settings.json) {
    out.stdout(
      JSON.stringify({
        workspace: { root: display(root), kind: workspace.kind },
        packages: results.map(({ pkg, scan }) => ({
          name: pkg.name,
          dir: display(pkg.dir),
          outputs: pkg.outputs.map(display),
          files: scan.files,
          boundaries: scan.boundaries.length,
          rewritten: scan.boundaries.filter((b) => b.rewritten).length,
          notRewritten: scan.boundaries.filter((b) => !b.rewritten).length,
          errors: scan.errors.length,
        })),
        boundaries: (settings.check ? missing : all).map(boundaryJson),
        rewritten: all.length - missing.length,
        notRewritten: missing.length,
        errors: sortErrors(errors),
      }) + '\n',
    );
  } else {
    out.stdout(packageTable(results));
    if (settings.check && missing.length > 0) out.stdout(`\n${missing.map(boundaryLine).join('')}`);
  }
  if (!settings.quiet && !settings.json) {
    const files = results.reduce((n, r) => n + r.scan.files, 0);
    out.stderr(
      `${NAME} report: ${plural(results.length, 'package')}, ${plural(files, 'file')}, ${counts(all)}` +
        (failing.length > 0 ? ` (in ${plural(failing.length, 'package')})` : '') +
        `${errors.length > 0 ? `, ${plural(errors.length, 'error')}` : ''} (${seconds(started)})\n`,
    );
    if (settings.check && missing.length > 0) {
      out.stderr(`${NAME} report --check: failed: boundaries not rewritten in ${failing.join(', ')}\n`);
    }
  }
  if (errors.length > 0) return 1;
  return settings.check && missing.length > 0 ? 1 : 0;
}

function packageTable(results: PackageResult[]): string {
  const rows = [['package', 'output', 'files', 'boundaries', 'rewritten', 'not rewritten']];
  for (const { pkg, scan } of results) {
    const rewritten = scan.boundaries.filter((b) => b.rewritten).length;
    rows.push([
      pkg.name,
      pkg.outputs.length > 0 ? pkg.outputs.map(display).join(', ') : '(none found)',
      String(scan.files),
      String(scan.boundaries.length),
      String(rewritten),
      String(scan.boundaries.length - rewritten) + (scan.errors.length > 0 ? ` (${plural(scan.errors.length, 'error')})` : ''),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  // Names and paths left-aligned, counts right-aligned.
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return rows.map((row) => line(row) + '\n').join('');
}
