// Builds entries with one real bundler, with or without otel-context-transformer's
// plugin (from dist/esm/bundler/<bundler>.js). A separate process because the
// bundlers' APIs are async and Backend.compile is not, and so every build starts
// from a clean module cache.
//
//   node bundle.mjs '<json spec>'
//   spec: { bundler, entries: { name: file }, outDir, format: 'esm' | 'cjs',
//           plugin: false | options, sourcemap?: boolean, loadPluginWith?: 'import' | 'require',
//           lowerAwaitFirst?: boolean (rollup, rolldown) }
//
// Writes <outDir>/<name>.mjs|.cjs per entry (and nothing else but source maps).
// On failure: exit code 1, the error message on stderr.
//
// Every config keeps @opentelemetry/api and otel-context-transformer/runtime
// external, so the bundle and the runner share one API and one context slot.
// Rollup, webpack cannot read TypeScript: a test-only strip step (esbuild's
// transformSync) runs AFTER our plugin, which must see the TS source first.
import { existsSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// The libraries of the declared-boundary scenarios (test/scenarios/declared-library-*) stay imports, loaded
// by Node at run time like the API: what is tested is the compiled app's calls into them, and several are
// CommonJS or UMD, which this harness's Rollup (no CommonJS plugin) does not bundle.
const DECLARED_LIBRARIES = ['p-queue', 'p-limit', 'async'];
export const EXTERNAL = new RegExp(
  `^(@opentelemetry\\/api|otel-context-transformer\\/runtime|${DECLARED_LIBRARIES.join('|')})(\\/.*)?$|^node:`,
);
const TS = /\.[cm]?tsx?$/;

/**
 * Our plugin through the package's own "exports" (a self-reference: this file is
 * inside the package): `import` gives dist/esm/bundler/<bundler>.js, `require`
 * (for CommonJS configs) dist/cjs/bundler/<bundler>.js.
 */
let loadWith = 'import';
async function ourPlugin(bundler, options) {
  const specifier = `otel-context-transformer/${bundler}`;
  const mod = loadWith === 'require' ? require(specifier) : await import(specifier);
  return mod.default(options);
}

/** Test-only: TypeScript → JavaScript with esbuild, keeping a source map. */
function stripTypes(code, file, target = 'es2022') {
  const esbuild = require('esbuild');
  const out = esbuild.transformSync(code, {
    loader: file.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target,
    sourcemap: 'external',
    sourcefile: file,
  });
  return { code: out.code, map: JSON.parse(out.map) };
}

/** Test-only rollup resolver (instead of @rollup/plugin-node-resolve): relative TS files and bare packages. */
function resolveFiles() {
  const candidates = (base) => [
    base,
    base.replace(/\.[cm]?js$/, '.ts'),
    `${base}.ts`,
    `${base}.js`,
    join(base, 'index.ts'),
    join(base, 'index.js'),
  ];
  return {
    name: 'test-resolve',
    resolveId(source, importer) {
      if (EXTERNAL.test(source)) return { id: source, external: true };
      if (!importer) return null;
      if (source.startsWith('.') || source.startsWith('/')) {
        const base = resolve(dirname(importer), source);
        return candidates(base).find((f) => existsSync(f) && statSync(f).isFile()) ?? null;
      }
      return createRequire(importer).resolve(source);
    },
  };
}

/**
 * Test-only, for `lowerAwaitFirst`: a TypeScript step that also lowers async/await
 * to generators (ES2016), listed BEFORE our plugin: our transform hook must still
 * run first (hook order 'pre'), or there is no `await` left to rewrite.
 */
function lowerAwait() {
  return { name: 'test-lower-await', transform: (code, id) => (TS.test(id) ? stripTypes(code, id, 'es2016') : null) };
}

const builders = {
  async rollup({ entries, outDir, format, plugin, sourcemap, lowerAwaitFirst }) {
    const { rollup } = await import('rollup');
    const plugins = [resolveFiles()];
    if (lowerAwaitFirst) plugins.push(lowerAwait());
    if (plugin) plugins.push(await ourPlugin('rollup', plugin));
    plugins.push({ name: 'test-strip-types', transform: (code, id) => (TS.test(id) ? stripTypes(code, id) : null) });
    const bundle = await rollup({ input: entries, external: (id) => EXTERNAL.test(id), plugins, onwarn: fail });
    await bundle.write({
      dir: outDir,
      format: format === 'esm' ? 'es' : 'cjs',
      entryFileNames: `[name].${ext(format)}`,
      sourcemap,
      exports: 'named',
    });
    await bundle.close();
  },

  async rolldown({ entries, outDir, format, plugin, sourcemap, lowerAwaitFirst }) {
    const { rolldown } = await import('rolldown');
    const bundle = await rolldown({
      input: entries,
      platform: 'node',
      external: EXTERNAL,
      plugins: [...(lowerAwaitFirst ? [lowerAwait()] : []), ...(plugin ? [await ourPlugin('rolldown', plugin)] : [])],
      transform: { target: 'node20' },
      onwarn: fail,
    });
    await bundle.write({ dir: outDir, format, entryFileNames: `[name].${ext(format)}`, sourcemap, minify: false });
    await bundle.close();
  },

  async vite({ entries, outDir, format, plugin, sourcemap }) {
    const { build } = await import('vite');
    await build({
      configFile: false,
      envDir: false,
      publicDir: false,
      logLevel: 'warn',
      plugins: plugin ? [await ourPlugin('vite', plugin)] : [],
      // SSR build: output for Node; bundle dependencies (noExternal), keep only the shared API and runtime out.
      ssr: { target: 'node', noExternal: true, external: [] },
      build: {
        ssr: true,
        outDir,
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        sourcemap,
        rolldownOptions: {
          input: entries,
          external: EXTERNAL,
          output: { format, entryFileNames: `[name].${ext(format)}` },
          onwarn: fail,
        },
      },
    });
  },

  async esbuild({ entries, outDir, format, plugin, sourcemap }) {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: entries,
      bundle: true,
      outdir: outDir,
      outExtension: { '.js': `.${ext(format)}` },
      format,
      platform: 'node',
      target: 'node20',
      sourcemap,
      minify: false,
      // Only those with a CommonJS build: esbuild's interop takes an ES module's namespace for its default export.
      external: ['@opentelemetry/api', 'otel-context-transformer/runtime', 'async'],
      plugins: plugin ? [await ourPlugin('esbuild', plugin)] : [],
      logLevel: 'silent',
    });
    if (result.warnings.length > 0) fail((await esbuild.formatMessages(result.warnings, { kind: 'warning' })).join('\n'));
  },

  async webpack(spec) {
    const webpack = (await import('webpack')).default;
    const config = webpackLikeConfig(spec, {
      plugin: spec.plugin ? await ourPlugin('webpack', spec.plugin) : undefined,
      tsLoader: { loader: join(here, 'strip-types-loader.cjs') },
    });
    await runCompiler(webpack(config));
  },

  async rspack(spec) {
    const { rspack } = await import('@rspack/core');
    const config = webpackLikeConfig(spec, {
      plugin: spec.plugin ? await ourPlugin('rspack', spec.plugin) : undefined,
      tsLoader: {
        loader: 'builtin:swc-loader',
        options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, sourceMaps: spec.sourcemap },
      },
    });
    await runCompiler(rspack(config));
  },
};

/** webpack and rspack share one config shape. */
function webpackLikeConfig({ entries, outDir, format, sourcemap }, { plugin, tsLoader }) {
  const esm = format === 'esm';
  return {
    mode: 'none',
    target: 'node20',
    context: process.cwd(),
    entry: entries,
    devtool: sourcemap ? 'source-map' : false,
    output: {
      path: outDir,
      filename: `[name].${ext(format)}`,
      library: { type: esm ? 'module' : 'commonjs2' },
      module: esm,
      chunkFormat: esm ? 'module' : 'commonjs',
    },
    experiments: esm ? { outputModule: true } : {},
    externalsType: esm ? 'module' : 'commonjs',
    externals: [({ request }, callback) => (EXTERNAL.test(request) ? callback(null, request) : callback())],
    resolve: { extensions: ['.ts', '.js', '.mjs'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: { rules: [{ test: TS, use: [tsLoader] }] },
    optimization: { minimize: false, moduleIds: 'named', chunkIds: 'named', splitChunks: false, concatenateModules: false },
    plugins: plugin ? [plugin] : [],
    infrastructureLogging: { level: 'error' },
    stats: 'errors-warnings',
  };
}

function runCompiler(compiler) {
  return new Promise((resolvePromise, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {});
      if (error) return reject(error);
      if (stats.hasErrors() || stats.hasWarnings()) {
        return reject(new Error(stats.toString({ all: false, errors: true, warnings: true, errorDetails: true })));
      }
      resolvePromise();
    });
  });
}

function ext(format) {
  return format === 'esm' ? 'mjs' : 'cjs';
}

/** Warnings fail the build: a plugin diagnostic must not pass unnoticed. */
function fail(warning) {
  throw new Error(`warning: ${typeof warning === 'string' ? warning : warning.message}`);
}

const spec = JSON.parse(process.argv[2]);
try {
  const builder = builders[spec.bundler];
  if (!builder) throw new Error(`unknown bundler ${spec.bundler}`);
  loadWith = spec.loadPluginWith ?? 'import';
  rmSync(spec.outDir, { recursive: true, force: true });
  await builder({ sourcemap: false, ...spec });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
