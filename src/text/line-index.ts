/**
 * Offsets ↔ lines and columns, for everything that shows a position: diagnostics,
 * `onBoundary`, the CLI's report. Lines end at every ECMAScript line terminator
 * (\n, \r\n as one, a lone \r, U+2028, U+2029), as editors and parsers count them;
 * source maps count \n only, hence the option.
 */

/** Offsets where lines start; `lf` splits at \n only (source map lines, magic-string). */
export function lineStarts(text: string, terminators: 'ecmascript' | 'lf' = 'ecmascript'): number[] {
  const starts = [0];
  if (terminators === 'lf') {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export class LineIndex {
  /** Built on first use: most files never need a position. */
  private starts: number[] | undefined;

  constructor(
    private readonly text: string,
    private readonly terminators: 'ecmascript' | 'lf' = 'ecmascript',
  ) {}

  get lineStarts(): readonly number[] {
    return (this.starts ??= lineStarts(this.text, this.terminators));
  }

  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** 1-based line and column (UTF-16 code units), as diagnostics and reports print them. */
  position(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(at);
    return { line: line + 1, column: at - this.lineStarts[line]! + 1 };
  }

  /** The offset of a 1-based line and column (clamped to the text). */
  offsetOf(line: number, column: number): number {
    const starts = this.lineStarts;
    const start = starts[Math.max(0, Math.min(line - 1, starts.length - 1))]!;
    return Math.min(start + column - 1, this.text.length);
  }
}
