/**
 * The text path's shared pieces (src/text/), through `transform()` from
 * `otel-context-transformer/api` and the CLI's `report` (dist/, so
 * `npm run build` first): positions counted at every line terminator, and the
 * one rule for `//# sourceMappingURL=` comments.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { transform, type Boundary } from '../dist/esm/api.js';
import { main } from '../dist/esm/cli/index.js';
import { LineIndex } from '../dist/esm/text/line-index.js';
import { findSourceMapComment, stripSourceMapComment, withInlineSourceMap } from '../dist/esm/text/source-map-comment.js';

const TMP = path.join(path.dirname(fileURLToPath(import.meta.url)), '.tmp', 'api');

/** Four lines; `setTimeout` on line 4 at column 3, `then` on line 2 at column 11. */
const LINES = ['// one', 'p.then(() => 1);', 'function later() {', '  setTimeout(() => 2, 1);', '}', ''];
const LINE_ENDS = { lf: '\n', crlf: '\r\n', cr: '\r', ls: '\u2028' } as const;
const EXPECTED = [
  { kind: 'setTimeout', line: 4, column: 3, rewritten: false },
  { kind: 'then', line: 2, column: 3, rewritten: false },
];

describe('positions count every line terminator', () => {
  it.each(Object.keys(LINE_ENDS) as Array<keyof typeof LINE_ENDS>)('onBoundary with %s line ends', (style) => {
    const code = LINES.join(LINE_ENDS[style]);
    const found: Boundary[] = [];
    transform(code, { filename: `/project/f-${style}.js`, onBoundary: (b) => found.push(b), onDiagnostic: () => {} });
    found.sort((a, b) => a.line - b.line || a.column - b.column).reverse();
    expect(found.map(({ kind, line, column, rewritten }) => ({ kind, line, column, rewritten }))).toEqual(EXPECTED);
  });

  it('report prints the same positions for each line-end style', async () => {
    rmSync(TMP, { recursive: true, force: true });
    mkdirSync(TMP, { recursive: true });
    for (const [style, end] of Object.entries(LINE_ENDS)) writeFileSync(path.join(TMP, `f-${style}.js`), LINES.join(end));
    let stdout = '';
    const status = await main(['report', '--quiet', TMP], { stdout: (t) => (stdout += t), stderr: () => {}, interactive: false });
    expect(status).toBe(0);
    const shown = (style: string) => path.relative(process.cwd(), path.join(TMP, `f-${style}.js`));
    expect(stdout).toBe(
      ['cr', 'crlf', 'lf', 'ls']
        .map((style) => `${shown(style)}:2:3  then  not rewritten\n${shown(style)}:4:3  setTimeout  not rewritten\n`)
        .join(''),
    );
  });

  it('LineIndex: line starts, positions and back', () => {
    const text = 'a\r\nb\rc\nd\u2029e';
    const index = new LineIndex(text);
    expect(index.lineStarts).toEqual([0, 3, 5, 7, 9]);
    expect(['a', 'b', 'c', 'd', 'e'].map((ch) => index.position(text.indexOf(ch)))).toEqual(
      [1, 2, 3, 4, 5].map((line) => ({ line, column: 1 })),
    );
    expect(index.offsetOf(3, 1)).toBe(text.indexOf('c'));
    expect(new LineIndex(text, 'lf').lineStarts).toEqual([0, 3, 7]);
  });
});

describe('source map comments: one rule', () => {
  const url = 'data:application/json;base64,e30=';

  it('finds the last comment on a line of its own, //# or //@', () => {
    expect(findSourceMapComment('a();\n//# sourceMappingURL=a.js.map\nb();\n//@ sourceMappingURL=b.js.map\n')?.url).toBe('b.js.map');
    expect(findSourceMapComment('a();\r//# sourceMappingURL=a.js.map')?.url).toBe('a.js.map');
    // Not on a line of its own, or quoted: not a map comment.
    expect(findSourceMapComment('x = 1; //# sourceMappingURL=a.js.map\n')).toBeUndefined();
    expect(findSourceMapComment('s = "\\n//# sourceMappingURL=a.js.map";\n')).toBeUndefined();
  });

  it('strips the comment and the line break before it', () => {
    expect(stripSourceMapComment('a();\n//# sourceMappingURL=a.js.map\n')).toBe('a();\n');
    expect(stripSourceMapComment('a();\r\n//# sourceMappingURL=a.js.map')).toBe('a();');
    expect(stripSourceMapComment('a();\n')).toBe('a();\n');
  });

  it('the inline-map writer replaces a trailing comment in place and appends one otherwise', () => {
    const map = { version: 3, sources: [], names: [], mappings: '' };
    const inline = `data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
    expect(withInlineSourceMap(`a();\n//# sourceMappingURL=${url}\n`, map)).toBe(`a();\n//# sourceMappingURL=${inline}\n`);
    expect(withInlineSourceMap('a();', map)).toBe(`a();\n//# sourceMappingURL=${inline}\n`);
    expect(withInlineSourceMap('a();\n', JSON.stringify(map))).toBe(`a();\n//# sourceMappingURL=${inline}\n`);
    // Followed by code: it could be inside a template literal, so it is left alone and ours comes last.
    const templated = 'const t = `\n//# sourceMappingURL=a.js.map\n`;\n';
    expect(withInlineSourceMap(templated, map)).toBe(`${templated}//# sourceMappingURL=${inline}\n`);
  });
});
