/**
 * Output shapes of the TypeScript backend, compiled through the real compiler
 * API (createProgram + emit with the transformer as a `before` transformer),
 * in memory, for TypeScript 5 and TypeScript 6.
 *
 * The snapshots live in test/__snapshots__/transform-output/*.js. Both
 * compiler versions are compared against the same file: the rewrite must not
 * depend on the TypeScript version. The text backend's output for the same
 * inputs is in test/__snapshots__/transform-output/text/ (with an idempotence
 * check each); test/backend-equivalence.test.ts checks both make the same decisions.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import otelContextTransformer, { type TransformOptions } from '../src/index.js';
import { bind } from '../src/runtime/index.js';
import { transform } from '../src/api.js';
import { compileInMemory, VIRTUAL_ROOT } from './harness/in-memory.js';
import { OTHER_INPUTS, SNIPPETS } from './harness/snippets.js';

const require = createRequire(import.meta.url);
const VERSIONS: { name: string; ts: typeof TS }[] = [
  { name: 'TS 5', ts: require('typescript') as typeof TS },
  { name: 'TS 6', ts: require('typescript-6') as typeof TS },
];

// ---------------------------------------------------------------------------
// In-memory compile helper.

/** Virtual files live under the working directory (never written): include/exclude globs are relative to it. */
const ROOT = VIRTUAL_ROOT;

interface Compiled {
  /** Emitted JavaScript by output path relative to the out dir, e.g. `timers.js`. */
  js: Record<string, string>;
  /** What the transformer reported. */
  diagnostics: TS.Diagnostic[];
  program: TS.Program;
}

interface CompileRequest {
  compilerOptions?: TS.CompilerOptions;
  transform?: (TransformOptions & Record<string, unknown>) | undefined;
  /** Pass the Program to the transformer (type checker available). Default true. */
  withProgram?: boolean;
  /** Run the transformer at all. Default true. */
  transformer?: boolean;
}

/** Library and @types files parsed once per compiler. */

function baseOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmitOnError: false,
  };
}

function compile(ts: typeof TS, files: Record<string, string>, request: CompileRequest = {}): Compiled {
  const diagnostics: TS.Diagnostic[] = [];
  const { js, program } = compileInMemory(ts, files, { ...baseOptions(ts), ...request.compilerOptions }, (program) =>
    request.transformer === false
      ? []
      : [
          otelContextTransformer(request.withProgram === false ? undefined : program, request.transform ?? {}, {
            ts,
            addDiagnostic: (d) => diagnostics.push(d),
          }),
        ],
  );
  return { js, diagnostics, program };
}

function message(ts: typeof TS, d: TS.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}

/** TypeScript's own errors for the virtual files (the snippets must be valid TypeScript). */
function snippetErrors(ts: typeof TS, program: TS.Program): string[] {
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: ${message(ts, d)}`);
}

function parseErrors(ts: typeof TS, name: string, text: string): number {
  const sf = ts.createSourceFile(name, text, ts.ScriptTarget.ESNext, false, ts.ScriptKind.JS);
  return ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics ?? []).length;
}

// ---------------------------------------------------------------------------
// The snippets (test/harness/snippets.ts): one file per rewrite shape, all compiled in one program.

/** TS 5.9's lib.dom has no `scheduler`; TS 6's does. */
function withGlobals(ts: typeof TS, files: Record<string, string>): Record<string, string> {
  if (!ts.versionMajorMinor.startsWith('5.')) return files;
  return { ...files, 'globals.d.ts': 'declare var scheduler: { postTask(cb: () => unknown, options?: object): Promise<unknown> };\n' };
}

const SNAPSHOT_DIR = './__snapshots__/transform-output';
const names = Object.keys(SNIPPETS)
  .filter((n) => n !== 'helpers.ts')
  .map((n) => n.replace(/\.ts$/, ''));

for (const { name: version, ts } of VERSIONS) {
  describe(`rewrite shapes (${version} ${ts.version})`, () => {
    let compiled: Compiled;
    let unchecked: Compiled;
    beforeAll(() => {
      compiled = compile(ts, withGlobals(ts, SNIPPETS));
      unchecked = compile(ts, withGlobals(ts, SNIPPETS), { withProgram: false });
    });

    it('the snippets are valid TypeScript and the transformer reports nothing', () => {
      expect(snippetErrors(ts, compiled.program)).toEqual([]);
      expect(compiled.diagnostics.map((d) => message(ts, d))).toEqual([]);
      expect(unchecked.diagnostics.map((d) => message(ts, d))).toEqual([]);
    });

    it('every emitted file parses', () => {
      for (const [file, text] of Object.entries(compiled.js)) expect(parseErrors(ts, file, text), file).toBe(0);
    });

    it.each(names)('%s', async (name) => {
      await expect(compiled.js[`${name}.js`]).toMatchFileSnapshot(`${SNAPSHOT_DIR}/${name}.js`);
    });

    // --- key facts, asserted directly -------------------------------------------------

    it('binds the callback of every scheduler, directly and via globalThis/window/self/global, optional calls included', () => {
      const out = compiled.js['timers.js']!;
      for (const call of [
        'setTimeout(__otelCtx.bind(() => cb()), 10)',
        'setTimeout(__otelCtx.bind(cb))',
        'setInterval(__otelCtx.bind(function tick() { cb(); }), 100)',
        'setImmediate(__otelCtx.bind(cb))',
        'queueMicrotask(__otelCtx.bind(() => cb()))',
        "process.nextTick(__otelCtx.bind(cb), 'arg')",
        'requestIdleCallback(__otelCtx.bind(() => cb()))',
        'scheduler.postTask(__otelCtx.bind(() => cb()))',
        'globalThis.setTimeout(__otelCtx.bind(cb), 1)',
        'window.setTimeout(__otelCtx.bind(cb), 1)',
        'self.setInterval(__otelCtx.bind(cb), 1)',
        'global.setImmediate(__otelCtx.bind(cb))',
        'globalThis.queueMicrotask(__otelCtx.bind(cb))',
        'window.requestAnimationFrame(__otelCtx.bind(cb))',
        'self.requestIdleCallback(__otelCtx.bind(cb))',
        'global.queueMicrotask(__otelCtx.bind(cb))',
        'setTimeout?.(__otelCtx.bind(cb), 1)',
        'globalThis.queueMicrotask?.(__otelCtx.bind(cb))',
        'window.requestAnimationFrame?.(__otelCtx.bind(cb))',
        'self.setImmediate?.(__otelCtx.bind(cb))',
        'process.nextTick?.(__otelCtx.bind(cb))',
        'scheduler.postTask?.(__otelCtx.bind(cb))',
        'globalThis?.setTimeout(__otelCtx.bind(cb), 1)',
        '(setTimeout)(__otelCtx.bind(cb), 1)',
        "window['setTimeout'](__otelCtx.bind(cb), 1)",
        "setTimeout(__otelCtx.bind(cb), 1, 'extra', 'arguments')",
        'setTimeout(__otelCtx.bind(() => setTimeout(__otelCtx.bind(cb))))',
      ]) {
        expect(out).toContain(call);
      }
      expect(out).toMatch(/requestAnimationFrame\(__otelCtx\.bind\(\(time\) => \{/);
      // A spread before the callback position hides which argument is the callback.
      expect(out).toContain('setTimeout(...callbacks)');
      expect(out.startsWith('import * as __otelCtx from "otel-context-transformer/runtime";\n')).toBe(true);
    });

    it('binds promise reactions; adds and drops no argument', () => {
      const out = compiled.js['promises.js']!;
      for (const call of [
        'p.then(__otelCtx.bind((v) => v + 1))',
        'p.then(__otelCtx.bind(onValue), __otelCtx.bind(onError))',
        'p.catch(__otelCtx.bind(() => 0))',
        'p.finally(__otelCtx.bind(() => { }))',
        'p.then(__otelCtx.bind((v) => v)).catch(__otelCtx.bind(onError)).finally(__otelCtx.bind(() => { }))',
        'like.then(__otelCtx.bind((v) => v))',
        'maybe?.then(__otelCtx.bind((v) => v))',
        'untyped.then(__otelCtx.bind((v) => v))',
        'mine.then(__otelCtx.bind((v) => v))',
        'union.then(__otelCtx.bind((v) => v))',
        "p['then'](__otelCtx.bind((v) => v))",
        '(p).catch(__otelCtx.bind(onError))',
        'p.then(...args)',
      ]) {
        expect(out).toContain(call);
      }
      // No callback, nothing to bind.
      expect(out).toMatch(/^ {4}p\.then\(\);$/m);
      expect(out).toMatch(/^ {4}p\.finally\(\);$/m);
    });

    it('leaves non-function reaction arguments as they are (bind passes them through)', () => {
      // The output may wrap them (see nonFunctionArguments in the promises snapshot);
      // what reaches then/catch/finally must be the very same value.
      for (const value of [undefined, null, 0, 'x', {}]) expect(bind(value)).toBe(value);
    });

    it('frames every kind of async function that awaits, and only those', () => {
      const out = compiled.js['await-functions.js']!;
      // 7 functions, 7 class members, 3 object members, 3 IIFEs, outer + inner; not noAwait.
      expect(count(out, 'const __otelFrame = __otelCtx.frame();')).toBe(22);
      expect(count(out, '__otelCtx.exit(__otelFrame);')).toBe(22);
      expect(out).toContain('export const noAwait = async () => p;');
      expect(out.replace(/^\/\/.*$/gm, '')).not.toMatch(/\bawait (?!__otelCtx\.suspend\()/);
      // The directive prologue stays first.
      expect(out).toMatch(/async function withDirective\(\) \{\n {4}'use strict';\n {4}const __otelFrame = __otelCtx\.frame\(\);/);
      // Expression bodies become a return in a block.
      expect(out).toMatch(
        /expressionBody = async \(\) => \{\n {4}const __otelFrame = __otelCtx\.frame\(\);\n {4}try \{\n {8}return use\(__otelCtx\.resume\(__otelFrame, await __otelCtx\.suspend\(__otelFrame, p\)\)\);/,
      );
    });

    it('needs no frame where nothing of the function runs after its await, and only there', () => {
      const out = compiled.js['await-tail.js']!;
      const elided = ['returnAwait', 'lastStatement', 'branches', 'declaredThenReturned', 'typedArithmetic', 'inertReturn'];
      const framed = [
        'twoAwaits',
        'codeAfter',
        'returnInTry',
        'returnInForOf',
        'untypedArithmetic',
        'objectReturn',
        'nestedAwait',
        'forAwait',
      ];
      for (const name of elided) {
        expect(functionText(out, name), name).not.toContain('__otelFrame');
        expect(functionText(out, name), name).toContain('await __otelCtx.tail(');
      }
      expect(out).toMatch(/tailArrow = async \(\) => await __otelCtx\.tail\(p\);/);
      expect(count(functionText(out, 'branches'), 'await __otelCtx.tail(')).toBe(2);
      for (const name of framed) expect(functionText(out, name), name).toContain('const __otelFrame = __otelCtx.frame();');
      // Without the checker `i + 1` could call valueOf on an object: framed.
      expect(functionText(unchecked.js['await-tail.js']!, 'typedArithmetic')).toContain('const __otelFrame = __otelCtx.frame();');
      // The text backend makes the same choices (it has no checker either).
      const text = transform(SNIPPETS['await-tail.ts']!, { filename: 'await-tail.ts' })!.code;
      for (const name of elided.filter((n) => n !== 'typedArithmetic')) expect(functionText(text, name), name).not.toContain('__otelFrame');
      for (const name of [...framed, 'typedArithmetic'])
        expect(functionText(text, name), name).toContain('const __otelFrame = __otelCtx.frame();');
    });

    it('walks only text holding a boundary word, but every return of an async generator and names spelled with escapes', () => {
      const text = transform(SNIPPETS['word-skip.ts']!, { filename: 'word-skip.ts' })!.code;
      for (const out of [compiled.js['word-skip.js']!, unchecked.js['word-skip.js']!, text]) {
        expect(functionText(out, 'returnInPlainBlock')).toMatch(/return __otelCtx\.suspend\(__otelFrame, 1\)/);
        expect(functionText(out, 'escapedName')).toContain('__otelCtx.bind(cb)');
        expect(functionText(out, 'noBoundary')).not.toContain('__otelCtx');
      }
    });

    it("leaves a promise executor's resolve and reject unbound where a scheduler passes them no value, and only there", () => {
      const unbound = ['sleep', 'nextTurn', 'both', 'typedThis', 'nextFrame', 'propertyNamed'];
      const bound = ['withValue', 'spread', 'reassigned', 'shadowed', 'readElsewhere', 'viaArguments', 'localPromise', 'reaction'];
      const text = transform(SNIPPETS['settle-functions.ts']!, { filename: 'settle-functions.ts' })!.code;
      for (const out of [compiled.js['settle-functions.js']!, unchecked.js['settle-functions.js']!, text]) {
        for (const name of unbound) expect(functionText(out, name), name).not.toContain('__otelCtx.bind(');
        for (const name of bound) expect(functionText(out, name), name).toContain('__otelCtx.bind(');
      }
      // A write hidden in a decorator counts too (the text backend keeps decorators as written).
      const decorated = transform(OTHER_INPUTS['decorated.ts']!, { filename: 'decorated.ts' })!.code;
      expect(decorated).toContain('setTimeout(__otelCtx.bind(resolve), 1)');
    });

    it("adopts the value a promise resolves with (Promise.resolve, an executor's resolve) through tail, and only there", () => {
      const text = transform(SNIPPETS['thenable-jobs.ts']!, { filename: 'thenable-jobs.ts' })!.code;
      for (const out of [compiled.js['thenable-jobs.js']!, unchecked.js['thenable-jobs.js']!, text]) {
        expect(out).toContain('Promise.resolve(__otelCtx.tail(thenable))');
        expect(out).toContain('globalThis.Promise.resolve(__otelCtx.tail(value))');
        expect(functionText(out, 'executor')).toContain('resolve(__otelCtx.tail(value))');
        expect(functionText(out, 'later')).toContain('resolve(__otelCtx.tail(value))');
        expect(out).toContain('Promise.resolve(1)');
        for (const name of ['shadowed', 'reassigned', 'empty', 'rejectIsNot']) {
          expect(functionText(out, name), name).not.toContain('__otelCtx.tail(');
        }
      }
      const skipped = transform(SNIPPETS['thenable-jobs.ts']!, { filename: 'thenable-jobs.ts', skip: ['promises'] })?.code ?? '';
      expect(skipped).not.toContain('__otelCtx.tail(');
    });

    it('rewrites nested awaits inside out, each against its own frame', () => {
      const out = compiled.js['await-nested.js']!;
      expect(out).toContain(
        'return __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, f(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))))))));',
      );
      expect(out).toContain('const x = a ?? __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));');
      expect(out).not.toMatch(/\bawait (?!__otelCtx\.suspend\()/);
    });

    it('re-enters in catch/finally only where the protected block can suspend', () => {
      const out = compiled.js['try.js']!;
      const fn = (name: string) => functionText(out, name);
      expect(fn('tryCatchFinally')).toMatch(/catch \(e\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\(e\)/);
      expect(fn('tryCatchFinally')).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\('finally'\)/);
      expect(fn('returnAwaitInTryFinally')).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\('finally'\)/);
      // Only the catch block suspends: the catch is entered synchronously, the finally may follow an await.
      expect(fn('awaitOnlyInCatch')).toMatch(/catch \{\n\s+__otelCtx\.resume/);
      expect(fn('awaitOnlyInCatch')).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);/);
      expect(count(fn('nothingSuspendsInTry'), 'reenter')).toBe(0);
    });

    it('frames generators in the parameter list, with the body fallback for rest parameters and "use strict"', () => {
      const out = compiled.js['generators.js']!;
      expect(out).toContain('export function* simple(a, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toContain('export function* defaultParameter(a = 1, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toMatch(/export function\* restParameter\(\.\.\.xs\) \{\n {4}const __otelFrame = __otelCtx\.genFrame\(\);/);
      expect(out).toMatch(/export function\* useStrict\(a\) \{\n {4}'use strict';\n {4}const __otelFrame = __otelCtx\.genFrame\(\);/);
      // A module is strict code: `arguments` does not alias parameters, so the parameter frame is safe.
      expect(out).toContain('export function* usesArguments(a, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toContain('export function* noYield() { return 1; }');
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield __otelCtx.leave(__otelFrame, a))');
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield* __otelCtx.leave(__otelFrame, [b]))');
      expect(out).toContain('*[Symbol.iterator](...{ __otelFrame = __otelCtx.genFrame() }) {');
    });

    it('async generators: yield goes through suspend, yield* through leave, for await through forAwait', () => {
      const out = compiled.js['async-generators.js']!;
      expect(out).toContain('export async function* agen(xs, ...{ __otelFrame = __otelCtx.genFrame() }) {');
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, 1));');
      expect(out).toContain(
        'const v = __otelCtx.resume(__otelFrame, yield __otelCtx.suspend(__otelFrame, __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p))));',
      );
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield* __otelCtx.leave(__otelFrame, other()));');
      expect(out).toContain('for await (const x of __otelCtx.forAwait(__otelFrame, xs)) {');
      expect(out).toMatch(/export async function\* restParameter\(\.\.\.xs\) \{\n {4}const __otelFrame = __otelCtx\.genFrame\(\);/);
      expect(out).toContain('export async function* empty() { }');
      expect(out).toContain('export async function* bareReturn(c) { if (c)\n    return; }');
    });

    it('for await keeps its labels on the loop, inside the re-entering try', () => {
      const out = compiled.js['for-await.js']!;
      expect(out).toMatch(
        /try \{\n\s+outer: for await \(const x of __otelCtx\.forAwait\(__otelFrame, xs\)\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);/,
      );
      expect(out).toMatch(/try \{\n\s+first: second: for await \(const x of __otelCtx\.forAwait\(__otelFrame, xs\)\) \{/);
      expect(out).toContain('continue outer;');
      expect(out).toContain('break second;');
      // Brace-less body gets a block.
      expect(out).toMatch(
        /for await \(const y of __otelCtx\.forAwait\(__otelFrame, ys\)\) \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+log\(y\);\n\s+\}/,
      );
      // Plain for-of loops are untouched.
      expect(out).toMatch(/\n\s+for \(const x of \[1\]\) \{\n\s+log\(x\);\n\s+\}/);
      expect(out).toContain('label: for (const x of [1]) {');
      expect(count(out, '__otelCtx.forAwait(')).toBe(5);
    });

    it('top-level await resumes in a root frame declared right after the imports', () => {
      const out = compiled.js['top-level-await.js']!;
      expect(
        out.startsWith(
          'import * as __otelCtx from "otel-context-transformer/runtime";\nimport { log } from \'./helpers.js\';\nconst __otelFrame = __otelCtx.rootFrame();\n',
        ),
      ).toBe(true);
      expect(out).toContain('const value = __otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p));');
      expect(out).toContain('for await (const x of __otelCtx.forAwait(__otelFrame, [p])) {');
      expect(count(out, '__otelCtx.rootFrame()')).toBe(1);
      // Only f() has a frame of its own, and only it exits one: the root frame is never exited.
      expect(count(out, '__otelCtx.frame()')).toBe(1);
      expect(count(out, '__otelCtx.exit(')).toBe(1);
    });

    it('does not rewrite a local setTimeout, a setTimeout parameter, a local process or a non-promise .then (checker present)', () => {
      const out = compiled.js['not-rewritten.js']!;
      expect(out).not.toContain('__otelCtx');
      expect(out).toContain('setTimeout(() => { });');
      expect(out).toContain('process.nextTick(() => { });');
      expect(out).toContain('thenable.then(() => { });');
      expect(out).toContain('thenable.catch(() => { });');
      expect(out).toContain('thenable.finally(() => { });');
    });

    it("rewrites setTimeout imported from 'node:timers' only with the checker, which resolves it to the global", () => {
      // @types/node: `import setTimeout = globalThis.setTimeout; export { setTimeout }` (and Node's are the same functions).
      const checked = compiled.js['imported-timers.js']!;
      expect(checked).toContain('setTimeout(__otelCtx.bind(() => { }), 1);');
      expect(checked).toContain('immediate(__otelCtx.bind(() => { }));');
      // Without it an import is whatever the module exports: left alone.
      const out = unchecked.js['imported-timers.js']!;
      expect(out).toContain('setTimeout(() => { }, 1);');
      expect(out).toContain('immediate(() => { });');
      for (const result of [compiled, unchecked]) {
        expect(result.js['imported-timers.js']).toContain('queueMicrotask(__otelCtx.bind(() => { }));');
      }
    });

    it('without a checker: scope rules still protect locals, and .then on anything is a promise', () => {
      const out = unchecked.js['not-rewritten.js']!;
      expect(out).toContain('const setTimeout = (cb) => cb();\n    setTimeout(() => { });');
      expect(out).toMatch(/export function parameter\(setTimeout\) \{\n\s+setTimeout\(\(\) => \{ \}\);/);
      expect(out).toContain('process.nextTick(() => { });');
      expect(out).toContain('thenable.then(__otelCtx.bind(() => { }));');
      expect(out).toContain('thenable.catch(__otelCtx.bind(() => { }));');
      expect(out).toContain('thenable.finally(__otelCtx.bind(() => { }));');
      // Everything the checker would allow is rewritten the same way (await-tail: see its own test).
      for (const name of names.filter((n) => n !== 'not-rewritten' && n !== 'await-tail' && n !== 'imported-timers')) {
        expect(unchecked.js[`${name}.js`], name).toBe(compiled.js[`${name}.js`]);
      }
    });

    it('with typeCheck: false the checker is not consulted', () => {
      const result = compile(ts, { 'a.ts': SNIPPETS['not-rewritten.ts']! }, { transform: { typeCheck: false } });
      expect(result.js['a.js']).toContain('thenable.then(__otelCtx.bind(() => { }));');
      expect(result.js['a.js']).not.toContain('setTimeout(__otelCtx');
    });

    it('is idempotent: the emitted JavaScript (allowJs) goes through again byte-identical', () => {
      const jsOptions: TS.CompilerOptions = { allowJs: true, checkJs: false, noResolve: true, types: [] };
      for (const [mode, first] of [
        ['checker', compiled],
        ['no checker', unchecked],
      ] as const) {
        const withProgram = mode === 'checker';
        // The printer alone may reformat: normalise once without the transformer, then a
        // second transform of that text must change nothing at all.
        const printed = compile(ts, first.js, { compilerOptions: jsOptions, transformer: false }).js;
        const again = compile(ts, printed, { compilerOptions: jsOptions, withProgram });
        expect(again.diagnostics, mode).toEqual([]);
        expect(Object.keys(again.js).sort(), mode).toEqual(Object.keys(printed).sort());
        for (const [name, text] of Object.entries(printed)) expect(again.js[name], `${mode}: ${name}`).toBe(text);
        // The same straight from the first output.
        expect(compile(ts, first.js, { compilerOptions: jsOptions, withProgram }).js, mode).toEqual(printed);
      }
    });

    it('ES2015 target: helper calls end up inside the __awaiter generator', async () => {
      const source = OTHER_INPUTS['es2015.ts']!;
      const result = compile(
        ts,
        { 'es2015.ts': source },
        { compilerOptions: { target: ts.ScriptTarget.ES2015, lib: ['lib.es2018.d.ts'], types: [] } },
      );
      const out = result.js['es2015.js']!;
      await expect(out).toMatchFileSnapshot(`${SNAPSHOT_DIR}/es2015-target.js`);
      expect(out).not.toMatch(/\bawait\b(?! __)/); // TypeScript turned every await into yield
      expect(out).toMatch(
        /return __awaiter\(this, void 0, void 0, function\* \(\) \{\n\s+const __otelFrame = __otelCtx\.frame\(\);\n\s+try \{\n\s+try \{\n\s+return __otelCtx\.resume\(__otelFrame, yield __otelCtx\.suspend\(__otelFrame, p\)\);/,
      );
      expect(out).toMatch(/finally \{\n\s+__otelCtx\.reenter\(__otelFrame\);\n\s+console\.log\('done'\);/);
      expect(out).toMatch(/__asyncGenerator\(this, arguments, function\* g_1\(\.\.\.\{ __otelFrame = __otelCtx\.genFrame\(\) \}\)/);
      expect(out).toContain('__otelCtx.resume(__otelFrame, yield __await(__otelCtx.suspend(__otelFrame, p)))');
      // TypeScript lowers a bare `return;` to `return yield __await(void 0)`: we leave before that await.
      expect(out).toContain('return yield __await(__otelCtx.suspend(__otelFrame, void 0));');
    });

    it('a bare return in an async generator suspends below ES2018 (lowered to an await) and stays as it is from ES2018', () => {
      const source = OTHER_INPUTS['bare.ts']!;
      const at = (target: TS.ScriptTarget) =>
        compile(ts, { 'bare.ts': source }, { compilerOptions: { target, lib: ['lib.es2018.d.ts'], types: [] } }).js['bare.js']!;
      expect(at(ts.ScriptTarget.ES2017)).toContain('return yield __await(__otelCtx.suspend(__otelFrame, void 0));');
      for (const target of [ts.ScriptTarget.ES2018, ts.ScriptTarget.ES2022]) {
        const out = at(target);
        expect(out).toMatch(/if \(c\)\n\s+return;/);
        expect(count(out, '__otelCtx.suspend(')).toBe(1); // the yield's
      }
    });

    it('CommonJS output requires the runtime', async () => {
      const source = OTHER_INPUTS['cjs.ts']!;
      const compilerOptions: TS.CompilerOptions = {
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        ...(ts.versionMajorMinor.startsWith('5.') ? {} : { ignoreDeprecations: '6.0' }),
      };
      const result = compile(ts, { 'cjs.ts': source }, { compilerOptions });
      const out = result.js['cjs.js']!;
      await expect(out).toMatchFileSnapshot(`${SNAPSHOT_DIR}/commonjs.js`);
      expect(out).toContain('require("otel-context-transformer/runtime")');
      expect(out).not.toMatch(/^import /m);
      expect(out).toContain('setTimeout(__otelCtx.bind(() => { }), 1);');
      const custom = compile(ts, { 'cjs.ts': source }, { compilerOptions, transform: { runtimeModule: '@acme/otel-runtime' } });
      expect(custom.js['cjs.js']).toContain('require("@acme/otel-runtime")');
    });
  });
}

describe('text backend (transform()): rewrite shapes', () => {
  const inputs = { ...Object.fromEntries(names.map((n) => [`${n}.ts`, SNIPPETS[`${n}.ts`]!])), ...OTHER_INPUTS };
  /** The boundaries transform() reports for a text, and whether each is rewritten already. */
  const boundaries = (code: string, filename: string) => {
    const found: boolean[] = [];
    const result = transform(code, { filename, onBoundary: (b) => found.push(b.rewritten) });
    return { result, found };
  };

  it.each(Object.keys(inputs))('%s, and transforming the output again changes nothing', async (file) => {
    const first = boundaries(inputs[file]!, file);
    expect(first.result, file).toBeDefined();
    expect(first.found.length, 'boundaries found').toBeGreaterThan(0);
    expect(first.found.every((rewritten) => !rewritten)).toBe(true);
    const out = first.result!.code;
    await expect(out).toMatchFileSnapshot(`${SNAPSHOT_DIR}/text/${file}`);
    // Idempotence: the output is left as it is, and it carries every boundary's rewrite.
    const again = boundaries(out, file);
    expect(again.result).toBeUndefined();
    expect(again.found).toEqual(first.found.map(() => true));
  });
});

describe('TypeScript 5 and 6 agree', () => {
  it('emit the same rewrite for every snippet', () => {
    const [five, six] = VERSIONS.map(({ ts }) => compile(ts, withGlobals(ts, SNIPPETS)).js);
    expect(Object.keys(six!).sort()).toEqual(Object.keys(five!).sort());
    for (const name of Object.keys(five!)) expect(six![name], name).toBe(five![name]);
  });
});

// ---------------------------------------------------------------------------

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The text of a top-level `export async function name` up to the next top-level declaration. */
function functionText(out: string, name: string): string {
  const start = out.search(new RegExp(`function ?\\*? ?${name}\\(`));
  expect(start, name).toBeGreaterThanOrEqual(0);
  const end = out.indexOf('\nexport ', start);
  return out.slice(start, end === -1 ? undefined : end);
}
