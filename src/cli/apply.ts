/**
 * `apply`: transforms the whole file set into temporary files first and renames
 * them over the originals only when every file succeeded: on any error nothing
 * is written.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { transform, type ApiOptions, type Diagnostic } from '../api.js';
import { withInlineSourceMap } from '../text/source-map-comment.js';
import type { Settings } from './args.js';
import {
  collectFiles,
  display,
  FileProblem,
  findInputMap,
  helpersByModuleType,
  readText,
  type FileEntry,
  type FileError,
} from './files.js';
import { breathe, formatError, ioMessage, NAME, plural, Progress, seconds, sortErrors, type CliIO } from './output.js';

interface Pending {
  file: FileEntry;
  /** Temporary files and their destinations, the map first: the JavaScript file is renamed last. */
  writes: Array<{ temp: string; target: string }>;
}

export async function apply(settings: Settings, out: CliIO): Promise<number> {
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
        options.helpers = settings.helpers === 'auto' ? (helpersByModuleType(file.real) ?? 'auto') : settings.helpers;
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
        const temp = (target: string) =>
          path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${tempCounter++}.otel-tmp`);
        if (inputMap.kind === 'file') {
          writes.push({ temp: temp(inputMap.path), target: inputMap.path });
        } else if (inputMap.kind === 'inline') {
          text = withInlineSourceMap(text, map.toString());
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
        const result = {
          written: false,
          interrupted: interrupted ?? null,
          errors: sortErrors(errors),
          rewritten: [],
          unchanged: unchanged.length,
          excluded,
          files: files.length,
        };
        out.stdout(JSON.stringify(result) + '\n');
      }
      if (!settings.quiet) {
        out.stderr(`${NAME} apply: ${why}; nothing written (${plural(pending.length, 'file')} would have been rewritten)\n`);
      }
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
      const result = { written: true, errors: failed, rewritten, unchanged: unchanged.length, excluded, files: files.length };
      out.stdout(JSON.stringify(result) + '\n');
    }
    if (!settings.quiet && !settings.json) {
      out.stderr(
        `${NAME} apply: ${plural(rewritten.length, 'file')} rewritten, ${unchanged.length} unchanged, ${excluded} excluded, ` +
          `${plural(failed.length, 'error')} (${seconds(started)})\n`,
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
