/**
 * Conformance backends for the cli integration (see backends.ts for the interface).
 *
 * The post-emit path (what a TypeScript 7 / tsgo or swc build does): a plain
 * compiler emits JavaScript and source maps with no plugin at all, then the
 * built command `otel-context-transformer apply <outDir>` rewrites the output
 * in place, in a child process, exactly as a package script would run it.
 * Afterwards `report --check` must find nothing left to rewrite.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';
import type { Backend } from './backends.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
/** The package's bin entry (package.json "bin"), which runs dist/esm/cli/index.js. */
export const CLI_BIN = resolve(here, '../../bin/otel-context-transformer.mjs');

/** Runs the built CLI; throws with its output when the exit status is not 0. */
export function runCli(args: string[], cwd?: string): { stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [CLI_BIN, ...args], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1' },
      timeout: 120_000,
    });
    return { stdout, stderr: '' };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    throw new Error(`otel-context-transformer ${args.join(' ')} exited with ${e.status}:\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

/**
 * TypeScript 5 with source maps and no transformer (plain `tsc`), one output
 * file and map per scenario. ESM output keeps `.js` (the package is
 * "type": "module"); CommonJS output is named `.cjs`/`.cjs.map`, as tsc names
 * the output of a `.cts` file, so that Node loads it as CommonJS.
 */
function tscThenApply(name: string, format: 'esm' | 'cjs'): Backend {
  return {
    name,
    format,
    compile(files, outDir, transform, ourOptions = {}) {
      const ts = require('typescript') as typeof TS;
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });
      const options: TS.CompilerOptions = {
        target: ts.ScriptTarget.ES2022,
        module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
        moduleResolution: format === 'esm' ? ts.ModuleResolutionKind.Bundler : ts.ModuleResolutionKind.Node10,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        esModuleInterop: true,
        skipLibCheck: true,
        strict: false,
        noEmitOnError: false,
        sourceMap: true,
        outDir,
        rootDir: dirname(files[0]!),
      };
      const program = ts.createProgram(files, options);
      const outputs = new Map<string, string>();
      const extension = format === 'esm' ? '.js' : '.cjs';
      const writeFile: TS.WriteFileCallback = (fileName, text) => {
        const target = join(outDir, basename(fileName).replace(/\.js(\.map)?$/, `${extension}$1`));
        if (format === 'cjs') {
          text = fileName.endsWith('.map')
            ? text.replace(/"file":"([^"]*)\.js"/, '"file":"$1.cjs"')
            : text.replace(/^(\/\/# sourceMappingURL=.*)\.js\.map$/m, '$1.cjs.map');
        }
        writeFileSync(target, text);
        if (target.endsWith(extension)) outputs.set(basename(target, extension), target);
      };
      // Only the scenarios: the type-only harness module they import is not emitted.
      for (const file of files) program.emit(program.getSourceFile(file), writeFile);
      const paths = files.map((file) => {
        const out = outputs.get(basename(file).replace(/\.ts$/, ''));
        if (!out) throw new Error(`tsc emitted no output for ${file}`);
        return out;
      });
      if (transform) {
        // The options as flags (each a string here: `--listeners registration`).
        runCli(['apply', ...Object.entries(ourOptions).flatMap(([key, value]) => [`--${key}`, String(value)]), outDir]);
        runCli(['report', '--check', '--quiet', outDir]);
      }
      return paths;
    },
  };
}

export const CLI_BACKENDS: Backend[] = [tscThenApply('cli-tsc5-esm', 'esm'), tscThenApply('cli-tsc5-cjs', 'cjs')];
