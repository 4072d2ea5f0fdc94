/** Small text helpers both backends share. */

/** The comment's text is the marker, optionally followed by a space or `:` and a reason (doc comments too). */
export function isMarkerText(comment: string, marker: string): boolean {
  const body = comment.replace(/^\*+/, '').trim();
  return body === marker || body.startsWith(marker + ' ') || body.startsWith(marker + ':');
}

/** Skips white space and comments from offset i; returns the offset of the next token. */
export function skipTrivia(code: string, i: number): number {
  for (;;) {
    while (i < code.length && /\s/.test(code[i]!)) i++;
    if (code.startsWith('//', i)) {
      const end = code.indexOf('\n', i);
      i = end === -1 ? code.length : end;
    } else if (code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      i = end === -1 ? code.length : end + 2;
    } else {
      return i;
    }
  }
}
