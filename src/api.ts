/**
 * `otel-context-transformer/api`: the transform as a function from source text
 * to source text, for bundlers, Babel, load hooks and the CLI.
 *
 *   transform(code, { filename }) → { code, map } | undefined (nothing to rewrite)
 */
import remapping, { type SourceMapInput } from '@jridgewell/remapping';
import { OptionsError, resolveOptions, type ResolvedOptions, type TransformOptions } from './options.js';
import { transformEstree, type Boundary, type Diagnostic, type HelpersReference } from './transformer/estree.js';

export type { Boundary, Diagnostic, HelpersReference } from './transformer/estree.js';
export { OptionsError } from './options.js';

export interface ApiOptions extends TransformOptions {
  /** The file's path: decides JS/TS/JSX parsing and include/exclude matching. */
  filename: string;
  /**
   * How compiled code reaches the helpers: an ESM `import`, a CommonJS
   * `require`, or `global` (a prelude, `otel-context-transformer/global`,
   * installed them on globalThis: for plain scripts). Default 'auto': import in
   * ES modules, require in CommonJS files.
   */
  helpers?: HelpersReference | 'auto';
  /** The map of the code as it was before this step, to chain our map onto. */
  inputSourceMap?: SourceMapInput | null;
  /** Called with each problem (syntax errors: the file is then left unchanged). Default: console.warn. */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /**
   * Called with each async boundary the options select (walk order), with
   * whether the code as given already carries its rewrite (a processed file:
   * then nothing is changed and transform() returns undefined) or this call
   * rewrites it. For tools that list boundaries (the CLI's `report`).
   */
  onBoundary?: (boundary: Boundary) => void;
}

export interface TransformResult {
  code: string;
  map: ReturnType<typeof remapping>;
}

const API_KEYS = ['filename', 'helpers', 'inputSourceMap', 'onDiagnostic', 'onBoundary'];
const HELPER_MODES = ['auto', 'import', 'require', 'global'];

/** Resolved options cached per options object: bundlers call transform once per file with the same object. */
const resolved = new WeakMap<object, ResolvedOptions>();

export function transform(code: string, options: ApiOptions): TransformResult | undefined {
  if (typeof code !== 'string') throw new OptionsError(`transform() expects the source code as a string, got ${typeof code}`);
  if (!options || typeof options.filename !== 'string') throw new OptionsError('transform() needs options.filename (a string)');
  const helpers = options.helpers ?? 'auto';
  if (!HELPER_MODES.includes(helpers)) {
    throw new OptionsError(`option "helpers" has unknown value ${JSON.stringify(helpers)}; allowed values: ${HELPER_MODES.join(', ')}`);
  }
  let opts = resolved.get(options);
  if (!opts) {
    opts = resolveOptions(options, API_KEYS);
    resolved.set(options, opts);
  }
  const report = options.onDiagnostic ?? ((d: Diagnostic) => console.warn(formatDiagnostic(d)));
  const { magic, diagnostics } = transformEstree({ code, filename: options.filename, options: opts, helpers, onBoundary: options.onBoundary });
  diagnostics.forEach(report);
  if (!magic) return undefined;
  const ownMap = magic.generateMap({ source: options.filename, includeContent: true, hires: 'boundary' });
  const map = options.inputSourceMap
    ? remapping([ownMap as SourceMapInput, options.inputSourceMap], () => null)
    : remapping(ownMap as SourceMapInput, () => null);
  return { code: magic.toString(), map };
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: otel-context-transformer: ${d.message}`;
}
