/**
 * `await using` awaits every disposal when its block ends: a suspension with no
 * expression to wrap. The rewrite leaves before those awaits and resumes after
 * the block. Checked through both backends, on Node 20 (TypeScript lowers
 * `await using` to helpers) and natively on Node 24: after the block the
 * function is in its own context, nothing leaks into uncompiled jobs while the
 * disposals are pending or after, and the untransformed program loses the context.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import otelContextTransformer from '../dist/esm/index.js';
import { transform } from '../dist/esm/api.js';
import { TMP_DIR } from './harness/run.js';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;
const dir = join(TMP_DIR, 'await-using');
const NODE24 = resolve(import.meta.dirname, '../tools/node24/node_modules/node24/bin/node');

const SOURCE = `
import { context, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
context.setGlobalContextManager(new CompiledContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());
const tracer = trace.getTracer('t');
const seen: string[] = [];
const name = () => (trace.getActiveSpan() as any)?.name ?? 'root';
// Uncompiled-style probe: plain timers in their own jobs (they never see a span in a correct program).
const leaks: string[] = [];
const probe = setInterval(() => { if (context.active() !== ROOT_CONTEXT) leaks.push(name()); }, 0);
const resource = (label: string) => ({
  async [Symbol.asyncDispose]() {
    await new Promise((r) => setTimeout(r, 3));
    seen.push(label + ' disposed');
  },
});
async function handler() {
  {
    await using a = resource('a');
    await using b = resource('b');
    seen.push('in block: ' + name());
  }
  seen.push('after block: ' + name());
  await new Promise((r) => setTimeout(r, 3));
  seen.push('after await: ' + name());
}
await tracer.startActiveSpan('request', async (span) => {
  await handler();
  span.end();
});
await new Promise((r) => setTimeout(r, 10));
clearInterval(probe);
console.log(JSON.stringify({ seen, leaks, end: name() }));
`;

function compileWithPlugin(target: TS.ScriptTarget, withTransform: boolean): string {
  const file = join(dir, 'app.ts');
  writeFileSync(file, SOURCE);
  const program = ts.createProgram([file], {
    target,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.esnext.d.ts'],
    types: ['node'],
    skipLibCheck: true,
  });
  let text = '';
  program.emit(undefined, (_, t) => (text = t), undefined, false, {
    before: withTransform ? [otelContextTransformer(program, {}, { ts })] : [],
  });
  return text;
}

function compileWithText(target: TS.ScriptTarget, withTransform: boolean): string {
  const source = withTransform ? transform(SOURCE, { filename: join(dir, 'app.ts') })!.code : SOURCE;
  return ts.transpileModule(source, { compilerOptions: { target, module: ts.ModuleKind.ESNext } }).outputText;
}

function run(node: string, code: string, name: string) {
  const file = join(dir, name);
  writeFileSync(file, code);
  return JSON.parse(execFileSync(node, [file], { encoding: 'utf8' }).trim().split('\n').pop()!);
}

const EXPECTED = ['in block: request', 'b disposed', 'a disposed', 'after block: request', 'after await: request'];

describe('await using', () => {
  mkdirSync(dir, { recursive: true });
  const setups = [
    { name: 'TS plugin, ES2022 (lowered), Node 20', node: process.execPath, compile: compileWithPlugin, target: ts.ScriptTarget.ES2022 },
    { name: 'transform(), ES2022 (lowered), Node 20', node: process.execPath, compile: compileWithText, target: ts.ScriptTarget.ES2022 },
    { name: 'TS plugin, ESNext (native), Node 24', node: NODE24, compile: compileWithPlugin, target: ts.ScriptTarget.ESNext },
    { name: 'transform(), ESNext (native), Node 24', node: NODE24, compile: compileWithText, target: ts.ScriptTarget.ESNext },
  ];
  for (const setup of setups) {
    it.skipIf(!existsSync(setup.node))(setup.name, () => {
      const fixed = run(setup.node, setup.compile(setup.target, true), 'fixed.mjs');
      expect(fixed).toEqual({ seen: EXPECTED, leaks: [], end: 'root' });
      const plain = run(setup.node, setup.compile(setup.target, false), 'plain.mjs');
      expect(plain.seen).not.toEqual(EXPECTED);
    });
  }
});
