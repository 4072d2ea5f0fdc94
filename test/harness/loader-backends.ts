/**
 * Conformance backends for the load-time integration, `otel-context-transformer/register`
 * (see backends.ts for the interface).
 *
 * There is no compile step to speak of: the scenario's TypeScript is only
 * stripped of its types (TypeScript's transpileModule, no transform) into
 * <stem>.impl.mjs|.cjs, and what the runner loads is a small entry <stem>.mjs|.cjs
 * that, with the transform on, first loads the register module and then loads
 * the original code, which the hooks rewrite as Node loads it. (The runner is
 * started without `--import`; an entry that registers and then loads is the
 * same thing for every module loaded after it: test/register.test.ts covers
 * `node --import` itself.)
 *
 * - loader-import-esm: ES modules, through the `load` hook of `module.register`;
 * - loader-require-cjs: CommonJS through `require()`, which Node 20's module
 *   hooks do not see: the `Module._extensions` hook.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TS from 'typescript';
import type { Backend } from './backends.js';
import { stem, writeOutputs } from './backends.js';

const require = createRequire(import.meta.url);

function loaderBackend(name: string, format: 'esm' | 'cjs'): Backend {
  const ext = format === 'esm' ? 'mjs' : 'cjs';
  return {
    name,
    format,
    compile(files, outDir, transformOn, ourOptions = {}) {
      const ts = require('typescript') as typeof TS;
      const optionsEnv =
        Object.keys(ourOptions).length > 0
          ? `process.env.OTEL_CONTEXT_TRANSFORMER_OPTIONS = ${JSON.stringify(JSON.stringify(ourOptions))}; `
          : '';
      return writeOutputs(files, outDir, format, (file) => {
        const impl = `./${stem(file)}.impl.${ext}`;
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
          fileName: file,
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
            esModuleInterop: true,
          },
        });
        writeFileSync(join(outDir, impl), outputText);
        if (format === 'esm') {
          // The hook reads its options from the environment as it registers (a dynamic import: after the assignment).
          return [
            transformOn
              ? optionsEnv
                ? `${optionsEnv}await import('otel-context-transformer/register');`
                : `import 'otel-context-transformer/register';`
              : '',
            `const { scenario } = await import(${JSON.stringify(impl)});`,
            `export { scenario };`,
            '',
          ].join('\n');
        }
        return [
          transformOn ? `${optionsEnv}require('otel-context-transformer/register');` : '',
          `module.exports = require(${JSON.stringify(impl)});`,
          '',
        ].join('\n');
      });
    },
  };
}

export const LOADER_BACKENDS: Backend[] = [loaderBackend('loader-import-esm', 'esm'), loaderBackend('loader-require-cjs', 'cjs')];
