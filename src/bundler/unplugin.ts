/**
 * One plugin core for every bundler (through unplugin); the files next to this
 * one only pick the bundler. It runs before the bundler's own transforms
 * (`enforce: 'pre'`), so it sees `await` before anything lowers it.
 */
import { createUnplugin, type UnpluginFactory } from 'unplugin';
import { transform, type ApiOptions } from '../api.js';
import { resolveOptions, type TransformOptions } from '../options.js';

export type BundlerOptions = TransformOptions;

const SCRIPT = /\.[cm]?[jt]sx?$/;

export const unpluginFactory: UnpluginFactory<BundlerOptions | undefined> = (raw = {}) => {
  // Validate once, up front: a bad option fails the build with a message naming it.
  const options = resolveOptions(raw);
  const apiOptions: Omit<ApiOptions, 'filename'> = { ...raw };
  return {
    name: 'otel-context-transformer',
    enforce: 'pre',
    transformInclude(id) {
      const file = stripQuery(id);
      return !id.startsWith('\0') && SCRIPT.test(file) && options.matches(file);
    },
    transform(code, id) {
      const filename = stripQuery(id);
      const result = transform(code, {
        ...apiOptions,
        filename,
        onDiagnostic: (d) => this.warn(`${d.file}:${d.line}:${d.column}: ${d.message}`),
      });
      // Nothing to rewrite: undefined tells the bundler to keep the module (and its map) as it is.
      return result ? { code: result.code, map: result.map as never } : undefined;
    },
  };
};

function stripQuery(id: string): string {
  const q = id.indexOf('?');
  return q === -1 ? id : id.slice(0, q);
}

export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory);
export default unplugin;
