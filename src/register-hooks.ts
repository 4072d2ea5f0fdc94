/**
 * The module hooks behind `otel-context-transformer/register` (see register.ts),
 * and the one function both the hooks and the `require()` hook transform with.
 *
 * Node runs `initialize` and `load` on its hooks thread. `load` rewrites ES
 * modules (and TypeScript, where Node strips types) of file: URLs that the
 * options select (not node_modules, by default); CommonJS that Node's own
 * CommonJS loader reads is left to the `require()` hook on the main thread.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, transform, type ApiOptions } from './api.js';
import { resolveOptions, type HelpersReference, type ResolvedOptions, type TransformOptions } from './options.js';
import { dataUrlJson, findSourceMapComment, withInlineSourceMap } from './text/source-map-comment.js';

/** The options, as JSON in this environment variable. */
export const OPTIONS_ENV = 'OTEL_CONTEXT_TRANSFORMER_OPTIONS';

/** Files the hooks look at: JavaScript and TypeScript sources. */
const SCRIPT = /\.[cm]?[jt]sx?$/;

export interface LoadHookData {
  options: TransformOptions;
}

/** A module here is an ES module or CommonJS: it imports or requires the helpers. */
type Helpers = Extract<HelpersReference, 'import' | 'require'>;

export class SourceTransformer {
  private readonly resolved: ResolvedOptions;

  constructor(private readonly options: TransformOptions) {
    this.resolved = resolveOptions(options);
  }

  /** Whether a file is one to transform at all (cheap: no parse). */
  wants(filename: string): boolean {
    return SCRIPT.test(filename) && this.resolved.matches(filename);
  }

  /**
   * The rewritten source with an inline source map (chained onto the file's
   * own, when it has one), or undefined when there is nothing to rewrite.
   * `helpers` follows the module format Node loads the file as, unless the
   * options name one.
   */
  transform(code: string, filename: string, helpers: Helpers): string | undefined {
    const options: ApiOptions = {
      ...this.options,
      filename,
      helpers: this.options.helpers && this.options.helpers !== 'auto' ? this.options.helpers : helpers,
      inputSourceMap: inputSourceMap(code, filename),
      onDiagnostic: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`),
    };
    const result = transform(code, options);
    if (!result) return undefined;
    return withInlineSourceMap(result.code, result.map.toString());
  }
}

/** Reads the options from the environment; throws an OptionsError naming the problem. */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): TransformOptions {
  const text = env[OPTIONS_ENV];
  if (text === undefined || text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${OPTIONS_ENV} is not valid JSON (${(error as Error).message}): ${text}`);
  }
  try {
    resolveOptions(raw);
  } catch (error) {
    throw new Error(`${OPTIONS_ENV}: ${(error as Error).message}`);
  }
  return raw as TransformOptions;
}

/** The map a file already carries (`//# sourceMappingURL=`, inline or a file next to it), if any. */
function inputSourceMap(code: string, filename: string): ApiOptions['inputSourceMap'] {
  const url = findSourceMapComment(code)?.url;
  if (url === undefined) return undefined;
  try {
    if (url.startsWith('data:')) return JSON.parse(dataUrlJson(url));
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('file:')) return undefined;
    const mapFile = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(path.dirname(filename), decodeURIComponent(url));
    return JSON.parse(readFileSync(mapFile, 'utf8'));
  } catch {
    return undefined; // a missing or broken map: ours then starts at the file as it is
  }
}

// --- the hooks (Node's hooks thread) ---------------------------------------------

let transformer: SourceTransformer | undefined;

/**
 * CommonJS modules whose source came down the load chain (TypeScript's
 * `commonjs-typescript` on Node 22+): Node compiles those itself, off the
 * CommonJS loader, and their `require()` calls come through these hooks. What
 * they require is read by Node here too, not by the CommonJS loader, so the
 * `require()` hook never sees it: `load` gives Node the rewrite instead.
 */
const compiledHere = new Set<string>();
const requiredFromCompiledHere = new Set<string>();

export function initialize(data: LoadHookData | undefined): void {
  transformer = new SourceTransformer(data?.options ?? {});
}

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
}

interface ResolveResult {
  url: string;
  format?: string | null;
}

type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult> | ResolveResult;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  const result = await nextResolve(specifier, context);
  if (context.parentURL && compiledHere.has(context.parentURL) && result.url.startsWith('file:')) requiredFromCompiledHere.add(result.url);
  return result;
}

interface LoadContext {
  format?: string | null;
  conditions?: string[];
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult> | LoadResult;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (!transformer || !url.startsWith('file:')) return result;
  const { format } = result;
  const commonjs = format === 'commonjs' || format === 'commonjs-typescript';
  let source = result.source;
  if (commonjs && source != null) compiledHere.add(url);
  const filename = fileURLToPath(url);
  if (!transformer.wants(filename)) return result;
  let helpers: Helpers;
  if (format === 'module' || format === 'module-typescript') helpers = 'import';
  else if (commonjs) helpers = 'require';
  else return result;
  if (source == null) {
    // CommonJS that Node's CommonJS loader reads: the require() hook rewrites it there, unless
    // it is required from a module compiled here (see compiledHere).
    if (!requiredFromCompiledHere.has(url)) return result;
    source = readFileSync(filename, 'utf8');
    compiledHere.add(url);
  }
  const code = typeof source === 'string' ? source : Buffer.from(source as ArrayBuffer).toString('utf8');
  const rewritten = transformer.transform(code, filename, helpers);
  return rewritten === undefined ? result : { ...result, format, source: rewritten };
}
