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
  /** The map of the code as it was before this step, to chain our map onto. */
  inputSourceMap?: InputSourceMap | null;
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

// Our own map types in the public declarations: @jridgewell/remapping's CommonJS declarations
// (`export = function …`) do not parse, so TypeScript projects resolving `require` types would fail on them.
/** A version 3 source map: its JSON fields, and `toString()` for its JSON text. */
export interface SourceMap {
  version: 3;
  file?: string | null;
  sourceRoot?: string;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  ignoreList?: number[];
  toString(): string;
}

/** A map to chain onto: its JSON text, or the object (mappings encoded or decoded). */
export type InputSourceMap = string | { version: number; sources: readonly (string | null)[]; mappings: string | readonly unknown[] };

export interface TransformResult {
  code: string;
  map: SourceMap;
}

const API_KEYS = ['filename', 'inputSourceMap', 'onDiagnostic', 'onBoundary'];

/**
 * Resolved options (validated, globs compiled) by their JSON: hosts call
 * transform() once per file with equal options, often in fresh objects.
 */
const resolvedCache = new Map<string, ResolvedOptions>();
function resolveCached(options: ApiOptions): ResolvedOptions {
  const { filename, inputSourceMap, onDiagnostic, onBoundary, ...core } = options;
  const key = JSON.stringify(core);
  let resolved = resolvedCache.get(key);
  if (!resolved) {
    resolved = resolveOptions(options, API_KEYS);
    if (resolvedCache.size > 100) resolvedCache.clear();
    resolvedCache.set(key, resolved);
  }
  return resolved;
}

export function transform(code: string, options: ApiOptions): TransformResult | undefined {
  if (typeof code !== 'string') throw new OptionsError(`transform() expects the source code as a string, got ${typeof code}`);
  if (!options || typeof options.filename !== 'string') throw new OptionsError('transform() needs options.filename (a string)');
  const opts = resolveCached(options);
  const report = options.onDiagnostic ?? ((d: Diagnostic) => console.warn(formatDiagnostic(d)));
  const { magic, diagnostics } = transformEstree({ code, filename: options.filename, options: opts, onBoundary: options.onBoundary });
  diagnostics.forEach(report);
  if (!magic) return undefined;
  const ownMap = magic.generateMap({ source: options.filename, includeContent: true, hires: 'boundary' });
  const map = options.inputSourceMap
    ? remapping([ownMap as SourceMapInput, options.inputSourceMap as SourceMapInput], () => null)
    : remapping(ownMap as SourceMapInput, () => null);
  return { code: magic.toString(), map: map as SourceMap }; // encoded mappings: decodedMappings was not asked for
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: otel-context-transformer: ${d.message}`;
}
