/**
 * Every way the project can compile a file, behind one interface, so that the
 * one scenario list runs through all of them. Adding a backend here adds it to
 * every conformance test.
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type * as TS from 'typescript';
import otelContextTransformer from '../../dist/esm/index.js';
import { transform } from '../../dist/esm/api.js';
import { BABEL_BACKENDS } from './babel-backends.js';
import { BUNDLER_BACKENDS } from './bundler-backends.js';
import { CLI_BACKENDS } from './cli-backends.js';
import { HERMES_BACKENDS } from './hermes-backends.js';
import { LOADER_BACKENDS } from './loader-backends.js';
import type { ScenarioResult } from './run.js';
import type { TransformOptions } from '../../src/options.js';

const require = createRequire(import.meta.url);

export interface Backend {
  name: string;
  /** Module format of the output: decides the file extension and whether esmOnly scenarios run. */
  format: 'esm' | 'cjs';
  /** Compiles `files` into `outDir`; returns the output paths in the same order (or the one bundle that holds them). */
  /**
   * Compiles `files` into `outDir`; returns the output paths in the same order (or the one bundle that holds them).
   * `options`: our transform options (a scenario's Scenario.options), passed the way this backend's users pass them.
   */
  compile(files: string[], outDir: string, transform: boolean, options?: TransformOptions): string[];
  /** Runs compile's outputs where they run (default: this Node, through runner.mjs). */
  run?(outputs: string[]): Map<string, ScenarioResult>;
  /** The platform the output runs on, when some scenarios cannot exist there (Scenario.notOn). */
  platform?: 'hermes';
}

interface TscSetup {
  name: string;
  typescript: string;
  format: 'esm' | 'cjs';
  target: 'ES2022' | 'ES2015';
}

/** The real compiler, whole program, with the type checker: what `tspc` does. */
function tscProgram({ name, typescript, format, target }: TscSetup): Backend {
  return {
    name,
    format,
    compile(files, outDir, transform, ourOptions = {}) {
      const ts = require(typescript) as typeof TS;
      const options: TS.CompilerOptions = {
        target: ts.ScriptTarget[target],
        module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
        moduleResolution: format === 'esm' ? ts.ModuleResolutionKind.Bundler : ts.ModuleResolutionKind.Node10,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        esModuleInterop: true,
        skipLibCheck: true,
        strict: false,
        noEmitOnError: false,
      };
      const program = ts.createProgram(files, options);
      const diagnostics: TS.Diagnostic[] = [];
      const before = transform
        ? [otelContextTransformer(program, ourOptions, { ts, addDiagnostic: (d: TS.Diagnostic) => diagnostics.push(d) })]
        : [];
      const outputs = new Map<string, string>();
      program.emit(undefined, (fileName, text) => outputs.set(basename(fileName).replace(/\.js$/, ''), text), undefined, false, { before });
      failOnDiagnostics(ts, diagnostics);
      return writeOutputs(files, outDir, format, (file) => outputs.get(stem(file)));
    },
  };
}

/** Single-file transpilation with no Program (ts-jest isolatedModules, transpileModule hosts): no type checker. */
function tscTranspile(name: string, typescript: string): Backend {
  return {
    name,
    format: 'esm',
    compile(files, outDir, transform, ourOptions = {}) {
      const ts = require(typescript) as typeof TS;
      const diagnostics: TS.Diagnostic[] = [];
      return writeOutputs(files, outDir, 'esm', (file) => {
        const result = ts.transpileModule(readFileSync(file, 'utf8'), {
          fileName: file,
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
          transformers: transform
            ? { before: [otelContextTransformer(undefined, ourOptions, { ts, addDiagnostic: (d: TS.Diagnostic) => diagnostics.push(d) })] }
            : undefined,
        });
        failOnDiagnostics(ts, diagnostics);
        return result.outputText;
      });
    },
  };
}

/**
 * `transform()` from otel-context-transformer/api on the TypeScript source (the
 * oxc parser handles TS), then types stripped by a plain transpile: the path a
 * bundler plugin takes.
 */
function textTransform(name: string, format: 'esm' | 'cjs'): Backend {
  return {
    name,
    format,
    compile(files, outDir, transformOn, ourOptions = {}) {
      const ts = require('typescript') as typeof TS;
      return writeOutputs(files, outDir, format, (file) => {
        const source = readFileSync(file, 'utf8');
        const problems: string[] = [];
        const rewritten = transformOn
          ? (transform(source, { ...ourOptions, filename: file, onDiagnostic: (d) => problems.push(d.message) })?.code ?? source)
          : source;
        if (problems.length > 0) throw new Error(problems.join('\n'));
        return ts.transpileModule(rewritten, {
          fileName: file,
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
            esModuleInterop: true,
          },
        }).outputText;
      });
    },
  };
}

function failOnDiagnostics(ts: typeof TS, diagnostics: TS.Diagnostic[]): void {
  if (diagnostics.length > 0) {
    throw new Error(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
  }
}

/** A scenario's name: its file name without extension. */
export function stem(file: string): string {
  return basename(file).replace(/\.tsx?$/, '');
}

/** Writes one output per scenario file as <outDir>/<stem>.mjs|.cjs; returns the paths in order. */
export function writeOutputs(
  files: string[],
  outDir: string,
  format: 'esm' | 'cjs',
  textOf: (file: string) => string | undefined,
): string[] {
  mkdirSync(outDir, { recursive: true });
  return files.map((file) => {
    const text = textOf(file);
    if (text === undefined) throw new Error(`no output for ${file}`);
    const out = join(outDir, `${stem(file)}.${format === 'esm' ? 'mjs' : 'cjs'}`);
    writeFileSync(out, text);
    return out;
  });
}

export const BACKENDS: Backend[] = [
  tscProgram({ name: 'tsc5-esm', typescript: 'typescript', format: 'esm', target: 'ES2022' }),
  tscProgram({ name: 'tsc5-cjs', typescript: 'typescript', format: 'cjs', target: 'ES2022' }),
  tscProgram({ name: 'tsc6-esm', typescript: 'typescript-6', format: 'esm', target: 'ES2022' }),
  tscProgram({ name: 'tsc6-cjs', typescript: 'typescript-6', format: 'cjs', target: 'ES2022' }),
  // TypeScript turns await into yield inside __awaiter below ES2017: our rewrite must already be done.
  tscProgram({ name: 'tsc5-es2015-cjs', typescript: 'typescript', format: 'cjs', target: 'ES2015' }),
  tscTranspile('tsc5-transpile', 'typescript'),
  textTransform('api-transform-esm', 'esm'),
  textTransform('api-transform-cjs', 'cjs'),
  ...BUNDLER_BACKENDS,
  ...BABEL_BACKENDS,
  ...LOADER_BACKENDS,
  ...CLI_BACKENDS,
  ...HERMES_BACKENDS,
];
