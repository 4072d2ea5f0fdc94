/**
 * What the output depends on besides the input file: this package's version and
 * the options. Hosts that cache transformed files (webpack's and Rspack's
 * persistent caches, Vitest's module cache, Babel-based caches) get it, so an
 * upgrade or an option change never serves output built before it.
 */
import { VERSION } from './version.js';

export const PACKAGE_ID = `otel-context-transformer@${VERSION}`;

/** `otel-context-transformer@<version>` and the options as JSON with sorted keys (functions left out). */
export function cacheIdentity(options: object | undefined | null): string {
  return `${PACKAGE_ID} ${stableJson(options ?? {}) ?? '{}'}`;
}

/** JSON with object keys sorted; undefined for what JSON leaves out (functions, undefined). */
function stableJson(value: unknown): string | undefined {
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v) ?? 'null').join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const json = stableJson((value as Record<string, unknown>)[key]);
        return json === undefined ? [] : [`${JSON.stringify(key)}:${json}`];
      });
    return `{${entries.join(',')}}`;
  }
  return typeof value === 'function' || value === undefined ? undefined : JSON.stringify(value);
}

/** The part of webpack's and Rspack's compiler we use: their options, before defaults are applied. */
interface CachingCompiler {
  options: { cache?: boolean | { type?: string; version?: string } };
}

/**
 * Adds our identity to a persistent cache's `version` (webpack `filesystem`,
 * Rspack `persistent`): webpack keys loader results on the loader's `ident`
 * (unplugin's is the plugin name, whatever the options) and snapshots only the
 * build dependencies the config lists, so without this a changed option or an
 * upgrade could reuse modules built before. Plugins are applied before the
 * cache is set up, so the version is read with ours in it.
 */
export function keyPersistentCache(compiler: CachingCompiler, options: object): void {
  const cache = compiler.options.cache;
  if (!cache || typeof cache !== 'object' || (cache.type !== 'filesystem' && cache.type !== 'persistent')) return;
  const identity = cacheIdentity(options);
  if (cache.version?.includes(identity)) return;
  cache.version = cache.version ? `${cache.version} ${identity}` : identity;
}
