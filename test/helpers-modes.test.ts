/**
 * The three ways compiled code reaches the helpers (option `helpers`), each
 * run for real: an ES module importing the runtime, a CommonJS file requiring
 * it, and a plain script reading what the dist/global.iife.js prelude put on
 * globalThis. In each, the code after an await and a timer callback must see
 * the span active when they were scheduled; the untransformed program must not.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transform } from '../dist/esm/api.js';
import { TMP_DIR } from './harness/run.js';

const dir = join(TMP_DIR, 'helpers-modes');
const PRELUDE = resolve(import.meta.dirname, '../dist/global.iife.js');

// Uses `api`, `runtime`, `require` and `done` from the setup of each mode.
const PROGRAM = `
api.context.setGlobalContextManager(new runtime.CompiledContextManager().enable());
api.trace.setGlobalTracerProvider(new (require('@opentelemetry/sdk-trace-base').BasicTracerProvider)());
const tracer = api.trace.getTracer('t');
const seen = [];
tracer.startActiveSpan('outer', async (span) => {
  await new Promise((r) => setTimeout(r, 1));
  seen.push(api.trace.getActiveSpan()?.name ?? 'none');
  setTimeout(() => {
    seen.push(api.trace.getActiveSpan()?.name ?? 'none');
    span.end();
    done(seen);
  }, 1);
});
`;
const DONE = 'const done = (seen) => console.log(JSON.stringify(seen));\n';

function run(file: string): string[] {
  return JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: dir }).trim().split('\n').pop()!);
}

/** Writes the transformed and the plain program; runs both. */
function check(
  name: string,
  source: string,
  helpers: 'import' | 'require' | 'global',
  expectInOutput: string,
  wrap = (code: string) => code,
) {
  const out = transform(source, { filename: join(dir, name), helpers })!;
  expect(out.code).toContain(expectInOutput);
  writeFileSync(join(dir, name), wrap(out.code));
  writeFileSync(join(dir, `plain-${name}`), wrap(source));
  expect(run(join(dir, name))).toEqual(['outer', 'outer']);
  expect(run(join(dir, `plain-${name}`))).toEqual(['none', 'none']);
}

describe('helpers: import | require | global', () => {
  mkdirSync(dir, { recursive: true });

  it('import: an ES module', () => {
    const setup = `import * as api from '@opentelemetry/api';
import * as runtime from 'otel-context-transformer/runtime';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
${DONE}`;
    check('app.mjs', setup + PROGRAM, 'import', 'import * as __otelCtx from "otel-context-transformer/runtime"');
  });

  it('require: a CommonJS file', () => {
    const setup = `const api = require('@opentelemetry/api');
const runtime = require('otel-context-transformer/runtime');
${DONE}`;
    check('app.cjs', setup + PROGRAM, 'require', 'const __otelCtx = require("otel-context-transformer/runtime")');
  });

  it('global: a plain script after the IIFE prelude', () => {
    // The script runs as a classic script (vm.runInThisContext), with the prelude loaded first, as a page would.
    const script = DONE + PROGRAM;
    const host = (code: string) => `const vm = require('node:vm');
const fs = require('node:fs');
globalThis.api = require('@opentelemetry/api');
globalThis.runtime = require('otel-context-transformer/runtime');
globalThis.require = require;
vm.runInThisContext(fs.readFileSync(${JSON.stringify(PRELUDE)}, 'utf8'));
vm.runInThisContext(${JSON.stringify(code)});
`;
    check('app.js.cjs', script, 'global', 'var __otelCtx = globalThis[Symbol.for("otel-context-transformer.helpers.v1")]', host);
  });
});
