/**
 * Functions sent elsewhere as their source text (catalog: SERIALIZING_METHODS, SERIALIZING_CALLS):
 * Playwright's and Puppeteer's `evaluate` family, workerpool's `exec(fn)`. Compiled, an `await` in
 * such a function names `__otelCtx`, which the page (or the worker's `new Function`) does not have:
 * `ReferenceError: __otelCtx is not defined`. The planner leaves the literal exactly as written.
 *
 * test/serialized/driver.ts drives a REAL Chromium through Playwright with async functions in every
 * method of the family, compiled by the TypeScript plugin (5 and 6, whole program), the text
 * transform, the Babel plugin, the CLI and the load hook; each run must return the page's values.
 * Then, in both backends, text: the literals come out byte for byte as written, while the same
 * literals passed anywhere else are rewritten (so leaving them alone is a decision, not an accident).
 * test/messages.test.ts runs workerpool's `exec(async fn)` in real worker threads.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import otelContextTransformer from '../dist/esm/index.js';
import { transform } from '../dist/esm/api.js';
import { BACKENDS, type Backend } from './harness/backends.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;
const DRIVER = path.resolve('test/serialized/driver.ts');
const OUT = path.resolve('test/.tmp/serialized');
const HARNESS = pathToFileURL(path.resolve('test/harness/chromium.mjs')).href;

const EXPECTED = ['serialized', 2, { ok: true }, 'text', 'text,two', 'x', 2, true, 'serialized', true];

/** Babel with only the TypeScript preset (preset-env would turn the async functions into calls of its own helpers). */
const babelTypescript: Backend = {
  name: 'babel (preset-typescript)',
  format: 'esm',
  compile(files, outDir) {
    const babel = require('@babel/core') as typeof import('@babel/core');
    return files.map((file) => {
      const result = babel.transformSync(readFileSync(file, 'utf8'), {
        filename: file,
        babelrc: false,
        configFile: false,
        plugins: [require.resolve('otel-context-transformer/babel')],
        presets: [require.resolve('@babel/preset-typescript')],
      });
      const out = path.join(outDir, path.basename(file).replace(/\.ts$/, '.mjs'));
      writeFileSync(out, result!.code!);
      return out;
    });
  },
};
const NAMES = ['tsc5-esm', 'tsc6-esm', 'tsc5-transpile', 'api-transform-esm', 'loader-import-esm', 'cli-tsc5-esm'];
const RUNNING: Backend[] = [...NAMES.map((name) => BACKENDS.find((b) => b.name === name)!), babelTypescript];

describe('functions sent to a page as source text run there, compiled by', () => {
  it.each(RUNNING.map((b) => [b.name, b] as const))('%s', (name, backend) => {
    const outDir = path.join(OUT, name.replace(/\W+/g, '-'));
    mkdirSync(outDir, { recursive: true });
    const [output] = backend.compile([DRIVER], outDir, true);
    // The driver itself was compiled: its own awaits carry the context.
    const written = readFileSync(output!, 'utf8');
    const implementation = written.includes('.impl.') ? readFileSync(output!.replace(/\.mjs$/, '.impl.mjs'), 'utf8') : written;
    if (name !== 'loader-import-esm') expect(implementation).toMatch(/__otelCtx\.(suspend|resume)/);
    const stdout = execFileSync(process.execPath, [output!], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_TEST_CHROMIUM_HARNESS: HARNESS },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual(EXPECTED);
  });
});

// Each literal is `async (...) => { await a(); setTimeout(b); }`: rewritten wherever else it is passed.
const BODY = 'async (x) => { await a(x); setTimeout(b, 1); }';
const SENT = [
  `page.evaluate(${BODY});`,
  `page.evaluate((${BODY}) as any, 1);`,
  `frame.evaluateHandle(${BODY});`,
  `locator.evaluateAll(${BODY});`,
  `page.$eval('#x', ${BODY});`,
  `page.$$eval('p', ${BODY});`,
  `page.waitForFunction(${BODY});`,
  `context.addInitScript(${BODY});`,
  `page.evaluateOnNewDocument(${BODY});`,
  `import workerpool from 'workerpool'; const pool = workerpool.pool(); pool.exec(${BODY}, [1]);`,
  `const { pool } = require('workerpool'); const p = pool('w.js'); p.exec(${BODY});`,
];
// A name passed there: its declaration in this file is left as written too (declared before or after the call).
const SENT_BY_NAME = [
  `async function check(x) { await a(x); setTimeout(b, 1); } page.evaluate(check);`,
  `page.$eval('#x', check); const check = ${BODY};`,
  `export let check = ${BODY}; frame.waitForFunction(check, 1);`,
  `function outer() { const check = ${BODY}; return page.evaluate(check); }`,
  `import workerpool from 'workerpool'; const pool = workerpool.pool(); async function check(x) { await a(x); setTimeout(b, 1); } pool.exec(check, [1]);`,
];
const NOT_SENT_BY_NAME = [
  // Another function of that name in an inner scope is not the one sent.
  `async function check(x) { await a(x); setTimeout(b, 1); } function f(check) { page.evaluate(check); }`,
  `async function check(x) { await a(x); setTimeout(b, 1); } { const check = 1; page.evaluate(check); }`,
  `async function check(x) { await a(x); setTimeout(b, 1); } other.run(check);`,
];
const NOT_SENT = [
  `other.run(${BODY});`,
  `page.$eval(${BODY});`, // the selector's position
  `page.evaluate(...fns, ${BODY});`, // after a spread: which argument it is is unknown
  `const pool = somethingElse(); pool.exec(${BODY});`,
];

function throughText(source: string, messages = false): string {
  return transform(source, { filename: 'input.ts', messages })?.code ?? source;
}
function throughPlugin(source: string, messages = false): string {
  const plugin = otelContextTransformer(undefined, { messages }, { ts, addDiagnostic: () => undefined });
  const compilerOptions = { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext };
  const printed = ts.transpileModule(source, { fileName: 'input.ts', compilerOptions }).outputText;
  const emitted = ts.transpileModule(source, { fileName: 'input.ts', compilerOptions, transformers: { before: [plugin] } }).outputText;
  return emitted === printed ? source : emitted;
}
/** A declaration sent by name, as written (the arrow form is PRINTED_BODY's). */
const PRINTED_DECLARATION = new RegExp(
  `${/async function check\(x\) \{\s*await a\(x\);\s*setTimeout\(b, 1\);\s*\}/.source}|${/check = async \(x\) => \{\s*await a\(x\);\s*setTimeout\(b, 1\);\s*\}/.source}`,
);
/** The literal as the backend printed it (TypeScript reprints): found by its own text, `x` renamed nowhere. */
const PRINTED_BODY = /async \(x\) => \{ await a\(x\); setTimeout\(b, 1\); \}|async \(x\) => \{\s*await a\(x\);\s*setTimeout\(b, 1\);\s*\}/;

describe('functions sent as source text are left exactly as written', () => {
  for (const [backend, through] of [
    ['text', throughText],
    ['TypeScript plugin', throughPlugin],
  ] as const) {
    for (const messages of [false, true]) {
      it.each(SENT)(`${backend}${messages ? ', messages' : ''}: %s`, (source) => {
        const out = through(`async function around() { await before(); ${source} }`, messages);
        expect(out).toMatch(PRINTED_BODY);
        expect(out).toMatch(/__otelCtx/); // the code around it is rewritten
      });
      it.each(NOT_SENT)(`${backend}${messages ? ', messages' : ''}: rewritten elsewhere: %s`, (source) => {
        expect(through(source, messages)).not.toMatch(PRINTED_BODY);
      });
      it.each(SENT_BY_NAME)(`${backend}${messages ? ', messages' : ''}: by name: %s`, (source) => {
        const out = through(`async function around() { await before(); } ${source}`, messages);
        expect(out).toMatch(PRINTED_DECLARATION);
        expect(out).toMatch(/__otelCtx/);
      });
      it.each(NOT_SENT_BY_NAME)(`${backend}${messages ? ', messages' : ''}: by name, another binding: %s`, (source) => {
        expect(through(source, messages)).not.toMatch(PRINTED_DECLARATION);
      });
    }
  }

  it('a second pass changes nothing', () => {
    const once = throughText(`async function around() { await before(); ${SENT.join(' ')} }`);
    expect(throughText(once)).toBe(once);
  });
});
