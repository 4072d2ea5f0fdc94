// Builds the React Native bundle the Hermes backend runs: what Metro does for an app whose
// babel.config.js is the README's (our plugin first, then @react-native/babel-preset), as one classic
// script. A separate process because esbuild's plugin API is async and Backend.compile is not.
//
//   node hermes-bundle.mjs '<json spec>'
//   spec: { scenarios: [[name, file]...], transform: boolean, options?: our options, outFile, cacheDir }
//
// Every module goes through Babel with the React Native preset, as Metro transforms node_modules
// too: the preset is what lowers what Hermes 0.12 cannot run (classes, async functions and async
// generators, block scoping), with its @babel/runtime helpers. Scenario files get our plugin first
// when `transform` is on; nothing else does (the harness, the SDK and our runtime are code we do
// not compile). esbuild only links the CommonJS modules the preset wrote into one script (IIFE),
// resolving packages like Metro: "react-native", then "browser" fields (OTel's browser platform).
// @babel/runtime's helpers are plain ES5 CommonJS and are linked as they are (running the preset's
// transform-runtime over the helpers themselves would make them require themselves).
//
// On failure: exit code 1, the error on stderr.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);
const babel = require('@babel/core');
const esbuild = require('esbuild');

const spec = JSON.parse(process.argv[2]);
const scenarioFiles = new Set(spec.scenarios.map(([, file]) => file));
const preset = require.resolve('@react-native/babel-preset');
const ourPlugin = require.resolve('otel-context-transformer/babel');
const presetVersion = require('@react-native/babel-preset/package.json').version;
mkdirSync(spec.cacheDir, { recursive: true });

/** The preset over one module, as Metro's transformer calls Babel (caller "metro", default transform profile). */
function compileModule(file, code, withPlugin) {
  const problems = [];
  const result = babel.transformSync(code, {
    filename: file,
    babelrc: false,
    configFile: false,
    browserslistConfigFile: false,
    sourceType: 'unambiguous',
    caller: { name: 'metro', bundler: 'metro', platform: 'ios' },
    plugins: withPlugin ? [[ourPlugin, { ...spec.options, onDiagnostic: (d) => problems.push(d.message) }]] : [],
    presets: [preset],
  });
  if (problems.length > 0) throw new Error(`${file}:\n${problems.join('\n')}`);
  return result.code;
}

/** Modules other than the scenarios compile the same in every build: cached on disk by content. */
function compileCached(file, code) {
  const key = createHash('sha256').update(`${presetVersion}\0${file}\0${code}`).digest('hex').slice(0, 32);
  const cached = join(spec.cacheDir, `${key}.js`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const out = compileModule(file, code, false);
  writeFileSync(cached, out);
  return out;
}

const metroLike = {
  name: 'metro-like',
  setup(build) {
    build.onResolve({ filter: /^hermes-entry$/ }, () => ({ path: 'hermes-entry', namespace: 'hermes-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'hermes-entry' }, () => ({
      resolveDir: here,
      loader: 'js',
      contents: [
        `require(${JSON.stringify(join(here, 'react-native-shims.js'))});`,
        `require(${JSON.stringify(join(here, 'hermes-runner.js'))}).default([`,
        ...spec.scenarios.map(([name, file]) => `  [${JSON.stringify(name)}, function () { return require(${JSON.stringify(file)}); }],`),
        ']);',
      ].join('\n'),
    }));
    // Every module lives in the "metro" namespace: there, like in Metro, each is a CommonJS module
    // whatever its package.json "type" says (this package is "type": "module").
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      // The package's own "exports" for require() (what the preset's CommonJS output calls).
      if (args.path === 'otel-context-transformer/runtime') return { path: join(root, 'dist/cjs/runtime/index.js'), namespace: 'metro' };
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, namespace: 'metro' };
    });
    build.onLoad({ filter: /.*/, namespace: 'metro' }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const resolveDir = dirname(args.path);
      if (/[\\/]node_modules[\\/]@babel[\\/]runtime[\\/]/.test(args.path)) return { contents: code, loader: 'js', resolveDir };
      const contents = scenarioFiles.has(args.path) ? compileModule(args.path, code, spec.transform) : compileCached(args.path, code);
      return { contents, loader: 'js', resolveDir };
    });
  },
};

try {
  await esbuild.build({
    entryPoints: ['hermes-entry'],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    mainFields: ['react-native', 'browser', 'main'],
    conditions: ['react-native'],
    outfile: spec.outFile,
    write: true,
    logLevel: 'silent',
    plugins: [metroLike],
  });
} catch (e) {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
}
