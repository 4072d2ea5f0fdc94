/**
 * One policy for an unexpected exception inside the transform (src/internal-errors.ts),
 * in every integration: the build goes on, a diagnostic names the file (file:line:col,
 * or the tsconfig plugin's warning on the file) and the problem, and the file is left
 * exactly as it was. The fault is injected with OTEL_CONTEXT_TRANSFORMER_INJECT_FAULT,
 * which makes the transform throw inside for files whose path holds its value; without
 * it the same builds rewrite the files (so the fault is what leaves them unchanged).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { INJECT_FAULT_ENV, transform, type Diagnostic } from '../dist/esm/api.js';
import otelContextTransformer from '../dist/esm/index.js';
import { CLI_BIN } from './harness/cli-backends.js';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'test/.tmp/internal-errors');
const FAULT = 'faulty';
const MESSAGE = `internal error, file left unchanged: Error: fault injected by ${INJECT_FAULT_ENV}`;

/** A module with boundaries whose output shows the order of events. */
const MODULE = `export async function run(log) {
  log('start');
  await null;
  setTimeout(() => log('timer'), 1);
  await Promise.resolve(1).then((x) => log('then ' + x));
  log('end');
}
`;

function fresh(name: string, files: Record<string, string>): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function withFault<T>(work: () => T): T {
  process.env[INJECT_FAULT_ENV] = FAULT;
  try {
    return work();
  } finally {
    delete process.env[INJECT_FAULT_ENV];
  }
}

afterEach(() => {
  delete process.env[INJECT_FAULT_ENV];
});

describe('transform() (otel-context-transformer/api)', () => {
  it('returns undefined and reports file:1:1 naming the problem', () => {
    const diagnostics: Diagnostic[] = [];
    const onDiagnostic = (d: Diagnostic) => diagnostics.push(d);
    expect(transform(MODULE, { filename: `/p/${FAULT}.mjs`, onDiagnostic })).toBeDefined();
    const result = withFault(() => transform(MODULE, { filename: `/p/${FAULT}.mjs`, onDiagnostic }));
    expect(result).toBeUndefined();
    expect(diagnostics).toEqual([{ file: `/p/${FAULT}.mjs`, line: 1, column: 1, message: expect.stringContaining(MESSAGE) }]);
    // Only the files the fault names.
    expect(withFault(() => transform(MODULE, { filename: '/p/fine.mjs', onDiagnostic }))).toBeDefined();
  });

  it("an exception from the caller's own callback is not ours: it passes through", () => {
    const mine = new Error('from onBoundary');
    expect(() =>
      transform(MODULE, {
        filename: '/p/a.mjs',
        onBoundary: () => {
          throw mine;
        },
      }),
    ).toThrow(mine);
  });
});

describe('the CLI', () => {
  const cli = (args: string[], cwd: string, fault: boolean) =>
    spawnSync(process.execPath, [CLI_BIN, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', ...(fault ? { [INJECT_FAULT_ENV]: FAULT } : {}) },
    });

  it('apply: an error naming file:1:1, nothing written, exit 1; report: the same error, exit 1', () => {
    const dir = fresh('cli', { [`out/${FAULT}.mjs`]: MODULE, 'out/fine.mjs': MODULE });
    const r = cli(['apply', 'out'], dir, true);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`out/${FAULT}.mjs:1:1: error: ${MESSAGE}`);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['faulty.mjs', 'fine.mjs']);
    expect(readFileSync(join(dir, `out/${FAULT}.mjs`), 'utf8')).toBe(MODULE);
    expect(readFileSync(join(dir, 'out/fine.mjs'), 'utf8')).toBe(MODULE);
    const report = cli(['report', 'out'], dir, true);
    expect(report.status).toBe(1);
    expect(report.stderr).toContain(`out/${FAULT}.mjs:1:1: error: ${MESSAGE}`);
    const applied = cli(['apply', 'out'], dir, false);
    expect(applied.status).toBe(0);
    expect(readFileSync(join(dir, `out/${FAULT}.mjs`), 'utf8')).toContain('__otelCtx');
  });
});

describe('the load hook (otel-context-transformer/register)', () => {
  const node = (args: string[], cwd: string, fault: boolean) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(fault ? { [INJECT_FAULT_ENV]: FAULT } : {}) };
    delete env.NODE_OPTIONS;
    // The app entry stays as written: only the module's rewrite loads the runtime.
    env.OTEL_CONTEXT_TRANSFORMER_OPTIONS = JSON.stringify({ exclude: ['**/node_modules/**', '**/app.*'] });
    return spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  };
  // Whether the runtime was loaded (its slot on globalThis) shows whether the module was rewritten.
  const SHOW = "console.log(events.join(',') + ' runtime:' + (Symbol.for('otel-context-transformer.slot.v2') in globalThis))";
  const APP =
    `import { run } from './${FAULT}.mjs';\nconst events = [];\n` + `await run((e) => events.push(e));\nsetTimeout(() => ${SHOW}, 5);\n`;
  const CJS_MODULE = MODULE.replace('export async function run', 'exports.run = async function run');
  const CJS_APP =
    `const { run } = require('./${FAULT}.cjs');\nconst events = [];\n` +
    `run((e) => events.push(e)).then(() => setTimeout(() => ${SHOW}, 5));\n`;

  it.each([
    ['ES modules', { [`${FAULT}.mjs`]: MODULE, 'app.mjs': APP }, 'app.mjs', `${FAULT}.mjs`],
    ['CommonJS', { [`${FAULT}.cjs`]: CJS_MODULE, 'app.cjs': CJS_APP }, 'app.cjs', `${FAULT}.cjs`],
  ])('%s: the module runs as written, with a diagnostic on stderr', (_, files, entry, faulty) => {
    const dir = fresh(`register-${entry}`, files);
    const plain = node([entry], dir, false);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe('start,then 1,end,timer runtime:false\n');
    const hooked = node(['--import', 'otel-context-transformer/register', entry], dir, true);
    expect(hooked.status).toBe(0);
    expect(hooked.stdout).toBe(plain.stdout);
    const reportIt = '(please report it, with this file if you can)';
    expect(hooked.stderr).toBe(`${join(dir, faulty)}:1:1: otel-context-transformer: ${MESSAGE} ${reportIt}\n`);
    // Without the fault the hook rewrites the file: the same output, no message.
    const rewritten = node(['--import', 'otel-context-transformer/register', entry], dir, false);
    expect(rewritten.stderr).toBe('');
    expect(rewritten.stdout).toBe(plain.stdout.replace('runtime:false', 'runtime:true'));
  });
});

describe('the Babel plugin', () => {
  const babel = require('@babel/core') as typeof import('@babel/core');
  const compile = (filename: string, plugin: boolean, diagnostics: Diagnostic[]) =>
    babel.transformSync(MODULE, {
      filename,
      babelrc: false,
      configFile: false,
      plugins: plugin
        ? [[require.resolve('otel-context-transformer/babel'), { onDiagnostic: (d: Diagnostic) => diagnostics.push(d) }]]
        : [],
    })!.code;

  it('Babel compiles the file as without the plugin, and the diagnostic names it', () => {
    const diagnostics: Diagnostic[] = [];
    const filename = `/project/${FAULT}.mjs`;
    expect(compile(filename, true, [])).toContain('__otelCtx');
    const faulted = withFault(() => compile(filename, true, diagnostics));
    expect(faulted).toBe(compile(filename, false, []));
    expect(diagnostics).toEqual([{ file: filename, line: 1, column: 1, message: expect.stringContaining(MESSAGE) }]);
  });
});

describe('the tsconfig plugin', () => {
  const ts = require('typescript') as typeof import('typescript');
  const emit = (file: string, plugin: boolean, warnings: string[]) => {
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      allowJs: true,
      outDir: join(WORK, 'ts-out'),
    });
    let output = '';
    const before = plugin
      ? [
          otelContextTransformer(
            program,
            {},
            {
              ts,
              addDiagnostic: (d) =>
                warnings.push(`${ts.DiagnosticCategory[d.category]} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`),
            },
          ),
        ]
      : [];
    program.emit(undefined, (_, text) => (output = text), undefined, false, { before });
    return output;
  };

  it('TypeScript emits the file as without the plugin, with a warning that names the problem', () => {
    const dir = fresh('tsconfig-plugin', { [`${FAULT}.mjs`]: MODULE });
    const file = join(dir, `${FAULT}.mjs`);
    expect(emit(file, true, [])).toContain('__otelCtx');
    const warnings: string[] = [];
    const faulted = withFault(() => emit(file, true, warnings));
    expect(faulted).toBe(emit(file, false, []));
    expect(warnings).toEqual([`Warning TS90002: otel-context-transformer: ${MESSAGE} (please report it, with this file if you can)`]);
  });
});
