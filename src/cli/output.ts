/** What the commands print: progress, counts, errors. */
import type { FileError } from './files.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress as one rewritten counter line (a terminal) or as plain lines (CI, pipes). */
  interactive: boolean;
  version: string;
}

export const NAME = 'otel-context-transformer';
/** Non-interactive progress: one line every this many files. */
export const PROGRESS_EVERY = 500;

export class Progress {
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
export const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Errors sorted by file name (stable: a file's problems stay in order). */
export function sortErrors(errors: FileError[]): FileError[] {
  return [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

export function formatError(e: FileError): string {
  return e.line !== undefined ? `${e.file}:${e.line}:${e.column}: error: ${e.message}` : `${e.file}: error: ${e.message}`;
}

export function ioMessage(error: unknown): string {
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
