/**
 * Where a value comes from (src/transformer/origins.ts), as each backend's
 * syntax sees it: oxc's ESTree (text transform, bundlers, Babel, CLI, load
 * hook), TypeScript's AST without a checker (transpile mode), and with one (the
 * tsconfig plugin), which also follows imports across files and re-exports.
 * Each source calls `probe(x)`; the table says what x's origin must be.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSync } from 'oxc-parser';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { estreeSyntax, type Node } from '../src/transformer/estree-syntax.js';
import { lazyScope, ORIGIN_CALL, ORIGIN_NEW, originOf, sameModule, type Origin, type Scope } from '../src/transformer/origins.js';
import type { Oracle, Syntax } from '../src/transformer/syntax.js';
import { checkerOracle } from '../src/transformer/ts-oracle.js';
import { tsSyntax } from '../src/transformer/ts-syntax.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;

/** The origin of each `probe(x)` argument, in source order. */
function probes<N>(syntax: Syntax<N>, root: N, oracle?: Oracle<N>): Array<Origin | undefined> {
  const found: Array<Origin | undefined> = [];
  const scopes: Array<Scope<N>> = [];
  const walk = (node: N): void => {
    if (syntax.kind(node) === 'call') {
      const callee = syntax.callee(node);
      if (syntax.kind(callee) === 'identifier' && syntax.name(callee) === 'probe') {
        found.push(originOf({ syntax, scopes, oracle }, syntax.callArguments(node)[0]!));
        return;
      }
    }
    const opens = syntax.scopeParts(node) !== undefined;
    if (opens) scopes.push(lazyScope(syntax, node));
    syntax.forEachChild(node, walk);
    if (opens) scopes.pop();
  };
  walk(root);
  return found;
}

function viaEstree(source: string): Array<Origin | undefined> {
  const { program } = parseSync('input.ts', source, { lang: 'ts', sourceType: 'module' });
  return probes(estreeSyntax([]), program as unknown as Node);
}

function viaTypeScript(source: string): Array<Origin | undefined> {
  const file = ts.createSourceFile('input.ts', source, ts.ScriptTarget.ESNext, true);
  return probes(tsSyntax(ts, []), file as TS.Node);
}

/**
 * With a Program and its checker, over files on disk (`files` besides the
 * inputs), with Node's types: one Program for many inputs (each takes a second to check).
 */
function viaCheckerMany(sources: string[], files: Record<string, string> = {}): Array<Array<Origin | undefined>> {
  const dir = mkdtempSync(join(tmpdir(), 'origins-'));
  const inputs = sources.map((source, i) => {
    writeFileSync(join(dir, `input${i}.ts`), source);
    return join(dir, `input${i}.ts`);
  });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const program = ts.createProgram(inputs, {
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [join(import.meta.dirname, '..', 'node_modules', '@types')],
    noEmit: true,
  });
  const oracle = checkerOracle(ts, program.getTypeChecker());
  return inputs.map((input) => probes(tsSyntax(ts, []), program.getSourceFile(input)! as TS.Node, oracle));
}

const viaChecker = (source: string, files: Record<string, string> = {}) => viaCheckerMany([source], files)[0]!;

const global = (...path: string[]): Origin => ({ module: undefined, path });
const fromModule = (module: string, ...path: string[]): Origin => ({ module, path });

/** [what, source, expected origin of each probe] — the same for every backend. */
const CASES: Array<[string, string, Array<Origin | undefined>]> = [
  ['a global', 'probe(setTimeout);', [global('setTimeout')]],
  [
    'through the global object',
    'probe(globalThis.process.nextTick); probe(window["queueMicrotask"]);',
    [global('process', 'nextTick'), global('queueMicrotask')],
  ],
  ['a const alias', 'const later = queueMicrotask; probe(later);', [global('queueMicrotask')]],
  ['an alias of an alias', 'const a = setTimeout; const b = a; probe(b);', [global('setTimeout')]],
  ['destructured from the global object', 'const { setTimeout: st } = globalThis; probe(st);', [global('setTimeout')]],
  ['nested destructuring', 'const { process: { nextTick } } = globalThis; probe(nextTick);', [global('process', 'nextTick')]],
  [
    'resolved where the const is declared, not where it is used',
    'const later = queueMicrotask; function f() { const queueMicrotask = () => {}; probe(later); probe(queueMicrotask); }',
    [global('queueMicrotask'), undefined],
  ],
  ['a parameter shadows the global', 'function f(setTimeout: any) { probe(setTimeout); }', [undefined]],
  ['a let may be reassigned', 'let later = queueMicrotask; probe(later);', [undefined]],
  ['a default value may replace it', 'declare const o: any; const { a = setTimeout } = o; probe(a);', [undefined]],
  ['a rest element', 'const { ...rest } = globalThis; probe(rest.setTimeout);', [undefined]],
  ['a function declaration', 'function later() {} probe(later);', [undefined]],
  ['a named import', "import { spawn as sp } from 'node:child_process'; probe(sp);", [fromModule('node:child_process', 'spawn')]],
  ['a namespace import', "import * as cp from 'child_process'; probe(cp.exec);", [fromModule('child_process', 'exec')]],
  [
    'require',
    "const { Worker } = require('worker_threads'); probe(Worker); probe(require('node:child_process').fork);",
    [fromModule('worker_threads', 'Worker'), fromModule('node:child_process', 'fork')],
  ],
  ['import = require', "import cp = require('child_process'); probe(cp.execFile);", [fromModule('child_process', 'execFile')]],
  [
    "an instance's method, a call's result",
    "import PQueue from 'p-queue'; import pLimit from 'p-limit'; const q = new PQueue(); const limit = pLimit(2); probe(q.add); probe(limit);",
    [fromModule('p-queue', 'default', ORIGIN_NEW, 'add'), fromModule('p-limit', 'default', ORIGIN_CALL)],
  ],
  ['a shadowed require', "function f(require: any) { probe(require('child_process')); }", [undefined]],
  [
    "CommonJS output's interop helpers",
    "declare function __importStar(m: any): any; declare function __importDefault(m: any): any; const cp = __importStar(require('node:child_process')); const d = __importDefault(require('child_process')); probe(cp.fork); probe(d.default.spawn);",
    [fromModule('node:child_process', 'fork'), fromModule('child_process', 'default', 'spawn')],
  ],
  [
    "a compiler's CommonJS interop and `(0, f)` calls",
    "declare function __importDefault(m: any): any; const q = __importDefault(require('p-queue')); probe(new q.default().add); " +
      "probe((0, q.default)); probe(__importDefault(require('p-limit')).default(1));",
    [fromModule('p-queue', 'default', ORIGIN_NEW, 'add'), fromModule('p-queue', 'default'), fromModule('p-limit', 'default', ORIGIN_CALL)],
  ],
  ['a sequence with code before the value', 'declare function g(): void; probe((g(), setTimeout));', [undefined]],
  [
    'await import(), and the form CommonJS output gives it',
    "declare function __importStar(m: any): any; async function f() { const { Worker } = await import('node:worker_threads'); " +
      "const cp = await Promise.resolve().then(() => __importStar(require('child_process'))); probe(Worker); probe(cp.spawn); " +
      "probe((await import('child_process')).fork); }",
    [fromModule('node:worker_threads', 'Worker'), fromModule('child_process', 'spawn'), fromModule('child_process', 'fork')],
  ],
  [
    'a declared boundary loaded by await import()',
    "async function f() { const { default: PQueue } = await import('p-queue'); const q = new PQueue(); probe(q.add); " +
      "const pLimit = (await import('p-limit')).default; probe(pLimit(1)); }",
    [fromModule('p-queue', 'default', ORIGIN_NEW, 'add'), fromModule('p-limit', 'default', ORIGIN_CALL)],
  ],
  [
    'not a module: an import() of a name, an await of anything else, a shadowed Promise',
    'async function f(name: string, p: any, Promise: any) { const a = await import(name); const b = await p; ' +
      "const c = await Promise.resolve().then(() => require('child_process')); probe(a.spawn); probe(b.spawn); probe(c.spawn); }",
    [undefined, undefined, undefined],
  ],
];

let checked: Array<Array<Origin | undefined>> | undefined;
const BACKENDS = {
  estree: (i: number) => viaEstree(CASES[i]![1]),
  typescript: (i: number) => viaTypeScript(CASES[i]![1]),
  checker: (i: number) => (checked ??= viaCheckerMany(CASES.map(([, source]) => source)))[i]!,
};

describe.each(Object.entries(BACKENDS))('origins through %s', (_name, resolve) => {
  it.each(CASES.map((c, i) => [c[0], i, c[2]] as const))('%s', (_what, index, expected) => {
    const actual = resolve(index);
    expect(actual.length).toBe(expected.length);
    actual.forEach((origin, i) => {
      const want = expected[i];
      if (!want) return expect(origin, `probe ${i}`).toBeUndefined();
      expect(origin, `probe ${i}`).toBeDefined();
      expect(origin!.path, `probe ${i}`).toEqual(want.path);
      // The checker names Node's built-ins as their types declare them (`child_process`); either spelling is the same module.
      if (want.module === undefined) expect(origin!.module, `probe ${i}`).toBeUndefined();
      else expect(sameModule(origin!.module, want.module), `probe ${i}: ${origin!.module}`).toBe(true);
    });
  });
});

describe('origins the checker alone can follow', () => {
  it('a const exported by another file', () => {
    const source = "import { later } from './util.js'; probe(later);";
    expect(viaChecker(source, { 'util.ts': 'export const later = queueMicrotask;' })).toEqual([global('queueMicrotask')]);
    // Without the checker only the import is known.
    expect(viaEstree(source)).toEqual([fromModule('./util.js', 'later')]);
  });

  it('a re-export', () => {
    const source = "import { spawn } from './util.js'; probe(spawn);";
    const [origin] = viaChecker(source, { 'util.ts': "export { spawn } from 'node:child_process';" });
    expect(origin?.path).toEqual(['spawn']);
    expect(sameModule(origin?.module, 'child_process')).toBe(true);
  });

  it('a local declared with a type is not a global', () => {
    expect(viaChecker('declare function probe(x: unknown): void; let t = setTimeout; probe(t);')).toEqual([undefined]);
  });
});
