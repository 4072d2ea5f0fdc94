/**
 * What the text backend emits for .ts/.tsx files type-checks wherever the user's code did: bundler
 * plugins hand it to type-checking loaders (ts-loader's default mode, fork-ts-checker, `tsc --noEmit`
 * on what a bundler saw).
 *
 * - every scenario under test/scenarios, through `transform()` (the bundler plugins' core), is
 *   type-checked by the real TypeScript compiler with `strict` and with default options next to its
 *   original: each file must get exactly the diagnostics its original gets (a few scenarios carry
 *   deliberate type errors of their own), no more;
 * - a small app with generators, an async generator consumed by `for await`, awaits and timers is
 *   built by webpack with our plugin and ts-loader in its default (type-checking) mode, must build
 *   without an error, and runs on the real OTel SDK with every span under its request.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarioFiles, SCENARIO_DIR, TMP_DIR, traceProblems, type SpanRecord } from './harness/run.js';
import { transform } from '../dist/esm/api.js';

const ROOT = join(TMP_DIR, 'transformed-types');
const HARNESS = resolve(SCENARIO_DIR, '../harness/scenario.ts');

/** Shapes the scenarios do not spell out with types: an annotated generator whose yield result is used, a typed for await, TSX. */
const TYPED_SHAPES: Record<string, string> = {
  'typed-generators.ts': `
export function* accumulate(): Generator<number, number, number> {
  let total = 0;
  while (total < 10) total += yield total;
  const last: number = yield total;
  return total + last;
}
export async function* numbers(count: number): AsyncGenerator<number, void, undefined> {
  for (let i = 0; i < count; i++) { await new Promise<void>((resolve) => setTimeout(resolve, 1)); yield i; }
}
export async function sum(count: number): Promise<string> {
  let total = 0;
  for await (const n of numbers(count)) total += n;
  for await (const word of ['a', 'b']) total += word.length;
  const g = accumulate();
  g.next();
  return total.toFixed(2) + String(g.next(3).value);
}
export function* withDefaults(this: unknown, a = 1, { b }: { b?: string } = {}) { yield a; yield b?.length; }
export const gen = withDefaults.call(null, 2);
`,
  'component.tsx': `
declare global { namespace JSX { interface IntrinsicElements { div: { children?: unknown } } } }
export async function* rows(): AsyncGenerator<string> { await null; yield 'row'; }
export async function render(): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const row of rows()) out.push(<div>{row.toUpperCase()}</div>);
  setTimeout(() => out.push(<div>late</div>), 1);
  return out;
}
`,
};

interface Checked {
  /** Diagnostics per file (relative to its tree): `TS<code>: <message>`, sorted. */
  byFile: Map<string, string[]>;
}

function typeCheck(files: string[], options: ts.CompilerOptions): Checked {
  const program = ts.createProgram(files, {
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [resolve('node_modules/@types')],
    jsx: ts.JsxEmit.Preserve,
    skipLibCheck: true,
    ...options,
  });
  const byFile = new Map<string, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file ? basename(diagnostic.file.fileName) : '(global)';
    const text = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    byFile.set(file, [...(byFile.get(file) ?? []), text].sort());
  }
  return { byFile };
}

describe('transformed TypeScript type-checks', () => {
  const original = join(ROOT, 'original');
  const transformed = join(ROOT, 'transformed');
  const names: string[] = [];

  beforeAll(async () => {
    rmSync(ROOT, { recursive: true, force: true });
    // No package.json here: the repository's own (type: module, name + exports) resolves
    // otel-context-transformer/runtime to dist/ by self-reference, as an installed package would.
    for (const tree of [original, transformed]) {
      mkdirSync(join(tree, 'scenarios'), { recursive: true });
      mkdirSync(join(tree, 'harness'), { recursive: true });
      writeFileSync(join(tree, 'harness/scenario.ts'), readFileSync(HARNESS));
    }
    const sources: Array<[string, string]> = [
      ...scenarioFiles().map((file): [string, string] => [basename(file), readFileSync(file, 'utf8')]),
      ...Object.entries(TYPED_SHAPES),
    ];
    // A scenario's own options (Scenario.options: listeners: "registration") are what it is compiled with.
    const scenarioOptions = new Map<string, object>();
    for (const file of scenarioFiles()) scenarioOptions.set(basename(file), (await import(file)).scenario?.options ?? {});
    for (const [name, code] of sources) {
      const result = transform(code, { ...scenarioOptions.get(name), filename: join(SCENARIO_DIR, name) });
      expect(result, `${name}: transform() changed nothing`).toBeDefined();
      writeFileSync(join(original, 'scenarios', name), code);
      writeFileSync(join(transformed, 'scenarios', name), result!.code);
      names.push(name);
    }
  });

  for (const [mode, options] of [
    ['strict', { strict: true }],
    ['default options', {}],
  ] as const) {
    it(`tsc --noEmit (${mode}): each transformed file has exactly its original's diagnostics`, () => {
      const files = (tree: string) => names.map((name) => join(tree, 'scenarios', name));
      const before = typeCheck(files(original), options).byFile;
      const after = typeCheck(files(transformed), options).byFile;
      const added: string[] = [];
      for (const name of [...names, 'scenario.ts', '(global)']) {
        const was = before.get(name) ?? [];
        for (const message of after.get(name) ?? []) {
          const at = was.indexOf(message);
          if (at >= 0) was.splice(at, 1);
          else added.push(`${name}: ${message}`);
        }
      }
      expect(added).toEqual([]);
      // The comparison has teeth: the typed shapes type-check cleanly in the original.
      for (const name of Object.keys(TYPED_SHAPES)) expect(before.get(name) ?? [], name).toEqual([]);
    });
  }
});

const APP_TS = `import { trace, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('app');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function* ids(count: number) {
  for (let i = 0; i < count; i++) yield i;
}

async function* pages(count: number) {
  for (const i of ids(count)) {
    await sleep(1);
    tracer.startSpan(\`page-\${i}\`).end();
    yield { index: i, label: \`page \${i}\` };
  }
}

export async function run(): Promise<string[]> {
  const labels: string[] = [];
  await tracer.startActiveSpan('request', async (span: Span) => {
    for await (const page of pages(2)) labels.push(page.label.toUpperCase());
    tracer.startSpan('after-loop').end();
    await new Promise<void>((resolve) => setTimeout(() => { tracer.startSpan('in-timeout').end(); resolve(); }, 1));
    span.end();
  });
  return labels;
}
`;

const DRIVER = `import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { createRequire } from 'node:module';
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
const labels = await createRequire(import.meta.url)('./dist/app.cjs').run();
const spans = exporter.getFinishedSpans().map((s) => ({
  name: s.name, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId,
}));
console.log(JSON.stringify({ labels, spans }));
`;

describe('webpack + ts-loader (default, type-checking mode) + our plugin', () => {
  it('builds without a type error and runs with every span under its request', async () => {
    const app = join(ROOT, 'webpack-ts-loader');
    rmSync(app, { recursive: true, force: true });
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'src/app.ts'), APP_TS);
    writeFileSync(join(app, 'driver.mjs'), DRIVER);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', types: [] },
        include: ['src'],
      }),
    );
    const webpack = (await import('webpack')).default;
    const otelContext = (await import('../dist/esm/bundler/webpack.js')).default;
    const stats = await new Promise<import('webpack').Stats>((done, fail) => {
      const compiler = webpack({
        mode: 'none',
        target: 'node20',
        context: app,
        entry: { app: './src/app.ts' },
        output: { path: join(app, 'dist'), filename: '[name].cjs', library: { type: 'commonjs2' } },
        externalsType: 'commonjs',
        externals: [/^@opentelemetry\/api$/, /^otel-context-transformer\/runtime$/],
        resolve: { extensions: ['.ts', '.js'] },
        module: { rules: [{ test: /\.tsx?$/, use: { loader: 'ts-loader', options: { configFile: join(app, 'tsconfig.json') } } }] },
        plugins: [otelContext()],
        infrastructureLogging: { level: 'error' },
      });
      compiler.run((error, result) => compiler.close(() => (error ? fail(error) : done(result!))));
    });
    const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
    expect((errors ?? []).map((e) => e.message)).toEqual([]);
    expect((warnings ?? []).map((w) => w.message)).toEqual([]);
    // The plugin did run before ts-loader: the bundle calls the runtime.
    expect(readFileSync(join(app, 'dist/app.cjs'), 'utf8')).toContain('otel-context-transformer/runtime');

    const { labels, spans } = JSON.parse(execFileSync(process.execPath, [join(app, 'driver.mjs')], { encoding: 'utf8' })) as {
      labels: string[];
      spans: SpanRecord[];
    };
    expect(labels).toEqual(['PAGE 0', 'PAGE 1']);
    const expected = { request: null, 'page-0': 'request', 'page-1': 'request', 'after-loop': 'request', 'in-timeout': 'request' };
    expect(traceProblems(spans, expected)).toEqual([]);
  });
});
