/**
 * `// otel-context-ignore` (and the block form) before a statement, a function,
 * a class member or an arrow function; `// otel-context-ignore-file` in the
 * leading comments of a file. Compiled in memory with TypeScript 5 and 6.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer from '../src/index.js';
import { compileInMemory } from './harness/in-memory.js';

const require = createRequire(import.meta.url);
const VERSIONS: { name: string; ts: typeof TS }[] = [
  { name: 'TS 5', ts: require('typescript') as typeof TS },
  { name: 'TS 6', ts: require('typescript-6') as typeof TS },
];

function compile(ts: typeof TS, files: Record<string, string>): { js: Record<string, string>; diagnostics: TS.Diagnostic[] } {
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
  };
  const diagnostics: TS.Diagnostic[] = [];
  const { js } = compileInMemory(ts, files, options, (program) => [
    otelContextTransformer(program, {}, { ts, addDiagnostic: (d) => diagnostics.push(d) }),
  ]);
  return { js, diagnostics };
}

/** Lines of the output that contain `needle`, trimmed. */
function lineWith(out: string, needle: string): string {
  const lines = out.split('\n').filter((l) => l.includes(needle));
  expect(lines, `exactly one line with ${needle}`).toHaveLength(1);
  return lines[0]!.trim();
}

/** The output text of a member or function, from its first line to the next line at the same indentation. */
function block(out: string, start: string): string {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(start));
  expect(i, start).toBeGreaterThanOrEqual(0);
  const indent = lines[i]!.length - lines[i]!.trimStart().length;
  let j = i + 1;
  while (j < lines.length && !(lines[j]!.length - lines[j]!.trimStart().length <= indent && lines[j]!.trim() !== '')) j++;
  const closes = j < lines.length && lines[j]!.length - lines[j]!.trimStart().length === indent && lines[j]!.trim().startsWith('}');
  return lines.slice(i, closes ? j + 1 : j).join('\n');
}

const FILES: Record<string, string> = {
  'statements.ts': `
export {};
// otel-context-ignore
setTimeout(() => {}, 1);
setTimeout(() => {}, 2);
/* otel-context-ignore */
setTimeout(() => {}, 3);
// otel-context-ignore: the reason goes here
setTimeout(() => {}, 4);
// otel-context-ignore because reasons
setTimeout(() => {}, 5);
// otel-context-ignored
setTimeout(() => {}, 6);
// otel-context-ignore-file
setTimeout(() => {}, 7);
// a comment before the marker
// otel-context-ignore
setTimeout(() => {}, 8);
// otel-context-ignore
Promise.resolve(1).then((v) => v).catch(() => 9);
Promise.resolve(1).then((v) => v).catch(() => 10);
`,

  'functions.ts': `
declare const p: Promise<number>;

// otel-context-ignore
export async function ignoredDeclaration() {
  await p;
  setTimeout(() => {}, 11);
  const inner = async () => { await p; };
  return inner;
}

export async function rewrittenDeclaration() {
  await p;
  await p;
}

/* otel-context-ignore */
export function* ignoredGenerator() { yield 1; }

export async function partlyIgnored(c: boolean) {
  // otel-context-ignore
  await p;
  await p;
  // otel-context-ignore
  if (c) { await p; setTimeout(() => {}, 12); }
  /* otel-context-ignore */
  const x = await p;
  return x;
}
`,

  'classes.ts': `
declare const p: Promise<number>;

export class Service {
  // otel-context-ignore
  async ignoredMethod() { await p; setTimeout(() => {}, 13); }

  async rewrittenMethod() { await p; await p; }

  /* otel-context-ignore */
  static async ignoredStatic() { await p; }

  // otel-context-ignore
  async #ignoredPrivate() { await p; }

  // otel-context-ignore
  ignoredField = async () => { await p; };

  rewrittenField = async () => { await p; await p; };

  async usePrivate() { return this.#ignoredPrivate(); }
}

// otel-context-ignore
export class IgnoredClass {
  async method() { await p; }
}
`,

  'arrows.ts': `
declare const p: Promise<number>;

// otel-context-ignore
export const ignoredArrow = async () => { await p; };

export const rewrittenArrow = async () => { await p; await p; };

export const viaInitializer =
  // otel-context-ignore
  async () => { await p; };

export const object = {
  // otel-context-ignore
  ignored: async () => { await p; },
  rewritten: async () => { await p; await p; },
  // otel-context-ignore
  async ignoredMethod() { await p; },
};

setTimeout(
  // otel-context-ignore
  async () => { await p; },
  14,
);
`,

  // The file marker after a license header and another comment.
  'file-after-license.ts': `/*
 * Copyright 2025 Example Corp.
 * Licensed under the Apache License, Version 2.0.
 */
// Generated code, do not edit.
// otel-context-ignore-file
import { helper } from './file-first-line.js';
declare const p: Promise<number>;
setTimeout(() => {}, 21);
p.then(() => helper());
export async function f() { await p; }
export function* g() { yield 1; }
await p;
`,

  'file-first-line.ts': `// otel-context-ignore-file
export function helper() { setTimeout(() => {}, 22); }
`,

  'file-block-form.ts': `/* otel-context-ignore-file */
export async function f(p: Promise<number>) { setTimeout(() => {}, 23); await p; }
`,

  'file-with-reason.ts': `/** @license MIT */

// otel-context-ignore-file: vendored, patched upstream
export async function f(p: Promise<number>) { setTimeout(() => {}, 24); await p; }
`,

  'file-shebang.ts': `#!/usr/bin/env node
// otel-context-ignore-file
setTimeout(() => {}, 25);
export {};
`,

  'file-marker-after-code.ts': `setTimeout(() => {}, 26);
// otel-context-ignore-file
setTimeout(() => {}, 27);
export {};
`,

  'file-not-a-marker.ts': `// otel-context-ignore-file-please
setTimeout(() => {}, 28);
export {};
`,

  'file-statement-marker-only.ts': `// otel-context-ignore
setTimeout(() => {}, 29);
setTimeout(() => {}, 30);
export {};
`,
};

for (const { name, ts } of VERSIONS) {
  describe(`ignore comments (${name})`, () => {
    let js: Record<string, string>;
    beforeAll(() => {
      const result = compile(ts, FILES);
      expect(result.diagnostics).toEqual([]);
      js = result.js;
    });

    it('// otel-context-ignore before a statement leaves that statement alone, and only that one', () => {
      const out = js['statements.js']!;
      expect(lineWith(out, ', 1);')).toBe('setTimeout(() => { }, 1);');
      expect(lineWith(out, ', 2);')).toBe('setTimeout(__otelCtx.bind(() => { }), 2);');
      expect(lineWith(out, '=> 9)')).toBe('Promise.resolve(1).then((v) => v).catch(() => 9);');
      expect(lineWith(out, '=> 10)')).toBe('Promise.resolve(1).then(__otelCtx.bind((v) => v)).catch(__otelCtx.bind(() => 10));');
    });

    it('the block form /* otel-context-ignore */ works the same', () => {
      expect(lineWith(js['statements.js']!, ', 3);')).toBe('setTimeout(() => { }, 3);');
    });

    it('the marker may carry a reason after ":" or a space; other words are not markers', () => {
      const out = js['statements.js']!;
      expect(lineWith(out, ', 4);')).toBe('setTimeout(() => { }, 4);');
      expect(lineWith(out, ', 5);')).toBe('setTimeout(() => { }, 5);');
      expect(lineWith(out, ', 6);')).toBe('setTimeout(__otelCtx.bind(() => { }), 6);');
      // The file marker in the middle of a file is neither a file nor a statement marker.
      expect(lineWith(out, ', 7);')).toBe('setTimeout(__otelCtx.bind(() => { }), 7);');
      // The marker as the last of several comments counts.
      expect(lineWith(out, ', 8);')).toBe('setTimeout(() => { }, 8);');
    });

    it('before a function declaration: the whole function, nested functions included, is left alone', () => {
      const out = js['functions.js']!;
      const ignored = block(out, 'export async function ignoredDeclaration()');
      expect(ignored).not.toContain('__otelCtx');
      expect(ignored).toContain('await p;');
      expect(ignored).toContain('setTimeout(() => { }, 11);');
      expect(ignored).toContain('const inner = async () => { await p; };');
      expect(block(out, 'export async function rewrittenDeclaration()')).toContain('const __otelFrame = __otelCtx.frame();');
      expect(out).toContain('export function* ignoredGenerator() { yield 1; }');
    });

    it('inside a function: only the marked statements keep their awaits as written', () => {
      const fn = block(js['functions.js']!, 'export async function partlyIgnored(c)');
      expect(fn).toContain('const __otelFrame = __otelCtx.frame();');
      expect(fn).toMatch(
        /\/\/ otel-context-ignore\n\s+await p;\n\s+__otelCtx\.resume\(__otelFrame, await __otelCtx\.suspend\(__otelFrame, p\)\);/,
      );
      expect(fn).toMatch(/if \(c\) \{\n\s+await p;\n\s+setTimeout\(\(\) => \{ \}, 12\);\n\s+\}/);
      expect(fn).toContain('const x = await p;');
      expect(fn.match(/await /g)).toHaveLength(4);
      expect(fn.match(/await __otelCtx\.suspend/g)).toHaveLength(1);
    });

    it('before a class method, static method, private method or field arrow: that member only', () => {
      const out = js['classes.js']!;
      expect(out).toContain('async ignoredMethod() { await p; setTimeout(() => { }, 13); }');
      expect(out).toContain('static async ignoredStatic() { await p; }');
      expect(out).toContain('async #ignoredPrivate() { await p; }');
      expect(out).toContain('ignoredField = async () => { await p; };');
      expect(block(out, 'async rewrittenMethod()')).toContain('const __otelFrame = __otelCtx.frame();');
      expect(block(out, 'rewrittenField = async () =>')).toContain('const __otelFrame = __otelCtx.frame();');
    });

    it('before a class declaration: the whole class', () => {
      expect(block(js['classes.js']!, 'export class IgnoredClass')).not.toContain('__otelCtx');
    });

    it('before an arrow function (its statement, its own line in an initializer, an object property)', () => {
      const out = js['arrows.js']!;
      expect(out).toContain('export const ignoredArrow = async () => { await p; };');
      expect(block(out, 'export const rewrittenArrow')).toContain('const __otelFrame = __otelCtx.frame();');
      expect(out).toMatch(/export const viaInitializer = \n?\s*\/\/ otel-context-ignore\n\s*async \(\) => \{ await p; \};/);
      expect(out).toContain('ignored: async () => { await p; },');
      expect(out).toContain('async ignoredMethod() { await p; },');
      expect(block(out, 'rewritten: async () =>')).toContain('const __otelFrame = __otelCtx.frame();');
    });

    it('before a callback argument: the callback body is left alone', () => {
      // Whether the callback is still bound to the caller's context is not asserted (see report).
      expect(js['arrows.js']!).toMatch(/async \(\) => \{ await p; \}\)?, 14\);/);
    });

    it('// otel-context-ignore-file after a license header and other comments skips the whole file', () => {
      const out = js['file-after-license.js']!;
      expect(out).not.toContain('__otelCtx');
      expect(out).toContain('setTimeout(() => { }, 21);');
      expect(out).toContain('p.then(() => helper());');
      expect(out).toContain('export async function f() { await p; }');
      expect(out).toContain('export function* g() { yield 1; }');
      expect(out).toMatch(/^await p;$/m);
    });

    it.each([['file-first-line'], ['file-block-form'], ['file-with-reason'], ['file-shebang']])('%s: the whole file is skipped', (file) => {
      const out = js[`${file}.js`]!;
      expect(out).not.toContain('__otelCtx');
      expect(out).toMatch(/setTimeout\(\(\) => \{ \}, 2\d\);/);
    });

    it('the file marker only counts in the leading comments; a lookalike is not a marker', () => {
      expect(js['file-marker-after-code.js']).toContain('setTimeout(__otelCtx.bind(() => { }), 26);');
      expect(js['file-marker-after-code.js']).toContain('setTimeout(__otelCtx.bind(() => { }), 27);');
      expect(js['file-not-a-marker.js']).toContain('setTimeout(__otelCtx.bind(() => { }), 28);');
    });

    it('a statement marker at the top of a file skips the first statement only', () => {
      const out = js['file-statement-marker-only.js']!;
      expect(out).toContain('setTimeout(() => { }, 29);');
      expect(out).toContain('setTimeout(__otelCtx.bind(() => { }), 30);');
    });
  });
}

/**
 * The forms a user may reach for next to the documented ones, through both
 * backends (TypeScript's AST and the text transform): a marker earlier on the
 * same line, the doc-comment form, a marker followed by another comment, a
 * marker on a callback argument (then not bound either), and the end-of-line
 * comment of the previous statement (which must NOT apply to the next one).
 */
describe('marker placement, both backends', async () => {
  const { transform } = await import('../src/api.js');
  const SOURCE = [
    'declare const p: Promise<number>;',
    'export const sameLine = /* otel-context-ignore */ async () => { await p; };',
    '/** otel-context-ignore */',
    'export async function docForm() { await p; }',
    '// otel-context-ignore: measured',
    '// another comment',
    'export async function followedByComment() { await p; }',
    'setTimeout(/* otel-context-ignore */ () => {}, 1);',
    'p.then(1 as any); // otel-context-ignore',
    'export async function notIgnored() { await p; await p; }',
    '',
  ].join('\n');
  const outputs: Record<string, string> = {
    'TS 5': compile(VERSIONS[0]!.ts, { 'a.ts': SOURCE }).js['a.js']!,
    'text transform': transform(SOURCE, { filename: '/virtual/a.ts' })!.code,
  };
  for (const [backend, out] of Object.entries(outputs)) {
    it(`${backend}: each marked node is left as written; the unmarked one is rewritten`, () => {
      const fn = (name: string) => out.slice(out.indexOf(name), out.indexOf('}', out.indexOf(name)) + 1);
      expect(fn('sameLine')).not.toContain('__otelCtx');
      expect(fn('docForm')).not.toContain('__otelCtx');
      expect(fn('followedByComment')).not.toContain('__otelCtx');
      expect(out).not.toContain('setTimeout(__otelCtx.bind(');
      expect(out.slice(out.indexOf('notIgnored'))).toContain('__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))');
    });
  }
});
