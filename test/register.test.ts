/**
 * `node --import otel-context-transformer/register app`: the transform at load
 * time. Real apps in child processes on the real OTel SDK, each run with and
 * without the hook: with it the trace tree is connected, without it broken.
 *
 * Node 20 (this project's Node) for ES modules and for CommonJS through
 * require(); Node 24 (tools/node24, installed by `npm test`'s pretest step: scripts/ensure-node24.mjs)
 * for TypeScript run directly, where Node strips the types.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'test/.tmp/register');

/** Node 24 from tools/node24 (see its package.json); a root install of the same package would do too. */
const NODE24 = [join(root, 'tools/node24/node_modules/node24/bin/node'), join(root, 'node_modules/node24/bin/node')].find((p) =>
  existsSync(p),
);

const SETUP_MJS = `
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
export function report() {
  const spans = exporter.getFinishedSpans();
  const names = new Map(spans.map((s) => [s.spanContext().spanId, s.name]));
  console.log('@@TREE ' + JSON.stringify(Object.fromEntries(spans.map((s) => [s.name, names.get(s.parentSpanContext?.spanId) ?? null]))));
}
`;

const SETUP_CJS = SETUP_MJS.replace(/^import \{ (.+) \} from '(.+)';$/gm, "const { $1 } = require('$2');").replace(
  'export function report',
  'exports.report = function report',
);

/** The async work, as each app's own module: an await, a timer and a then-callback inside a span. */
const WORK_BODY = `
  await tracer.startActiveSpan('request', async (span) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    tracer.startSpan('after-await').end();
    await new Promise((resolve) => setTimeout(() => { tracer.startSpan('in-timer').end(); resolve(); }, 1));
    await Promise.resolve().then(() => tracer.startSpan('in-then').end());
    span.end();
  });
`;

const CONNECTED = { request: null, 'after-await': 'request', 'in-timer': 'request', 'in-then': 'request' };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  tree?: Record<string, string | null>;
}

function run(node: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const childEnv = { ...process.env, ...env };
  if (!('OTEL_CONTEXT_TRANSFORMER_OPTIONS' in env)) delete childEnv.OTEL_CONTEXT_TRANSFORMER_OPTIONS;
  delete childEnv.NODE_OPTIONS;
  const result = spawnSync(node, args, { cwd, env: childEnv, encoding: 'utf8', timeout: 60_000 });
  const line = result.stdout.split('\n').find((l) => l.startsWith('@@TREE '));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, tree: line ? JSON.parse(line.slice(7)) : undefined };
}

function writeApp(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const HOOK = ['--import', 'otel-context-transformer/register'];

/** Runs the app with and without the hook; the hook must connect what is broken without it. */
function expectConnectedOnlyWithHook(node: string, dir: string, entry: string, hook = HOOK) {
  const without = run(node, [entry], dir);
  expect(without.stderr).toBe('');
  expect(without.tree).toBeDefined();
  expect(without.tree).not.toEqual(CONNECTED);
  const withHook = run(node, [...hook, entry], dir);
  expect(withHook.stderr).toBe('');
  expect(withHook.status).toBe(0);
  expect(withHook.tree).toEqual(CONNECTED);
}

beforeAll(() => {
  execFileSync(process.execPath, ['-e', 'require.resolve("otel-context-transformer/register")'], { cwd: root });
});

describe('Node 20', () => {
  it('ES modules: node --import otel-context-transformer/register app.mjs', () => {
    const dir = writeApp('esm', {
      'setup.mjs': SETUP_MJS,
      'work.mjs': `import { trace } from '@opentelemetry/api';\nconst tracer = trace.getTracer('app');\nexport async function work() {${WORK_BODY}}\n`,
      'app.mjs': `import { report } from './setup.mjs';\nimport { work } from './work.mjs';\nawait work();\nreport();\n`,
    });
    expectConnectedOnlyWithHook(process.execPath, dir, 'app.mjs');
  });

  it('CommonJS through require(): an app.cjs entry requiring its modules', () => {
    const dir = writeApp('cjs', {
      'setup.cjs': SETUP_CJS,
      'lib/work.cjs': `const { trace } = require('@opentelemetry/api');\nconst tracer = trace.getTracer('app');\nexports.work = async function work() {${WORK_BODY}};\n`,
      'app.cjs': `const { report } = require('./setup.cjs');\nconst { work } = require('./lib/work.cjs');\nwork().then(report);\n`,
    });
    expectConnectedOnlyWithHook(process.execPath, dir, 'app.cjs');
  });

  it('node --require otel-context-transformer/register (the CommonJS build) works the same', () => {
    const dir = join(work, 'cjs');
    expectConnectedOnlyWithHook(process.execPath, dir, 'app.cjs', ['--require', 'otel-context-transformer/register']);
  });

  it('leaves node_modules alone: a dependency schedules its own timers untouched', () => {
    const dir = writeApp('deps', {
      'setup.mjs': SETUP_MJS,
      'node_modules/fake-lib/package.json': '{ "name": "fake-lib", "version": "1.0.0", "main": "index.js" }\n',
      'node_modules/fake-lib/index.js': 'exports.later = (fn) => new Promise((resolve) => setTimeout(() => { fn(); resolve(); }, 1));\n',
      'app.mjs': `import { report } from './setup.mjs';\nimport { trace } from '@opentelemetry/api';\nimport { later } from 'fake-lib';\nconst tracer = trace.getTracer('app');\nawait tracer.startActiveSpan('request', async (span) => {\n  await later(() => tracer.startSpan('in-library-timer').end());\n  tracer.startSpan('after-await').end();\n  span.end();\n});\nreport();\n`,
    });
    const result = run(process.execPath, [...HOOK, 'app.mjs'], dir);
    expect(result.stderr).toBe('');
    // Our own continuation is carried; the callback the library scheduled is not (README: Limits).
    expect(result.tree).toEqual({ request: null, 'after-await': 'request', 'in-library-timer': null });
  });

  it('source maps: with --enable-source-maps a stack trace points at the original line and column', () => {
    const source = `async function main() {\n  await new Promise((resolve) => setTimeout(resolve, 1));\n  await null; throw new Error('boom');\n}\nmain();\n`;
    const dir = writeApp('maps', { 'app.mjs': source });
    const result = run(process.execPath, ['--enable-source-maps', ...HOOK, 'app.mjs'], dir);
    expect(result.status).not.toBe(0);
    const column = source.split('\n')[2]!.indexOf('new Error') + 1;
    expect(result.stderr).toContain(`app.mjs:3:${column}`);
  });
});

describe('options from OTEL_CONTEXT_TRANSFORMER_OPTIONS', () => {
  const dir = () => join(work, 'esm');

  it.each([
    ['{"skip": [', /OTEL_CONTEXT_TRANSFORMER_OPTIONS is not valid JSON/],
    ['{"bogus": true}', /OTEL_CONTEXT_TRANSFORMER_OPTIONS: unknown option "bogus"; allowed options: /],
    ['{"skip": ["timers", "nope"]}', /OTEL_CONTEXT_TRANSFORMER_OPTIONS: option "skip" has unknown value "nope"/],
    ['["include"]', /OTEL_CONTEXT_TRANSFORMER_OPTIONS: options must be an object/],
  ])('%s: exits with an error naming the problem', (value, message) => {
    const result = run(process.execPath, [...HOOK, 'app.mjs'], dir(), { OTEL_CONTEXT_TRANSFORMER_OPTIONS: value });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^otel-context-transformer\/register: /);
    expect(result.stdout).toBe('');
  });

  it('valid options apply: skip timers', () => {
    const result = run(process.execPath, [...HOOK, 'app.mjs'], dir(), { OTEL_CONTEXT_TRANSFORMER_OPTIONS: '{"skip": ["timers"]}' });
    expect(result.stderr).toBe('');
    expect(result.tree).toEqual({ ...CONNECTED, 'in-timer': null });
  });

  it("valid options apply: boundaries declare a library of the user's own (issue 10)", () => {
    const dir = writeApp('declared', {
      'setup.mjs': SETUP_MJS,
      'node_modules/job-pool/package.json': '{ "name": "job-pool", "version": "1.0.0", "main": "index.js" }\n',
      'node_modules/job-pool/index.js':
        'exports.Pool = class Pool { submit(job) { return new Promise((resolve) => setTimeout(() => { job(); resolve(); }, 1)); } };\n',
      'app.mjs': `import { report } from './setup.mjs';\nimport { trace } from '@opentelemetry/api';\nimport { Pool } from 'job-pool';\nconst tracer = trace.getTracer('app');\nconst pool = new Pool();\nawait tracer.startActiveSpan('request', async (span) => {\n  await pool.submit(() => tracer.startSpan('in-pool').end());\n  span.end();\n});\nreport();\n`,
    });
    const boundaries = JSON.stringify({ boundaries: [{ module: 'job-pool', call: 'Pool.prototype.submit', callbackArg: 0 }] });
    const declared = run(process.execPath, [...HOOK, 'app.mjs'], dir, { OTEL_CONTEXT_TRANSFORMER_OPTIONS: boundaries });
    expect(declared.stderr).toBe('');
    expect(declared.tree).toEqual({ request: null, 'in-pool': 'request' });
    // Undeclared, the pool's job runs from the pool's own timer, outside the request.
    expect(run(process.execPath, [...HOOK, 'app.mjs'], dir).tree).toEqual({ request: null, 'in-pool': null });
    const invalid = run(process.execPath, [...HOOK, 'app.mjs'], dir, {
      OTEL_CONTEXT_TRANSFORMER_OPTIONS: JSON.stringify({ boundaries: [{ module: 'job-pool', call: 'Pool..submit', callbackArg: 0 }] }),
    });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('option "boundaries", entry 0: field "call" "Pool..submit" is invalid');
  });

  it('valid options apply: exclude a file', () => {
    const result = run(process.execPath, [...HOOK, 'app.mjs'], dir(), {
      OTEL_CONTEXT_TRANSFORMER_OPTIONS: '{"exclude": ["**/node_modules/**", "**/work.mjs"]}',
    });
    expect(result.stderr).toBe('');
    expect(result.tree).not.toEqual(CONNECTED);
  });
});

describe.runIf(NODE24)('Node 24, TypeScript run directly (Node strips the types)', () => {
  it('node --import otel-context-transformer/register app.ts (ES modules)', () => {
    const dir = writeApp('ts-esm', {
      'setup.mjs': SETUP_MJS,
      'work.ts': `import { trace, type Span } from '@opentelemetry/api';\nconst tracer = trace.getTracer('app');\ninterface Options { label: string }\nexport async function work(options: Options): Promise<void> {${WORK_BODY.replace('async (span)', 'async (span: Span)').replace('(resolve) =>', '(resolve: () => void) =>')}}\n`,
      'app.ts': `import { report } from './setup.mjs';\nimport { work } from './work.ts';\nawait work({ label: 'x' });\nreport();\n`,
    });
    expectConnectedOnlyWithHook(NODE24!, dir, 'app.ts');
  });

  it('CommonJS TypeScript: app.cts requiring a .cts and a plain .cjs module', () => {
    const dir = writeApp('ts-cjs', {
      'setup.cjs': SETUP_CJS,
      'sleep.cjs':
        'exports.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\nexports.later = (fn) => new Promise((resolve) => setTimeout(() => { fn(); resolve(); }, 1));\n',
      'work.cts': `const { trace } = require('@opentelemetry/api');\nconst { sleep, later } = require('./sleep.cjs');\nconst tracer = trace.getTracer('app');\nexports.work = async function work(ms: number): Promise<void> {\n  await tracer.startActiveSpan('request', async (span: { end(): void }) => {\n    await sleep(ms);\n    tracer.startSpan('after-await').end();\n    await later(() => tracer.startSpan('in-timer').end());\n    await Promise.resolve().then(() => tracer.startSpan('in-then').end());\n    span.end();\n  });\n};\n`,
      'app.cts': `const { report } = require('./setup.cjs');\nconst { work } = require('./work.cts');\nwork(2).then(report);\n`,
    });
    expectConnectedOnlyWithHook(NODE24!, dir, 'app.cts');
  });
});

it('Node 24 is installed for the TypeScript tests', () => {
  expect(NODE24, 'tools/node24 is missing: run `node scripts/ensure-node24.mjs` (the pretest step of npm test runs it)').toBeDefined();
});
