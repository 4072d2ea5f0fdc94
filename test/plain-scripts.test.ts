/**
 * Plain scripts (README "Plain scripts"): classic scripts compiled with `helpers: "global"`, the
 * dist/global.iife.js prelude, and the page's OpenTelemetry setup bundled as a classic script that
 * registers CompiledContextManager. Run as classic scripts, in order, in one Node process (vm,
 * this context), on the real SDK:
 * - prelude + setup bundle + compiled script: the request's trace is connected across an await and a
 *   setTimeout (the prelude's helpers and the bundle's manager are two copies of the runtime sharing one slot);
 * - the same script uncompiled: broken (the control);
 * - the compiled script without the prelude: the error says what is missing (the prelude, by name)
 *   instead of `TypeError: Cannot read properties of undefined`. Through both backends that emit the
 *   lookup: the text backend (transform(), bundlers, CLI) and the TypeScript plugin.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { TMP_DIR, traceProblems, type SpanRecord } from './harness/run.js';
import { transform } from '../dist/esm/api.js';
import otelContextTransformer from '../dist/esm/index.js';

const DIR = join(TMP_DIR, 'plain-scripts');
const PRELUDE = resolve('dist/global.iife.js');

const SETUP = `import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
globalThis.page = {
  tracer: trace.getTracer('page'),
  spans: () => exporter.getFinishedSpans().map((s) => ({
    name: s.name, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId,
  })),
};
`;

const APP = `var tracer = page.tracer;
function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
page.done = tracer.startActiveSpan('request', async function (span) {
  await sleep(1);
  tracer.startSpan('after-await').end();
  await new Promise(function (resolve) { setTimeout(function () { tracer.startSpan('in-timeout').end(); resolve(); }, 1); });
  span.end();
});
`;

/** Runs the scripts in order as classic scripts; prints the spans, or the error the page got. */
const PAGE = `import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';
let outcome;
try {
  for (const file of process.argv.slice(2)) runInThisContext(readFileSync(file, 'utf8'), { filename: file });
  await page.done;
  outcome = { spans: page.spans() };
} catch (error) {
  outcome = { error: String(error) };
}
console.log(JSON.stringify(outcome));
`;

const EXPECTED = { request: null, 'after-await': 'request', 'in-timeout': 'request' };

function runPage(...scripts: string[]): { spans?: SpanRecord[]; error?: string } {
  return JSON.parse(execFileSync(process.execPath, [join(DIR, 'page.mjs'), ...scripts], { encoding: 'utf8' }));
}

const BACKENDS = {
  'transform() (text backend)': (code: string) => transform(code, { filename: 'app.js', helpers: 'global' })!.code,
  'TypeScript plugin': (code: string) =>
    ts.transpileModule(code, {
      fileName: 'app.js',
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, allowJs: true },
      transformers: { before: [otelContextTransformer(undefined, { helpers: 'global' })] },
    }).outputText,
};

describe('plain scripts with helpers: "global"', () => {
  beforeAll(async () => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'page.mjs'), PAGE);
    writeFileSync(join(DIR, 'setup.mjs'), SETUP);
    writeFileSync(join(DIR, 'app.plain.js'), APP);
    // The page's OTel setup as a classic script; otel-context-transformer/runtime resolves to this checkout's dist/.
    const entryPoints = [join(DIR, 'setup.mjs')];
    await build({ entryPoints, outfile: join(DIR, 'setup.iife.js'), bundle: true, format: 'iife', logLevel: 'error' });
  });

  it('uncompiled, the trace breaks (the control)', () => {
    const { spans, error } = runPage(PRELUDE, join(DIR, 'setup.iife.js'), join(DIR, 'app.plain.js'));
    expect(error).toBeUndefined();
    expect(traceProblems(spans!, EXPECTED)).not.toEqual([]);
  });

  for (const [backend, compile] of Object.entries(BACKENDS)) {
    describe(backend, () => {
      let app: string;
      beforeAll(() => {
        app = join(DIR, `app.${backend.split(' ')[0]}.js`);
        writeFileSync(app, compile(APP));
      });

      it('prelude, then the setup bundle registering CompiledContextManager, then the script: connected', () => {
        const { spans, error } = runPage(PRELUDE, join(DIR, 'setup.iife.js'), app);
        expect(error).toBeUndefined();
        expect(traceProblems(spans!, EXPECTED)).toEqual([]);
      });

      it('without the prelude: the error names what is missing', () => {
        const { error } = runPage(join(DIR, 'setup.iife.js'), app);
        expect(error).toBeDefined();
        expect(error).not.toMatch(/^TypeError/);
        expect(error).toContain('otel-context-transformer');
        expect(error).toContain('helpers: "global"');
        expect(error).toContain('global.iife.js');
      });
    });
  }
});
