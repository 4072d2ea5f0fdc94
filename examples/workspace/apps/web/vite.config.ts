import { defineConfig } from 'vite';

// The app's own settings stay as they are.
export default defineConfig({
  build: { outDir: 'dist', minify: false },
});
