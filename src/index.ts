/**
 * otel-context-transformer: the package root is a ts-patch transformer.
 *
 *   // tsconfig.json
 *   { "compilerOptions": { "plugins": [{ "transform": "otel-context-transformer" }] } }
 *
 * ts-patch calls the default export with the Program (so the transform can use
 * the type checker), the plugin entry (our options) and its extras.
 */
import type * as TS from 'typescript';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OptionsError, resolveOptions, type TransformOptions } from './options.js';
import { createTsTransformerFactory } from './transformer/typescript.js';

export { CATEGORIES, SCHEDULERS, PROMISE_METHODS, GLOBAL_OBJECTS, type Category } from './catalog.js';
export { resolveOptions, OptionsError, type TransformOptions, type ResolvedOptions } from './options.js';
export { createTsTransformerFactory, type TsTransformHost } from './transformer/typescript.js';

/** Keys of a tsconfig plugin entry that belong to ts-patch, not to us. */
const TS_PATCH_KEYS = [
  'transform',
  'type',
  'import',
  'after',
  'afterDeclarations',
  'transformProgram',
  'isEsm',
  'resolvePathAliases',
  'name',
];

export interface TransformerExtras {
  ts?: typeof TS;
  addDiagnostic?: (diagnostic: TS.Diagnostic) => unknown;
}

/** The ts-patch "program" transformer. `program` may be absent (raw/transpile hosts): then no type checker is used. */
export default function otelContextTransformer(
  program?: TS.Program,
  config?: TransformOptions & Record<string, unknown>,
  extras: TransformerExtras = {},
): TS.TransformerFactory<TS.SourceFile> {
  const ts = extras.ts ?? loadTypeScript();
  const unsupported = unsupportedTypeScript(ts);
  if (unsupported) {
    // Nothing of this TypeScript's API can be trusted (TypeScript 7 has no transformer API at all): plain values only.
    const diagnostic = { category: 1 /* Error */, code: 90001, file: undefined, start: undefined, length: undefined };
    const withText = { ...diagnostic, messageText: unsupported };
    if (extras.addDiagnostic) extras.addDiagnostic(withText as TS.Diagnostic);
    else console.error(unsupported);
    return () => (sourceFile) => sourceFile;
  }
  const report = (diagnostic: TS.Diagnostic) => {
    if (extras.addDiagnostic) extras.addDiagnostic(diagnostic);
    else console.warn(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  };
  let options;
  try {
    options = resolveOptions(config ?? {}, TS_PATCH_KEYS);
  } catch (error) {
    // Whatever went wrong with the options, the build goes on: report, transform nothing.
    const message = error instanceof OptionsError ? error.message : `invalid options: ${(error as Error)?.message ?? String(error)}`;
    report({
      category: ts.DiagnosticCategory.Error,
      code: 90000,
      file: undefined,
      start: undefined,
      length: undefined,
      messageText: `otel-context-transformer: ${message} (in the tsconfig "plugins" entry). No file was transformed.`,
    });
    return () => (sourceFile) => sourceFile;
  }
  return createTsTransformerFactory({ ts, options, checker: program?.getTypeChecker(), report });
}

/**
 * Why this TypeScript cannot run the plugin, or undefined when it can: TypeScript 5 and 6 with their
 * transformer API. TypeScript 7 (the native compiler) has none: its `typescript` package exports the
 * version only.
 */
export function unsupportedTypeScript(ts: unknown): string | undefined {
  const api = ts as Partial<typeof TS> | undefined;
  const version = typeof api?.version === 'string' ? api.version : 'of unknown version';
  if (/^[56]\./.test(version) && typeof api?.visitEachChild === 'function' && typeof api.factory === 'object') return undefined;
  return (
    `otel-context-transformer: the tsconfig plugin runs on TypeScript 5 and 6 only, and this is TypeScript ${version}` +
    `${version.startsWith('7.') ? ', which has no transformer API' : ''}. Compile with it as usual and rewrite the output: ` +
    '`npx otel-context-transformer apply <outDir>`, or use a bundler plugin (otel-context-transformer/vite, /rollup, /rolldown, ' +
    '/esbuild, /webpack, /rspack) or the Babel plugin. No file was transformed.'
  );
}

/** ts-patch always passes its TypeScript; other hosts get the project's own, resolved from the working directory. */
function loadTypeScript(): typeof TS {
  return createRequire(join(process.cwd(), 'package.json'))('typescript') as typeof TS;
}

/** The same function by name, for modules of this package that import it (a default import is not one across the CommonJS build). */
export { otelContextTransformer };
