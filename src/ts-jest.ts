/**
 * `otel-context-transformer/ts-jest`: the tsconfig plugin in ts-jest's AST
 * transformer form. ts-jest keys its cache on `name` and `version` (and the
 * options), so upgrading or changing an option recompiles the tests.
 *
 *   // jest.config.js
 *   transform: { '^.+\\.tsx?$': ['ts-jest', { astTransformers: { before: ['otel-context-transformer/ts-jest'] } }] }
 *
 * With `isolatedModules` ts-jest has no Program: the transform then decides by
 * scope analysis, as with transpileModule.
 */
import type * as TS from 'typescript';
import { otelContextTransformer } from './index.js';
import type { TransformOptions } from './options.js';
import { VERSION } from './version.js';

export const name = 'otel-context-transformer';
export const version = VERSION;

/** The part of ts-jest's TsCompiler we use. */
interface TsJestCompiler {
  program?: TS.Program;
  configSet: { compilerModule: typeof TS };
}

export function factory(compiler: TsJestCompiler, options?: TransformOptions): TS.TransformerFactory<TS.SourceFile> {
  return otelContextTransformer(compiler.program, { ...options }, { ts: compiler.configSet.compilerModule });
}
