/** `report`: lists every boundary and whether it is rewritten; --check fails when one is not. */
import { transform, type ApiOptions, type Boundary, type Diagnostic } from '../api.js';
import type { Settings } from './args.js';
import { collectFiles, display, FileProblem, readText, type FileError } from './files.js';
import { breathe, formatError, NAME, plural, Progress, seconds, sortErrors, type CliIO } from './output.js';

interface ReportedBoundary extends Boundary {
  file: string;
}

export async function report(settings: Settings, out: CliIO): Promise<number> {
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
  const byMarkers = boundaries.filter((b) => b.processedOutput).length;
  if (settings.json) {
    const listed = settings.check ? missing : boundaries;
    out.stdout(
      JSON.stringify({
        files: files.length,
        excluded,
        boundaries: listed.map(({ file, line, column, kind, rewritten, processedOutput }) =>
          processedOutput ? { file, line, column, kind, rewritten, processedOutput } : { file, line, column, kind, rewritten },
        ),
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
        `${boundaries.length - missing.length} rewritten` +
        (byMarkers > 0 ? ` (${byMarkers} in output recognised as processed by its markers)` : '') +
        `, ${missing.length} not rewritten` +
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
