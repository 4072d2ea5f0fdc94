/**
 * `otel-context-transformer/api`: the transform as a function from source text
 * to source text, for bundlers, Babel, load hooks and the CLI.
 *
 *   transform(code, { filename }) → { code, map } | undefined (nothing to rewrite)
 */
import remapping, { type SourceMapInput } from '@jridgewell/remapping';
import { injectedFault, internalErrorMessage } from './internal-errors.js';
import { OptionsError, resolveOptions, type ResolvedOptions, type TransformOptions } from './options.js';
import { originalPositions } from './text/input-map-position.js';
import { processedOutputEvidence, type ProcessedEvidence } from './text/processed-output.js';
import { editsBehind } from './text/edits.js';
import { transformEstree, type Boundary as WalkedBoundary, type Diagnostic } from './transformer/estree.js';

export type { Diagnostic } from './transformer/estree.js';
export type { HelpersReference } from './options.js';
export type { ProcessedEvidence } from './text/processed-output.js';

/** One async boundary (see ApiOptions.onBoundary). */
export interface Boundary extends WalkedBoundary {
  /**
   * Set when the file is output of the transform recognised by its markers
   * (src/text/processed-output.ts: bundled or minified, the helper names gone):
   * `rewritten` is then the file's state, not checked boundary by boundary.
   */
  processedOutput?: ProcessedEvidence;
}
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
   * Called once the file is walked, before transform() returns.
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
  // Delivered after the walk: a file recognised as processed output relabels them first.
  const walked: WalkedBoundary[] | undefined = options.onBoundary ? [] : undefined;
  let processedOutput: ProcessedEvidence | undefined;
  let result: TransformResult | undefined;
  let diagnostics: Diagnostic[];
  try {
    // Debug mode: sites name the original source when the input map says where a position comes from.
    const originalPosition =
      opts.debug && options.inputSourceMap ? originalPositions(options.inputSourceMap, options.filename, opts.siteFile) : undefined;
    const output = transformEstree({
      code,
      filename: options.filename,
      options: opts,
      onBoundary: walked && ((b) => walked.push(b)),
      originalPosition,
    });
    diagnostics = output.diagnostics;
    // The walk found boundaries to rewrite: unless the file is output of ours whose helper names are gone.
    processedOutput = output.magic && processedOutputEvidence(code, opts.runtimeModule);
    if (output.magic && !processedOutput) {
      injectedFault(options.filename);
      const ownMap = output.magic.generateMap({ source: options.filename, includeContent: true, hires: 'boundary' });
      const map = options.inputSourceMap
        ? remapping([ownMap as SourceMapInput, options.inputSourceMap as SourceMapInput], () => null)
        : remapping(ownMap as SourceMapInput, () => null);
      result = { code: output.magic.toString(), map: map as SourceMap }; // encoded mappings: decodedMappings was not asked for
      editsBehind.set(result, output.edits!);
    }
  } catch (error) {
    // Never break a build over our own bug: say so where the file is, and leave it exactly as it was.
    result = undefined;
    walked?.splice(0);
    diagnostics = [internalError(options.filename, error)];
  }
  if (walked && walked.length > 0) {
    for (const boundary of walked) options.onBoundary!(processedOutput ? { ...boundary, rewritten: true, processedOutput } : boundary);
  }
  diagnostics.forEach(report);
  return result;
}

/** The diagnostic for an unexpected exception inside the transform (the file is left unchanged). */
export function internalError(file: string, error: unknown): Diagnostic {
  return { file, line: 1, column: 1, message: internalErrorMessage(error) };
}

export { INJECT_FAULT_ENV } from './internal-errors.js';

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: otel-context-transformer: ${d.message}`;
}
