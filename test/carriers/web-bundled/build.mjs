// Builds test/carriers/web-bundled/page.ts for the browser with a real bundler, with or without our
// plugin, into <outDir> (page.js, its workers, uncompiled.js, index.html). A separate process: the
// bundlers' APIs are async and each build should start from a clean module cache.
//
//   node build.mjs <vite|webpack> <outDir> <on|off>
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [bundler, outDir, plugin] = process.argv.slice(2);
const PAGE = join(here, 'page.ts');
const on = plugin === 'on';
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

if (bundler === 'vite') {
  const { build } = await import('vite');
  const otelVite = (await import('otel-context-transformer/vite')).default;
  await build({
    configFile: false,
    envDir: false,
    publicDir: false,
    logLevel: 'warn',
    root: here,
    base: '/',
    plugins: on ? [otelVite()] : [],
    // Worker bundles are built with a plugin list of their own: ours there too (the worker's code is compiled).
    worker: { plugins: () => (on ? [otelVite()] : []) },
    build: {
      outDir,
      emptyOutDir: false,
      minify: false,
      target: 'es2022',
      rolldownOptions: { input: { page: PAGE }, output: { entryFileNames: '[name].js' } },
    },
  });
} else if (bundler === 'webpack') {
  const webpack = (await import('webpack')).default;
  const otel = on ? [(await import('otel-context-transformer/webpack')).default()] : [];
  const compiler = webpack({
    mode: 'none',
    target: 'web',
    context: here,
    entry: { page: PAGE },
    devtool: false,
    output: { path: outDir, filename: '[name].js', publicPath: '/' },
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: { rules: [{ test: /\.ts$/, use: [{ loader: join(here, '../../harness/strip-types-loader.cjs') }] }] },
    plugins: otel,
  });
  await new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      if (error) return reject(error);
      if (stats.hasErrors()) return reject(new Error(stats.toString('errors-only')));
      compiler.close(() => resolve());
    }),
  );
} else {
  throw new Error(`unknown bundler ${bundler}`);
}
copyFileSync(join(here, '../web/uncompiled.js'), join(outDir, 'uncompiled.js'));
writeFileSync(join(outDir, 'index.html'), '<!doctype html><script type="module" src="/page.js"></script>\n');
