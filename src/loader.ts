/**
 * `otel-context-transformer/loader`: the transform as a webpack loader, for hosts
 * that run webpack loaders but not webpack or unplugin plugins — Next.js with
 * Turbopack (`turbopack.rules`), and webpack rules where a plugin is not wanted.
 *
 *   // next.config.mjs
 *   export default { turbopack: { rules: { '*.{ts,tsx,js,jsx}': { loaders: ['otel-context-transformer/loader'] } } } };
 *
 * Options are the loader's options (validated like every backend's). Files the
 * options exclude (node_modules by default) and files with nothing to rewrite
 * are passed on as they came, with their map.
 */
import { transform, type ApiOptions } from './api.js';
import { resolveOptions, type TransformOptions } from './options.js';

/** The part of webpack's (and Turbopack's) loader context we use. */
interface LoaderContext {
  resourcePath: string;
  getOptions?(): unknown;
  query?: unknown;
  emitWarning(warning: Error): void;
  callback(error: Error | null, code?: string, map?: unknown): void;
  cacheable?(flag?: boolean): void;
}

export default function otelContextLoader(this: LoaderContext, source: string, inputMap?: unknown): void {
  this.cacheable?.(true);
  const raw = ((this.getOptions ? this.getOptions() : this.query) ?? {}) as TransformOptions;
  let options: Omit<ApiOptions, 'filename'>;
  try {
    // Validated here so a bad option fails the build with a message naming it.
    options = { ...(typeof raw === 'object' ? raw : {}) };
    if (!resolveOptions(options).matches(this.resourcePath)) return this.callback(null, source, inputMap);
  } catch (error) {
    return this.callback(error as Error);
  }
  const result = transform(source, {
    ...options,
    filename: this.resourcePath,
    inputSourceMap: typeof inputMap === 'object' && inputMap !== null ? (inputMap as ApiOptions['inputSourceMap']) : undefined,
    onDiagnostic: (d) => this.emitWarning(new Error(`${d.file}:${d.line}:${d.column}: otel-context-transformer: ${d.message}`)),
  });
  if (!result) return this.callback(null, source, inputMap);
  this.callback(null, result.code, result.map);
}
