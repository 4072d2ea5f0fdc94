/**
 * Test runners see the same context behaviour as production: one spec, which
 * asserts parent span ids across an await and a timer, runs under Jest with
 * ts-jest (our AST-transformer module), Jest with babel-jest (our Babel plugin),
 * Vitest (our Vite plugin in vitest.config) and Mocha with tsx (our load hook
 * composed with tsx's). Each passes with the integration and fails without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript shared with `npm run example`
import { linkNodeModules } from '../examples/link-workspace.mjs';
import { VERSION } from '../dist/esm/version.js';

const require = createRequire(import.meta.url);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(repo, 'test', '.tmp', 'test-runners');

const SETUP = `import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';

export const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
`;

const CODE = `import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('under-test');

export async function handle(): Promise<string> {
  return tracer.startActiveSpan('request', async (span) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise<void>((resolve) => setTimeout(() => { tracer.startSpan('timer child').end(); resolve(); }, 1));
    tracer.startSpan('after await').end();
    span.end();
    return span.spanContext().spanId;
  });
}
`;

/** The spec a user would write: parent span ids, as in production. */
const SPEC = (ext: string) => `import assert from 'node:assert/strict';
import { exporter } from './otel-setup${ext}';
import { handle } from './checkout${ext}';

it('children keep their parent across an await and a timer', async () => {
  const requestId = await handle();
  const spans = exporter.getFinishedSpans();
  const request = spans.find((s) => s.name === 'request')!;
  for (const name of ['timer child', 'after await']) {
    const child = spans.find((s) => s.name === name)!;
    assert.equal(child.parentSpanContext?.spanId, requestId, name + ' parent');
    assert.equal(child.spanContext().traceId, request.spanContext().traceId, name + ' trace');
  }
});
`;

interface Runner {
  name: string;
  /** Files of the project, with and without the integration. */
  files(integrated: boolean): Record<string, string>;
  /** The command, run in the project directory. */
  command: string[];
  env?: Record<string, string>;
}

const bin = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);
const CJS_PACKAGE = '{ "name": "spec", "private": true }\n';
const ESM_PACKAGE = '{ "name": "spec", "private": true, "type": "module" }\n';
const TSCONFIG = JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', esModuleInterop: true, strict: true, skipLibCheck: true, types: [] } });

const RUNNERS: Runner[] = [
  {
    name: 'Jest + ts-jest (astTransformers)',
    files: (on) => ({
      'package.json': CJS_PACKAGE,
      'tsconfig.json': TSCONFIG,
      'jest.config.js': `module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\\\.tsx?$': ['ts-jest', { diagnostics: false${on ? ", astTransformers: { before: ['otel-context-transformer/ts-jest'] }" : ''} }] },
};
`,
    }),
    command: [bin('jest', 'bin/jest.js'), '--ci', '--no-cache'],
  },
  {
    name: 'Jest + babel-jest',
    files: (on) => ({
      'package.json': CJS_PACKAGE,
      'babel.config.js': `module.exports = {
  ${on ? "plugins: ['otel-context-transformer/babel']," : ''}
  presets: ['@babel/preset-typescript', ['@babel/preset-env', { targets: { node: 'current' } }]],
};
`,
      'jest.config.js': "module.exports = { testEnvironment: 'node', testMatch: ['**/*.spec.ts'] };\n",
    }),
    command: [bin('jest', 'bin/jest.js'), '--ci', '--no-cache'],
  },
  {
    name: 'Vitest (Vite plugin in vitest.config)',
    files: (on) => ({
      'package.json': ESM_PACKAGE,
      'vitest.config.ts': `import { defineConfig } from 'vitest/config';
${on ? "import otelContext from 'otel-context-transformer/vite';\n" : ''}
export default defineConfig({ ${on ? 'plugins: [otelContext()], ' : ''}test: { globals: true, include: ['**/*.spec.ts'] } });
`,
    }),
    command: [bin('vitest', 'vitest.mjs'), 'run'],
  },
  {
    name: 'Mocha + tsx (load hook composed with tsx)',
    files: () => ({ 'package.json': ESM_PACKAGE }),
    command: [bin('mocha', 'bin/mocha.js'), 'checkout.spec.ts'],
  },
];

function project(runner: Runner, integrated: boolean): string {
  const dir = join(tmp, `${runner.name.replace(/[^a-z0-9]+/gi, '-')}-${integrated ? 'on' : 'off'}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ext = runner.name.startsWith('Mocha') ? '.ts' : '';
  const files = { 'otel-setup.ts': SETUP, 'checkout.ts': CODE, 'checkout.spec.ts': SPEC(ext), ...runner.files(integrated) };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  linkNodeModules(dir, {});
  return dir;
}

function run(runner: Runner, integrated: boolean): { status: number | null; output: string } {
  const dir = project(runner, integrated);
  const mocha = runner.name.startsWith('Mocha');
  const nodeOptions = mocha ? `--import tsx${integrated ? ' --import otel-context-transformer/register' : ''}` : '';
  const result = spawnSync(process.execPath, runner.command, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    // NODE_PATH: the project's node_modules links to the checkout's packages, and a package resolving
    // another from its real path (ts-jest loading our module) would not find its sibling otherwise.
    env: { ...process.env, CI: 'true', NODE_OPTIONS: nodeOptions, NODE_PATH: join(dir, 'node_modules'), FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('test runners run the spec in the context production has', () => {
  for (const runner of RUNNERS) {
    it(runner.name, () => {
      const on = run(runner, true);
      expect(on.output).toMatch(/1 pass|Tests:\s+1 passed|1 passed/);
      expect(on.status, on.output).toBe(0);
      const off = run(runner, false);
      // Without the integration the same spec fails on the parent span id.
      expect(off.status, off.output).not.toBe(0);
      expect(off.output).toMatch(/timer child parent|after await parent/);
    }, 180_000);
  }
});

it('the version ts-jest keys its cache on is the package version', () => {
  expect(VERSION).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
});
