/**
 * The `//# sourceMappingURL=` comment, by one rule for every integration: the
 * last such comment (`//#` or the old `//@`) on a line of its own, its URL
 * without white space or quotes. And the one writer of inline maps.
 */

const KEY = 'sourceMappingURL=';
const COMMENT_LINE = /^[ \t]*\/\/[#@][ \t]+sourceMappingURL=([^\s'"`]+)[ \t]*$/;
const TERMINATOR = /[\n\r\u2028\u2029]/;

export interface SourceMapComment {
  url: string;
  /** Where the comment's line starts and ends (without its line terminators). */
  start: number;
  end: number;
  /** Where the URL starts. */
  urlStart: number;
}

/** The comment that names the file's map, searched from the end (the last one wins, as in browsers and Node). */
export function findSourceMapComment(code: string): SourceMapComment | undefined {
  for (let at = code.lastIndexOf(KEY); at !== -1; at = at === 0 ? -1 : code.lastIndexOf(KEY, at - 1)) {
    let start = at;
    while (start > 0 && !TERMINATOR.test(code[start - 1]!)) start--;
    let end = at;
    while (end < code.length && !TERMINATOR.test(code[end]!)) end++;
    const match = COMMENT_LINE.exec(code.slice(start, end));
    if (match) return { url: match[1]!, start, end, urlStart: code.indexOf(KEY, start) + KEY.length };
  }
  return undefined;
}

/** The code without its map comment (and the line break before it). */
export function stripSourceMapComment(code: string): string {
  const comment = findSourceMapComment(code);
  if (!comment) return code;
  let from = comment.start;
  if (code[from - 1] === '\n') from--;
  if (code[from - 1] === '\r') from--;
  return code.slice(0, from) + code.slice(comment.end);
}

/** The JSON text of a `data:` URL's map; throws when it is not a JSON data URL. */
export function dataUrlJson(url: string): string {
  const comma = url.indexOf(',');
  const header = url.slice(5, comma);
  if (!url.startsWith('data:') || comma === -1 || !header.startsWith('application/json')) {
    throw new Error('inline source map is not a JSON data URL');
  }
  const body = url.slice(comma + 1);
  return header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}

/** A map as a `data:` URL (base64, so that no character of it can end the comment). */
export function inlineMapUrl(map: string | object): string {
  const json = typeof map === 'string' ? map : map.toString() === '[object Object]' ? JSON.stringify(map) : map.toString();
  return `data:application/json;charset=utf-8;base64,${Buffer.from(json).toString('base64')}`;
}

/**
 * The code with `map` inline: the URL of a map comment that ends the file is
 * replaced where it stands; otherwise a comment is appended on a line of its
 * own, so it is the one Node (--enable-source-maps), browsers and debuggers
 * read. (A comment followed by code could sit in a template literal: never edited.)
 */
export function withInlineSourceMap(code: string, map: string | object): string {
  const url = inlineMapUrl(map);
  const comment = findSourceMapComment(code);
  if (comment && code.slice(comment.end).trim() === '') {
    return code.slice(0, comment.urlStart) + url + code.slice(comment.urlStart + comment.url.length);
  }
  return `${code}${code === '' || /[\n\r\u2028\u2029]$/.test(code) ? '' : '\n'}//# sourceMappingURL=${url}\n`;
}
