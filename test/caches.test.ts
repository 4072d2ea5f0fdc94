/**
 * Hosts that cache transformed files never serve output built before an option
 * change or an upgrade of this package, and the output they cache is
 * deterministic. Each host is the real one with its real cache on disk: Jest
 * with babel-jest and with ts-jest (a spec asserting a parent span id passes,
 * then fails once the option turns timers off: the cache did not answer), webpack's
 * filesystem cache (the plugin, and the loader in a rule), Vitest's module cache
 * and Metro's cache key. An upgrade is the installed package (from the packed
 * tarball) written anew with another version: the host must make a new cache
 * entry for an unchanged file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript shared with `npm run example`
import { linkNodeModules } from '../examples/link-workspace.mjs';
import { pack, ROOT, SCRATCH } from './harness/packed.js';
import { blocks } from './harness/readme.js';
import { cacheIdentity, keyPersistentCache } from '../dist/esm/cache-key.js';
import { VERSION } from '../dist/esm/version.js';

const require = createRequire(import.meta.url);
const WORK = join(SCRATCH, 'caches');
let tarball: string;

beforeAll(() => {
  tarball = pack(join(WORK, 'tarball')).tarball;
}, 120_000);

/** A project at dir with `files`, the checkout's packages linked, and this package installed from the tarball (a copy). */
function project(name: string, files: Record<string, string>): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  linkNodeModules(dir, {});
  const installed = join(dir, 'node_modules', 'otel-context-transformer');
  rmSync(installed, { force: true });
  mkdirSync(installed);
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  return dir;
}

/**
 * An upgrade: the installed package's files written anew (as the package manager does, new
 * modification times included), with another version in package.json and the built constant.
 */
function upgradeInstalled(dir: string, version: string): void {
  const installed = join(dir, 'node_modules', 'otel-context-transformer');
  const before = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version as string;
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed);
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1', '--touch']);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  expect(manifest.version).toBe(before);
  manifest.version = version;
  writeFileSync(join(installed, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const format of ['esm', 'cjs']) {
    const file = join(installed, 'dist', format, 'version.js');
    const text = readFileSync(file, 'utf8');
    const literal = new RegExp(`(['"])${before.replace(/\./g, '\\.')}\\1`);
    expect(text).toMatch(literal);
    writeFileSync(file, text.replace(literal, `'${version}'`));
  }
}

/** Files under dir (recursively) whose name matches. */
function filesNamed(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => pattern.test(f.split('/').pop()!) && statSync(join(dir, f)).isFile(),
  );
}

const node = (dir: string, args: string[], env: Record<string, string> = {}) => {
  const result = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NODE_PATH: join(dir, 'node_modules'), FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true', ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
};

const CODE = `const { trace } = require('@opentelemetry/api');
const tracer = trace.getTracer('under-test');
async function handle() {
  return tracer.startActiveSpan('request', async (span) => {
    await new Promise((resolve) => setTimeout(() => { tracer.startSpan('timer child').end(); resolve(); }, 1));
    span.end();
    return span.spanContext().spanId;
  });
}
module.exports = { handle };
`;

const SPEC = `const assert = require('node:assert/strict');
const { context, trace } = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { CompiledContextManager } = require('otel-context-transformer/runtime');
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
const { handle } = require('./checkout');

it('the timer child keeps its parent', async () => {
  const requestId = await handle();
  const child = exporter.getFinishedSpans().find((s) => s.name === 'timer child');
  assert.equal(child.parentSpanContext?.spanId, requestId, 'timer child parent');
});
`;

const jestBin = join(dirname(require.resolve('jest/package.json')), 'bin/jest.js');

interface JestHost {
  name: string;
  /** Files of the project with the plugin configured with these options. */
  files(options: object): Record<string, string>;
}

const HOSTS: JestHost[] = [
  {
    name: 'babel-jest',
    files: (options) => ({
      'package.json': '{ "name": "spec", "private": true }\n',
      'babel.config.js': `module.exports = {
  plugins: [['otel-context-transformer/babel', ${JSON.stringify(options)}]],
  presets: [['@babel/preset-env', { targets: { node: 'current' } }]],
};
`,
      'jest.config.js': 'module.exports = {};\n',
    }),
  },
  {
    name: 'ts-jest',
    files: (options) => ({
      'package.json': '{ "name": "spec", "private": true }\n',
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', allowJs: true, skipLibCheck: true } }),
      'jest.config.js': `module.exports = {
  transform: { '^.+\\\\.[jt]s$': ['ts-jest', { diagnostics: false, astTransformers: { before: [
    { path: 'otel-context-transformer/ts-jest', options: ${JSON.stringify(options)} },
  ] } }] },
};
`,
    }),
  },
];

describe('Jest caches recompile after an option change and after an upgrade', () => {
  for (const host of HOSTS) {
    it(
      host.name,
      () => {
        const dir = project(`jest-${host.name}`, { ...host.files({}), 'checkout.js': CODE, 'checkout.test.js': SPEC });
        const cache = join(dir, '.jest-cache');
        const jest = () => node(dir, [jestBin, '--cacheDirectory', cache]);
        // Jest's transform cache: one file per (file, cache key), named `<file name without extension>_<key>`.
        const entries = () => filesNamed(cache, /^checkout_[0-9a-f]+$/).length;

        const first = jest();
        expect(first.status, first.output).toBe(0);
        expect(entries()).toBe(1);
        // Unchanged: the cache answers (no second entry), and the spec still passes.
        expect(jest().status).toBe(0);
        expect(entries()).toBe(1);

        // An option change: timers are no longer rewritten, so the spec fails, unless stale output was served.
        for (const [file, text] of Object.entries(host.files({ skip: ['timers'] }))) writeFileSync(join(dir, file), text);
        const skipped = jest();
        expect(skipped.status, skipped.output).not.toBe(0);
        expect(skipped.output).toContain('timer child parent');
        expect(entries()).toBe(2);

        // The first options again, after an upgrade: a new entry for the unchanged file, not the first one.
        for (const [file, text] of Object.entries(host.files({}))) writeFileSync(join(dir, file), text);
        upgradeInstalled(dir, '99.0.0');
        const upgraded = jest();
        expect(upgraded.status, upgraded.output).toBe(0);
        expect(entries()).toBe(3);
      },
      240_000,
    );
  }
});

/**
 * A webpack config with the options written in it: the plugin, with no buildDependencies (webpack's default,
 * under which its cache does not see this file change), or the loader in a rule, with the config as a build
 * dependency (as webpack's documentation has it): loader options reach the cache only that way, like any loader's.
 */
type Integration = 'plugin' | 'loader' | 'rspack';

const webpackConfig = (integration: Integration, options: object) => `const path = require('node:path');
${integration === 'loader' ? '' : `const otelContext = require('otel-context-transformer/${integration === 'rspack' ? 'rspack' : 'webpack'}').default;`}
module.exports = {
  mode: 'development',
  devtool: false,
  context: __dirname,
  entry: './src/work.js',
  output: { path: path.join(__dirname, 'dist'), filename: 'main.js', library: { type: 'commonjs2' } },
  target: 'node',
  cache: ${
    integration === 'rspack'
      ? "{ type: 'persistent', storage: { type: 'filesystem', directory: path.join(__dirname, '.rspack-cache') } },"
      : `{
    type: 'filesystem',
    cacheDirectory: path.join(__dirname, '.webpack-cache'),
    ${integration === 'loader' ? 'buildDependencies: { config: [__filename] },' : ''}
  },`
  }
  // As when webpack is installed in this node_modules (here it is linked from the checkout's): packages there are
  // snapshotted by their package.json version, so an upgrade reaches the loader's modules.
  snapshot: { managedPaths: [path.join(__dirname, 'node_modules') + path.sep] },
  ${
    integration !== 'loader'
      ? `plugins: [otelContext(${JSON.stringify(options)})],`
      : `module: { rules: [{ test: /\\.js$/, use: [{ loader: 'otel-context-transformer/loader', options: ${JSON.stringify(options)} }] }] },`
  }
};
`;

const WEBPACK_BUILD = `const webpack = process.argv[2] === 'rspack' ? require('@rspack/core').rspack : require('webpack');
const compiler = webpack(require('./webpack.config.cjs'));
compiler.run((error, stats) => {
  if (error || stats.hasErrors()) { console.error(error || stats.toString()); process.exit(1); }
  const module = stats.toJson({ modules: true }).modules.find((m) => m.name.endsWith('./src/work.js'));
  compiler.close(() => console.log(JSON.stringify({ built: module.built })));
});
`;

describe("webpack's filesystem cache and Rspack's persistent cache", () => {
  it.each(['plugin', 'loader', 'rspack'] as const)(
    '%s: a module is rebuilt after an option change and after an upgrade, and reused otherwise',
    (integration) => {
      const dir = project(`webpack-${integration}`, {
        'package.json': '{ "name": "app", "private": true }\n',
        'build.cjs': WEBPACK_BUILD,
        'src/work.js': 'export function later(fn) { setTimeout(() => fn(), 1); }\n',
      });
      const build = (options: object = {}) => {
        writeFileSync(join(dir, 'webpack.config.cjs'), webpackConfig(integration, options));
        const result = node(dir, ['build.cjs', integration]);
        expect(result.status, result.output).toBe(0);
        const { built } = JSON.parse(result.output.trim().split('\n').filter(Boolean).pop()!) as { built: boolean };
        return { built, wrapped: /setTimeout\([\w$.]+\(/.test(readFileSync(join(dir, 'dist/main.js'), 'utf8')) };
      };
      expect(build()).toEqual({ built: true, wrapped: true });
      // The cache is in use: an unchanged build takes the module from it.
      expect(build()).toEqual({ built: false, wrapped: true });
      expect(build({ skip: ['timers'] })).toEqual({ built: true, wrapped: false });
      expect(build()).toEqual({ built: true, wrapped: true });
      expect(build()).toEqual({ built: false, wrapped: true });
      upgradeInstalled(dir, '99.0.0');
      expect(build()).toEqual({ built: true, wrapped: true });
    },
    120_000,
  );
});

describe('the persistent-cache version the plugin sets', () => {
  it("keeps the config's own version, adds ours once, and leaves memory caches alone", () => {
    const compiler = { options: { cache: { type: 'filesystem', version: 'app-3' } } };
    keyPersistentCache(compiler, { skip: ['timers'], exclude: ['a/**'] });
    keyPersistentCache(compiler, { exclude: ['a/**'], skip: ['timers'] });
    expect(compiler.options.cache.version).toBe(`app-3 otel-context-transformer@${VERSION} {"exclude":["a/**"],"skip":["timers"]}`);
    const memory = { options: { cache: { type: 'memory' } as { type: string; version?: string } } };
    keyPersistentCache(memory, {});
    expect(memory.options.cache.version).toBeUndefined();
    expect(cacheIdentity({ skip: ['timers'] })).not.toBe(cacheIdentity({}));
  });
});

describe("Vitest's module cache (experimental.fsModuleCache)", () => {
  it('makes a new entry after an upgrade', () => {
    const dir = project('vitest', {
      'package.json': '{ "name": "spec", "private": true, "type": "module" }\n',
      'vitest.config.mjs': `import { defineConfig } from 'vitest/config';
import otelContext from 'otel-context-transformer/vite';
export default defineConfig({
  plugins: [otelContext()],
  test: { experimental: { fsModuleCache: true, fsModuleCachePath: '.vitest-cache' } },
});
`,
      'work.js': 'export function later(fn) { setTimeout(() => fn(), 1); }\n',
      'work.test.js':
        "import { it, expect } from 'vitest';\nimport { later } from './work.js';\nit('runs', () => expect(typeof later).toBe('function'));\n",
    });
    const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
    const cache = join(dir, '.vitest-cache');
    const entries = () =>
      filesNamed(cache, /^[0-9a-f]{40}$/).filter((f) => readFileSync(join(cache, f), 'utf8').includes('setTimeout')).length;
    const run = () => {
      const result = node(dir, [vitestBin, 'run']);
      expect(result.status, result.output).toBe(0);
    };
    run();
    expect(entries()).toBe(1);
    run();
    expect(entries()).toBe(1);
    upgradeInstalled(dir, '99.0.0');
    run();
    expect(entries()).toBe(2);
  }, 120_000);
});

describe('Vite dev server', () => {
  // Vite pre-bundles dependencies (node_modules/.vite/deps) without plugins: a package named in `packages`
  // is transformed in dev only when it is left out of pre-bundling, as the README says.
  it('transforms a dependency named in packages only when optimizeDeps excludes it', () => {
    const dir = project('vite-dev', {
      'package.json': '{ "name": "app", "private": true, "type": "module" }\n',
      'node_modules/@acme/sdk/package.json': '{ "name": "@acme/sdk", "version": "1.0.0", "type": "module", "main": "index.js" }\n',
      'node_modules/@acme/sdk/index.js': 'export function later(fn) { setTimeout(() => fn(), 1); }\n',
      'index.html': '<script type="module" src="/src/main.js"></script>\n',
      'src/main.js': "import { later } from '@acme/sdk';\nlater(() => {});\n",
      'serve.mjs': `import { createServer } from 'vite';
import otelContext from 'otel-context-transformer/vite';
const optimizeDeps = process.argv[2] === 'exclude' ? { exclude: ['@acme/sdk'] } : { include: ['@acme/sdk'] };
const server = await createServer({
  root: process.cwd(), logLevel: 'silent', server: { port: 0, host: '127.0.0.1' }, optimizeDeps,
  plugins: [otelContext({ packages: ['@acme/sdk'] })],
});
await server.listen();
const base = 'http://127.0.0.1:' + server.httpServer.address().port;
const main = await (await fetch(base + '/src/main.js')).text();
const dependency = /from\\s*"([^"]*acme[^"]*)"/.exec(main)[1];
const code = await (await fetch(base + dependency)).text();
console.log(JSON.stringify({ prebundled: dependency.includes('/.vite/deps/'), wrapped: /setTimeout\\([\\w$.]+\\(/.test(code) }));
await server.close();
`,
    });
    const serve = (mode: string) => {
      const result = node(dir, ['serve.mjs', mode]);
      expect(result.status, result.output).toBe(0);
      return JSON.parse(result.output.trim().split('\n').pop()!) as { prebundled: boolean; wrapped: boolean };
    };
    expect(serve('include')).toEqual({ prebundled: true, wrapped: false });
    expect(serve('exclude')).toEqual({ prebundled: false, wrapped: true });
  }, 60_000);
});

describe('Metro', () => {
  // Metro keys its transform cache on Metro's version, `cacheVersion` from metro.config.js, the transformer files
  // and the Babel transformer's getCacheKey(), which (metro-babel-transformer 0.84.3 and later) hashes the Babel
  // config files: an option change in babel.config.js reaches it, an upgrade of a Babel plugin does not, hence the
  // README's `cacheVersion`. The key is Metro's own (getTransformCacheKey, as its Transformer builds it) over the
  // config Metro loads; the Babel transformer is Metro's, and it runs the plugin.
  it("its cache key changes with the options, and with an upgrade through the README's cacheVersion", () => {
    const readme = blocks('Caches: what invalidates what').find((b) => b.code.includes('metro.config.js'));
    const cacheVersion = readme?.code.split('\n').find((line) => line.trim().startsWith('cacheVersion:'));
    expect(cacheVersion, "the README's metro.config.js sets cacheVersion").toBeDefined();
    const babelConfig = (options: object) =>
      `module.exports = { plugins: [['otel-context-transformer/babel', ${JSON.stringify(options)}]] };\n`;
    const dir = project('metro', {
      'package.json': '{ "name": "app", "private": true }\n',
      'babel.config.js': babelConfig({}),
      // The README's addition to the app's config, and the same app without it.
      'metro.config.js': `module.exports = {\n${cacheVersion}\n};\n`,
      'metro.plain.config.js': 'module.exports = {};\n',
      'App.js': 'export function later(fn) { setTimeout(() => fn(), 1); }\n',
    });
    const script = `
      const Metro = require('metro');
      const getTransformCacheKey = require('metro/private/DeltaBundler/getTransformCacheKey').default;
      const babelTransformer = require('metro-babel-transformer');
      const { readFileSync } = require('node:fs');
      (async () => {
        const keys = {};
        for (const file of ['metro.config.js', 'metro.plain.config.js']) {
          const config = await Metro.loadConfig({ cwd: process.cwd(), config: file });
          const { getTransformOptions, transformVariants, unstable_workerThreads, ...transformerConfig } = config.transformer;
          keys[file] = getTransformCacheKey({
            cacheVersion: config.cacheVersion,
            projectRoot: config.projectRoot,
            transformerConfig: { transformerPath: config.transformerPath, transformerConfig },
          });
        }
        const { ast } = babelTransformer.transform({
          filename: 'App.js', src: readFileSync('App.js', 'utf8'), plugins: [],
          options: { projectRoot: process.cwd(), dev: true, hot: false, minify: false, platform: 'ios', publicPath: '/assets',
            enableBabelRCLookup: true, enableBabelRuntime: false, globalPrefix: '', unstable_transformProfile: 'default' },
        });
        process.stdout.write(JSON.stringify({ ...keys, transformed: JSON.stringify(ast).includes('otel-context-transformer/runtime') }));
      })();
    `;
    const metro = () => {
      const result = node(dir, ['-e', script]);
      expect(result.status, result.output).toBe(0);
      return JSON.parse(result.output.trim().split('\n').pop()!) as Record<'metro.config.js' | 'metro.plain.config.js', string> & {
        transformed: boolean;
      };
    };
    const first = metro();
    expect(first.transformed).toBe(true);
    writeFileSync(join(dir, 'babel.config.js'), babelConfig({ skip: ['timers'] }));
    const skipped = metro();
    expect(skipped['metro.config.js']).not.toBe(first['metro.config.js']);
    expect(skipped['metro.plain.config.js']).not.toBe(first['metro.plain.config.js']);
    writeFileSync(join(dir, 'babel.config.js'), babelConfig({}));
    expect(metro()['metro.config.js']).toBe(first['metro.config.js']);

    upgradeInstalled(dir, '99.0.0');
    const upgraded = metro();
    expect(upgraded['metro.config.js']).not.toBe(first['metro.config.js']);
    // Without the README's cacheVersion, Metro would serve what the earlier version compiled.
    expect(upgraded['metro.plain.config.js']).toBe(first['metro.plain.config.js']);
  }, 60_000);
});

describe('determinism', () => {
  it('the same input in fresh processes gives byte-identical code and maps (transform() and the Babel plugin)', () => {
    const input = join(ROOT, 'examples/app.ts');
    const script = `
      const { readFileSync } = require('node:fs');
      const { transform } = require(${JSON.stringify(join(ROOT, 'dist/cjs/api.js'))});
      const babel = require('@babel/core');
      const code = readFileSync(${JSON.stringify(input)}, 'utf8');
      const text = transform(code, { filename: ${JSON.stringify(input)} });
      const viaBabel = babel.transformSync(code, {
        filename: ${JSON.stringify(input)}, babelrc: false, configFile: false, sourceMaps: true,
        plugins: [${JSON.stringify(join(ROOT, 'dist/cjs/babel.js'))}], presets: ['@babel/preset-typescript'],
      });
      process.stdout.write(JSON.stringify([text.code, text.map, viaBabel.code, viaBabel.map]));
    `;
    const run = () => execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    const first = run();
    const [code] = JSON.parse(first) as [string];
    expect(code).toContain('__otelCtx');
    expect(run()).toBe(first);
  }, 60_000);

  it('tspc (the tsconfig plugin, with the type checker) in fresh processes gives byte-identical output and maps', () => {
    const dir = project('determinism-tspc', {
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          skipLibCheck: true,
          types: [],
          lib: ['ES2022', 'DOM'],
          outDir: 'out',
          sourceMap: true,
          plugins: [{ transform: 'otel-context-transformer' }],
        },
        files: ['app.ts'],
      }),
      'app.ts': readFileSync(join(ROOT, 'examples/app.ts'), 'utf8'),
    });
    const tspc = join(dirname(require.resolve('ts-patch/package.json')), 'bin/tspc.js');
    const build = () => {
      rmSync(join(dir, 'out'), { recursive: true, force: true });
      const result = node(dir, [tspc, '-p', '.']);
      expect(result.status, result.output).toBe(0);
      return ['app.js', 'app.js.map'].map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
    };
    const first = build();
    expect(first[0]).toContain('__otelCtx');
    expect(build()).toEqual(first);
  }, 60_000);
});
