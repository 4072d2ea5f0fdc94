/**
 * One plugin core for every bundler (through unplugin); the files next to this
 * one only pick the bundler. It runs before the bundler's own transforms
 * (`enforce: 'pre'`), so it sees `await` before anything lowers it.
 *
 * The transform hook carries a filter (script ids; code holding one of the words
 * boundaries are written with, see src/catalog.ts): Vite and Rolldown apply it in
 * native code, so a file without those words never reaches JavaScript; unplugin
 * applies it in JavaScript for the other bundlers, and the handler checks the words
 * again for hosts that take the filter as supported without applying it (Vite
 * before 6.3).
 */
import { createUnplugin, type UnpluginFactory } from 'unplugin';
import { transform, type ApiOptions } from '../api.js';
import { keyPersistentCache, cacheIdentity } from '../cache-key.js';
import { BOUNDARY_WORDS_SOURCE } from '../catalog.js';
import { resolveOptions, type TransformOptions } from '../options.js';

export type BundlerOptions = TransformOptions;

const SCRIPT = /\.[cm]?[jt]sx?$/;
/** A script id, with or without a query (`?v=…`, `?vue&type=script`). */
const SCRIPT_ID = /\.[cm]?[jt]sx?(?:\?.*)?$/;
/** Virtual modules (`\0` ids): never files of the project. */
const VIRTUAL_ID = /^\0/;
/** No `g` flag: filters call test() on each file, and a global regex would carry lastIndex between them. */
const BOUNDARY_WORD = new RegExp(BOUNDARY_WORDS_SOURCE);

export const unpluginFactory: UnpluginFactory<BundlerOptions | undefined> = (raw = {}) => {
  // Validate once, up front: a bad option fails the build with a message naming it.
  const options = resolveOptions(raw);
  const apiOptions: Omit<ApiOptions, 'filename'> = { ...raw };
  const identity = cacheIdentity(raw);
  return {
    name: 'otel-context-transformer',
    enforce: 'pre',
    // Persistent caches key on our version and options (see src/cache-key.ts).
    webpack: (compiler) => keyPersistentCache(compiler, raw),
    rspack: (compiler) => keyPersistentCache(compiler, raw),
    vite: {
      // Vitest's module cache (experimental.fsModuleCache) keys on plugin names and config files, not on versions.
      configureVitest(context: { experimental_defineCacheKeyGenerator?(generate: () => string): void }) {
        context.experimental_defineCacheKeyGenerator?.(() => identity);
      },
    } as object,
    // The include/exclude/packages globs (picomatch, with our own node_modules rules) stay in JavaScript.
    transformInclude(id) {
      const file = stripQuery(id);
      return !id.startsWith('\0') && SCRIPT.test(file) && options.matches(file);
    },
    transform: {
      filter: { id: { include: SCRIPT_ID, exclude: VIRTUAL_ID }, code: { include: BOUNDARY_WORD } },
      handler(code, id) {
        if (!BOUNDARY_WORD.test(code)) return undefined;
        const filename = stripQuery(id);
        const result = transform(code, {
          ...apiOptions,
          filename,
          onDiagnostic: (d) => this.warn(`${d.file}:${d.line}:${d.column}: ${d.message}`),
        });
        // Nothing to rewrite: undefined tells the bundler to keep the module (and its map) as it is.
        return result ? { code: result.code, map: result.map as never } : undefined;
      },
    },
  };
};

function stripQuery(id: string): string {
  const q = id.indexOf('?');
  return q === -1 ? id : id.slice(0, q);
}

export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory);
export default unplugin;
