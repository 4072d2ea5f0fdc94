import { defineConfig } from 'vite';
import otelContext from 'otel-context-transformer/vite';

// `vite build` → the plugin and CompiledContextManager; `vite build --mode broken` → neither.
export default defineConfig(({ mode }) => ({
  plugins: mode === 'broken' ? [] : [otelContext()],
  define: { __COMPILED_CONTEXT__: JSON.stringify(mode !== 'broken') },
  build: { outDir: mode === 'broken' ? 'dist-broken' : 'dist', emptyOutDir: true },
}));
