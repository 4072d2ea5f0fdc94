/**
 * The runtime ships into users' bundles: bundling it must not make their bundler warn. A small app
 * importing otel-context-transformer/runtime (resolved through the package's exports, by
 * self-reference from this checkout) is bundled by Rollup, Vite, webpack and esbuild; any warning
 * fails the test. (Rollup used to warn `"this" has been rewritten to "undefined"` about the
 * `__classPrivateFieldGet` helper TypeScript emits for `#private` fields.)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { TMP_DIR } from './harness/run.js';

// No package.json in this directory: the repository's own resolves otel-context-transformer/* to dist/ by self-reference.
const DIR = join(TMP_DIR, 'runtime-bundles');
const ENTRY = join(DIR, 'main.js');
const APP = `import { context } from '@opentelemetry/api';
import { CompiledContextManager, bind } from 'otel-context-transformer/runtime';
import { AsyncContext } from 'otel-context-transformer/async-context';
export const manager = new CompiledContextManager().enable();
context.setGlobalContextManager(manager);
export const variable = new AsyncContext.Variable();
export const later = (fn) => setTimeout(bind(fn), 1);
`;
const EXTERNAL = ['@opentelemetry/api'];
const requireFromDir = createRequire(ENTRY);

const BUNDLERS: Record<string, () => Promise<string[]>> = {
  async rollup() {
    const { rollup } = await import('rollup');
    const warnings: string[] = [];
    // Rollup resolves no bare import by itself (users add @rollup/plugin-node-resolve): resolve ours like Node would.
    const resolveOurs = {
      name: 'resolve-otel-context-transformer',
      resolveId: (id: string) => (id.startsWith('otel-context-transformer/') ? requireFromDir.resolve(id).replace('/cjs/', '/esm/') : null),
    };
    const onwarn = (w: { code?: string; message: string }) => void warnings.push(`${w.code}: ${w.message}`);
    const bundle = await rollup({ input: ENTRY, external: EXTERNAL, plugins: [resolveOurs], onwarn });
    const { output } = await bundle.generate({ format: 'es' });
    await bundle.close();
    expectBundled(output[0].code);
    return warnings;
  },

  async vite() {
    const { build } = await import('vite');
    const warnings: string[] = [];
    const logger = {
      info() {},
      warn: (message: string) => warnings.push(message),
      warnOnce: (message: string) => warnings.push(message),
      error: (message: string) => warnings.push(`error: ${message}`),
      clearScreen() {},
      hasErrorLogged: () => false,
      hasWarned: false,
    };
    const result = await build({
      root: DIR,
      configFile: false,
      logLevel: 'warn',
      customLogger: logger,
      build: {
        write: false,
        minify: false,
        lib: { entry: ENTRY, formats: ['es'], fileName: 'main' },
        rollupOptions: { external: EXTERNAL, onwarn: (w: { message: string }) => warnings.push(w.message) },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Array<{ output: Array<{ type: string; code?: string }> }>;
    expectBundled(outputs[0]!.output.find((o) => o.type === 'chunk')!.code!);
    return warnings;
  },

  async webpack() {
    const webpack = (await import('webpack')).default;
    const stats = await new Promise<import('webpack').Stats>((done, fail) => {
      const compiler = webpack({
        mode: 'production',
        context: DIR,
        entry: ENTRY,
        output: { path: join(DIR, 'webpack'), filename: 'main.js', library: { type: 'module' } },
        experiments: { outputModule: true },
        externalsType: 'module',
        externals: EXTERNAL,
        infrastructureLogging: { level: 'error' },
      });
      compiler.run((error, result) => compiler.close(() => (error ? fail(error) : done(result!))));
    });
    const { warnings = [], errors = [] } = stats.toJson({ all: false, warnings: true, errors: true });
    expect(errors.map((e) => e.message)).toEqual([]);
    expectBundled(readFileSync(join(DIR, 'webpack/main.js'), 'utf8'));
    return warnings.map((w) => w.message);
  },

  async esbuild() {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      external: EXTERNAL,
      logLevel: 'silent',
    });
    expectBundled(result.outputFiles[0]!.text);
    return esbuild.formatMessages(result.warnings, { kind: 'warning' });
  },
};

/** The runtime itself went into the bundle (not left external): its slot's registered symbol is there. */
function expectBundled(code: string): void {
  expect(code).toContain('otel-context-transformer.slot.v2');
}

describe('bundling the runtime warns in no bundler', () => {
  beforeAll(() => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    writeFileSync(ENTRY, APP);
  });

  for (const [name, bundle] of Object.entries(BUNDLERS)) {
    it(name, async () => {
      expect(await bundle()).toEqual([]);
    });
  }
});

// The built files themselves: no `#private` fields or class fields (TypeScript downlevels private fields to
// __classPrivateFieldGet helpers, whose top-level `this` makes every Rollup build warn, and Hermes has no
// private fields), and Rollup bundles each runtime entry on its own without a warning.
const runtimeDir = new URL('../dist/esm/runtime/', import.meta.url).pathname;

describe('the built runtime files', () => {
  it('has no private-field helpers', () => {
    for (const file of readdirSync(runtimeDir).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(runtimeDir + file, 'utf8');
      expect(code, file).not.toContain('__classPrivateField');
      expect(code, file).not.toMatch(/(^|[\s;{}])#[A-Za-z_]/m);
    }
  });

  for (const entry of ['index', 'async-context', 'global']) {
    it(`bundles with Rollup without warnings: ${entry}`, async () => {
      const warnings: string[] = [];
      const { rollup } = await import('rollup');
      const bundle = await rollup({
        input: `${runtimeDir}${entry}.js`,
        external: ['@opentelemetry/api'],
        onwarn: (warning) => void warnings.push(`${warning.code}: ${warning.message}`),
      });
      await bundle.generate({ format: 'esm' });
      await bundle.close();
      expect(warnings).toEqual([]);
    });
  }
});

describe('the helpers preludes', () => {
  // Each runs as a classic script in a realm of its own; the registry of Symbol.for is shared with ours.
  const helpersOf = (file: string): string[] => {
    const realm = vm.createContext({ console });
    vm.runInContext(readFileSync(file, 'utf8'), realm);
    const installed = vm.runInContext('globalThis', realm)[Symbol.for('otel-context-transformer.helpers.v1')];
    return Object.keys(installed ?? {});
  };

  it('the debug prelude offers every helper the plain one does (what a helpers: "global" build may call)', () => {
    const plain = helpersOf('dist/global.iife.js');
    expect(plain).toContain('bindAlways');
    expect(plain).toContain('listen');
    expect(helpersOf('dist/global-debug.iife.js')).toEqual([...plain, 'debugSummary', 'resetDebugSummary']);
  });
});
