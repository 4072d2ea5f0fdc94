/**
 * The text backend's edits as data. The backend records what it changes here;
 * magic-string applies the list (code and source map), and the Babel plugin
 * reads the same list to know exactly which output text is original and where
 * it stood, instead of working it out again from our source map.
 */
import MagicString from 'magic-string';

export type TextEdit =
  /** Text at an original offset, after the text inserted there before (magic-string appendLeft); `first`: before it (prependLeft). */
  | { kind: 'insert'; at: number; text: string; first?: boolean }
  /**
   * Original [start, end) stands right after offset `to` and what is inserted there (magic-string move).
   * Text inserted at offsets in (start, end] moves with it; text inserted at `start` stays. One move per `to`.
   */
  | { kind: 'move'; start: number; end: number; to: number }
  /**
   * Original [start, end) replaced by `text` (magic-string overwrite, contentOnly): what is inserted at
   * `start` stays before it and what is inserted at `end` after it. Nothing is inserted inside the range.
   */
  | { kind: 'replace'; start: number; end: number; text: string };

/**
 * The edits behind each result transform() returned, for the Babel plugin; kept out of the result
 * object (public API) and dropped with it.
 */
export const editsBehind = new WeakMap<object, readonly TextEdit[]>();

/** A run of original text in the output: [output offset, original offset, length]. */
export type OriginalRun = [number, number, number];

export function applyEdits(code: string, edits: readonly TextEdit[]): MagicString {
  const magic = new MagicString(code);
  for (const edit of edits) {
    if (edit.kind === 'move') magic.move(edit.start, edit.end, edit.to);
    else if (edit.kind === 'replace') magic.overwrite(edit.start, edit.end, edit.text, { contentOnly: true });
    else if (edit.first) magic.prependLeft(edit.at, edit.text);
    else magic.appendLeft(edit.at, edit.text);
  }
  return magic;
}

/**
 * The output the edits make of `original` (what applyEdits(…).toString() returns), and where each run
 * of original text stands in it, in output order.
 */
export function layOut(original: string, edits: readonly TextEdit[]): { code: string; runs: OriginalRun[] } {
  const inserted = new Map<number, string[]>();
  const movedFrom = new Map<number, Extract<TextEdit, { kind: 'move' }>>();
  const movedTo = new Map<number, Extract<TextEdit, { kind: 'move' }>>();
  const replaced = new Map<number, Extract<TextEdit, { kind: 'replace' }>>();
  const stops = new Set<number>();
  for (const edit of edits) {
    if (edit.kind === 'replace') {
      replaced.set(edit.start, edit);
      stops.add(edit.start).add(edit.end);
    } else if (edit.kind === 'move') {
      movedFrom.set(edit.start, edit);
      movedTo.set(edit.to, edit);
      stops.add(edit.start).add(edit.end).add(edit.to);
    } else {
      let texts = inserted.get(edit.at);
      if (!texts) inserted.set(edit.at, (texts = []));
      if (edit.first) texts.unshift(edit.text);
      else texts.push(edit.text);
      stops.add(edit.at);
    }
  }
  const sortedStops = [...stops].sort((a, b) => a - b);
  const parts: string[] = [];
  const runs: OriginalRun[] = [];
  let length = 0;
  const put = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  // What stands after original offset p: the text inserted there, then a range moved there.
  const after = (p: number) => {
    for (const text of inserted.get(p) ?? []) put(text);
    const move = movedTo.get(p);
    if (move) copy(move.start, move.end, move);
  };
  // Original [from, to), each offset followed by what stands after it; a range moved away (but `moving`) is skipped.
  const copy = (from: number, to: number, moving?: TextEdit) => {
    let p = from;
    let stop = firstAbove(sortedStops, p);
    while (p < to) {
      const move = movedFrom.get(p);
      const replacement = replaced.get(p);
      if (move && move !== moving) {
        p = move.end;
      } else if (replacement) {
        put(replacement.text);
        p = replacement.end;
        after(p);
      } else {
        while (stop < sortedStops.length && sortedStops[stop]! <= p) stop++;
        const next = Math.min(sortedStops[stop] ?? to, to);
        runs.push([length, p, next - p]);
        put(original.slice(p, next));
        after(next);
        p = next;
      }
    }
  };
  for (const text of inserted.get(0) ?? []) put(text);
  copy(0, original.length);
  return { code: parts.join(''), runs };
}

/** Index of the first element of an ascending array greater than p. */
function firstAbove(sorted: readonly number[], p: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= p) low = mid + 1;
    else high = mid;
  }
  return low;
}
