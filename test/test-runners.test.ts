/**
 * Test runners see the same context behaviour as production: one spec, which
 * asserts parent span ids across an await and a timer, runs under Jest with
 * ts-jest (our AST-transformer module), Jest with babel-jest (our Babel plugin),
 * Vitest (our Vite plugin in vitest.config) and Mocha with tsx (our load hook
 * composed with tsx's), each configured by the README's own snippet. Each
 * passes with the integration and fails without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript shared with `npm run example`
import { linkNodeModules } from '../examples/link-workspace.mjs';
import { blocks, commands, files } from './harness/readme.js';
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
const SPEC = (header: string, ext: string) => `${header}
import assert from 'node:assert/strict';
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
const GLOBAL_IT = 'declare function it(name: string, fn: () => Promise<void>): void;';

/** The README's configs: Test runners (ts-jest, Vitest, Mocha) and the Babel section's preset-env config (babel-jest). */
const [configBlock, mochaBlock] = blocks('Test runners');
const readmeFiles = files(configBlock!);
const babelConfig = files(blocks('Babel and React Native')[0]!).get('babel.config.js')!;
const mochaLine = commands(mochaBlock!).find((c) => c.includes('mocha'))!;
const mochaNodeOptions = /NODE_OPTIONS='([^']+)'/.exec(mochaLine)?.[1];
const mochaGlob = /npx mocha '([^']+)'/.exec(mochaLine)?.[1];

/** The README text with the integration taken out: what the same project is without it. */
function without(text: string | undefined, pattern: RegExp): string {
  expect(text, 'README snippet').toBeDefined();
  const stripped = text!.replace(pattern, '');
  expect(stripped, `the README snippet no longer matches ${pattern}`).not.toBe(text);
  return stripped;
}

interface Runner {
  name: string;
  /** Files of the project, with and without the integration; `dir` is where the spec and code go. */
  files(integrated: boolean): Record<string, string>;
  dir?: string;
  specHeader: string;
  ext?: string;
  command: string[];
  nodeOptions?(integrated: boolean): string;
}

const bin = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);
const CJS_PACKAGE = '{ "name": "spec", "private": true }\n';
const ESM_PACKAGE = '{ "name": "spec", "private": true, "type": "module" }\n';
const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'commonjs', esModuleInterop: true, strict: true, skipLibCheck: true, types: ['node'] },
});

const RUNNERS: Runner[] = [
  {
    name: 'Jest + ts-jest (astTransformers)',
    files: (on) => ({
      'package.json': CJS_PACKAGE,
      'tsconfig.json': TSCONFIG,
      'jest.config.js': on ? readmeFiles.get('jest.config.js')! : without(readmeFiles.get('jest.config.js'), /astTransformers: \{[^}]*\} /),
    }),
    specHeader: GLOBAL_IT,
    command: [bin('jest', 'bin/jest.js'), '--ci', '--no-cache'],
  },
  {
    name: 'Jest + babel-jest',
    files: (on) => ({
      'package.json': CJS_PACKAGE,
      'babel.config.js': on ? babelConfig : without(babelConfig, /^\s*plugins: .*\n/m),
    }),
    specHeader: '',
    command: [bin('jest', 'bin/jest.js'), '--ci', '--no-cache'],
  },
  {
    name: 'Vitest (Vite plugin in vitest.config)',
    files: (on) => ({
      'package.json': ESM_PACKAGE,
      'vitest.config.ts': on
        ? readmeFiles.get('vitest.config.ts')!
        : without(readmeFiles.get('vitest.config.ts'), /plugins: \[otelContext\(\)\] /),
    }),
    specHeader: "import { it } from 'vitest';",
    command: [bin('vitest', 'vitest.mjs'), 'run'],
  },
  {
    name: 'Mocha + tsx (load hook composed with tsx)',
    files: () => ({ 'package.json': ESM_PACKAGE }),
    dir: 'test',
    specHeader: GLOBAL_IT,
    ext: '.ts',
    command: [bin('mocha', 'bin/mocha.js'), mochaGlob ?? 'README: no mocha glob'],
    nodeOptions: (on) => (on ? mochaNodeOptions! : without(mochaNodeOptions, / --import otel-context-transformer\/register/)),
  },
];

function project(runner: Runner, integrated: boolean): string {
  const dir = join(tmp, `${runner.name.replace(/[^a-z0-9]+/gi, '-')}-${integrated ? 'on' : 'off'}`);
  rmSync(dir, { recursive: true, force: true });
  const sources = join(dir, runner.dir ?? '');
  mkdirSync(sources, { recursive: true });
  const ext = runner.ext ?? '';
  for (const [file, text] of Object.entries({
    'otel-setup.ts': SETUP,
    'checkout.ts': CODE,
    'checkout.spec.ts': SPEC(runner.specHeader, ext),
  })) {
    writeFileSync(join(sources, file), text);
  }
  for (const [file, text] of Object.entries(runner.files(integrated))) writeFileSync(join(dir, file), text);
  linkNodeModules(dir, {});
  return dir;
}

function run(runner: Runner, integrated: boolean): { status: number | null; output: string } {
  const dir = project(runner, integrated);
  const result = spawnSync(process.execPath, runner.command, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    // NODE_PATH: the project's node_modules links to the checkout's packages, and a package resolving
    // another from its real path (ts-jest loading our module) would not find its sibling otherwise.
    env: {
      ...process.env,
      CI: 'true',
      NODE_OPTIONS: runner.nodeOptions?.(integrated) ?? '',
      NODE_PATH: join(dir, 'node_modules'),
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('test runners run the spec in the context production has', () => {
  for (const runner of RUNNERS) {
    it(
      runner.name,
      () => {
        const on = run(runner, true);
        expect(on.output).toMatch(/1 pass|Tests:\s+1 passed|1 passed/);
        expect(on.status, on.output).toBe(0);
        const off = run(runner, false);
        // Without the integration the same spec fails on the parent span id.
        expect(off.status, off.output).not.toBe(0);
        expect(off.output).toMatch(/timer child parent|after await parent/);
      },
      180_000,
    );
  }
});

it('the version ts-jest keys its cache on is the package version', () => {
  expect(VERSION).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
});
