/**
 * The tsconfig plugin on TypeScript 5.0 (the oldest the peer range allows), 5.9 and 6.0, loaded in one
 * process and used in turn, twice: state the backend keeps per TypeScript instance (SyntaxKind numbers
 * differ between versions) must never leak from one into another. Each compile checks ignore comments
 * and a few rewrites.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import otelContextTransformer from '../src/index.js';
import { compileInMemory } from './harness/in-memory.js';

const require = createRequire(import.meta.url);
const VERSIONS: { name: string; ts: typeof TS }[] = [
  { name: 'TypeScript 5.0', ts: require('typescript-5.0') as typeof TS },
  { name: 'TypeScript 5.9', ts: require('typescript') as typeof TS },
  { name: 'TypeScript 6.0', ts: require('typescript-6') as typeof TS },
];

const SOURCE = `
declare const p: Promise<number>;
declare function use(value: unknown): void;

export function timers(cb: () => void) {
  setTimeout(cb, 1);
  // otel-context-ignore
  setTimeout(cb, 2);
  queueMicrotask(/* otel-context-ignore */ cb);
}

export async function awaits() {
  use(await p);
  return p.then((v) => v + 1);
}

// otel-context-ignore
export async function ignoredFunction() {
  use(await p);
  setTimeout(() => use(1), 3);
}

export function* generator(a: number) {
  yield a;
}

export class K {
  // otel-context-ignore: a reason
  async ignoredMethod() { use(await p); }
  async method() { use(await p); }
}
`;

function compile(ts: typeof TS): { out: string; diagnostics: string[] } {
  const diagnostics: string[] = [];
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
  };
  const { js } = compileInMemory(ts, { 'versions.ts': SOURCE }, options, (program) => [
    otelContextTransformer(
      program,
      {},
      {
        ts,
        addDiagnostic: (d) => diagnostics.push(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      },
    ),
  ]);
  return { out: js['versions.js']!, diagnostics };
}

function section(out: string, from: string, to: string): string {
  const start = out.indexOf(from);
  expect(start, from).toBeGreaterThanOrEqual(0);
  const end = out.indexOf(to, start + from.length);
  return out.slice(start, end === -1 ? undefined : end);
}

describe('TypeScript 5.0, 5.9 and 6.0 in one process', () => {
  // Each version twice, in turn: the second round runs after the other versions were used.
  const rounds = [1, 2].flatMap((round) => VERSIONS.map((v) => ({ ...v, round })));

  it.each(rounds)('$name (round $round): ignore comments and rewrites', ({ ts, name }) => {
    expect(ts.version.slice(0, 3)).toBe(name.slice(-3));
    const { out, diagnostics } = compile(ts);
    expect(diagnostics).toEqual([]);
    const timers = section(out, 'function timers', 'export async function awaits');
    expect(timers).toContain('setTimeout(__otelCtx.bind(cb), 1);');
    expect(timers).toContain('setTimeout(cb, 2);');
    expect(timers).toContain('queueMicrotask(/* otel-context-ignore */ cb);');
    const awaits = section(out, 'function awaits', '// otel-context-ignore');
    expect(awaits).toContain('const __otelFrame = __otelCtx.frame();');
    expect(awaits).toContain('use(__otelCtx.resume(__otelFrame, await __otelCtx.suspend(__otelFrame, p)));');
    expect(awaits).toContain('p.then(__otelCtx.bind((v) => v + 1))');
    expect(section(out, 'function ignoredFunction', 'export function* generator')).not.toContain('__otelCtx');
    expect(out).toContain('export function* generator(a, ...{ __otelFrame = __otelCtx.genFrame() }) {');
    expect(section(out, 'async ignoredMethod', 'async method')).not.toContain('__otelCtx');
    expect(section(out, 'async method', '\n}')).toContain('__otelCtx.frame()');
  });
});
