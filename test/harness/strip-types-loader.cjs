// Test-only webpack loader: TypeScript → JavaScript with esbuild. It runs after
// otel-context-transformer's own loader (which is enforce: 'pre'), so it gets
// the rewritten code and that step's source map, and chains its map onto it.
const { transformSync } = require('esbuild');

module.exports = function stripTypesLoader(code, inputMap) {
  const file = this.resourcePath;
  const out = transformSync(code, {
    loader: file.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'es2022',
    sourcemap: this.sourceMap ? 'external' : false,
    sourcefile: file,
  });
  if (!this.sourceMap) return this.callback(null, out.code);
  let map = JSON.parse(out.map);
  if (inputMap) {
    // Loaded lazily: @jridgewell/remapping is a dependency of the package itself.
    const remapping = require('@jridgewell/remapping');
    const input = typeof inputMap === 'string' ? JSON.parse(inputMap) : inputMap;
    map = remapping([map, input], () => null);
  }
  this.callback(null, out.code, map);
};
