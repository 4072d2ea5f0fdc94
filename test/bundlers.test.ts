/**
 * The bundler plugins end to end: per bundler (vite, rollup, rolldown, esbuild,
 * webpack, rspack), a small two-file app with a dependency in node_modules is
 * built with `otel-context-transformer/<bundler>` and run on the real OTel SDK.
 *
 * - the trace tree is right with the plugin (and wrong without it);
 * - node_modules is left alone by default, and rewritten when include (with exclude: [])
 *   or packages selects it;
 * - a file with no boundaries comes out of the bundle exactly as without the plugin;
 * - the bundle's source map points the `await` line back to the TypeScript source;
 * - a misspelt option fails the build with a message naming it;
 * - rollup, rolldown: our transform runs first even when listed after a plugin that lowers await;
 * - the plugin loads through the package's "exports" both with import and with require;
 * - Vite, Rolldown: a file without a boundary word never reaches the plugin's transform handler
 *   (the hook filter, applied in native code);
 * - an internal error in the transform is a warning naming file:1:1, and the module is bundled as written.
 *
 * The configs are in harness/bundle.mjs (the same ones the conformance suite uses).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle, BUNDLER_FORMATS, BUNDLERS, type BundleSpec } from './harness/bundler-backends.js';
import { runCompiled, TMP_DIR, traceProblems, type ScenarioResult } from './harness/run.js';
import { unpluginFactory } from '../dist/esm/bundler/unplugin.js';
import { INJECT_FAULT_ENV } from '../dist/esm/api.js';

const ROOT = join(TMP_DIR, 'bundlers');
const APP = join(ROOT, 'app');

const MODULE_TS = `import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('module');
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function loadUser(id: string): Promise<string> {
  const row: { id: string } = { id };
  await pause(2); // the await line
  tracer.startSpan('db.query').end();
  return \`user:\${row.id}\`;
}
`;
const AWAIT_LINE = MODULE_TS.split('\n').findIndex((l) => l.includes('// the await line')) + 1;

const MAIN_TS = `import { trace, type Span } from '@opentelemetry/api';
import { defer } from 'fake-lib';
import { loadUser } from './module.js';

const tracer = trace.getTracer('app');

export const scenario = {
  run: async (log: (event: unknown) => void): Promise<void> => {
    await tracer.startActiveSpan('request', async (span: Span) => {
      log(await loadUser('u1'));
      tracer.startSpan('after-load').end();
      // fake-lib schedules the callback with its own setTimeout: only a rewritten fake-lib keeps the context.
      await new Promise<void>((resolve) => defer(() => { tracer.startSpan('lib-callback').end(); resolve(); }));
      span.end();
    });
  },
};
`;

// No async boundary at all: the plugin must hand it back untouched.
const PLAIN_TS = `export interface Point { x: number; y: number }

export function norm(p: Point): number {
  return Math.sqrt(p.x * p.x + p.y * p.y);
}

export const origin: Point = { x: 0, y: 0 };
`;

const FAKE_LIB = `export function defer(fn) {
  setTimeout(fn, 1);
}
`;

const files: Record<string, string> = {
  'src/module.ts': MODULE_TS,
  'src/main.ts': MAIN_TS,
  'src/plain.ts': PLAIN_TS,
  'node_modules/fake-lib/package.json': JSON.stringify({ name: 'fake-lib', version: '1.0.0', type: 'module', main: 'index.js' }),
  'node_modules/fake-lib/index.js': FAKE_LIB,
};

const WITH_PLUGIN = { request: null, 'after-load': 'request', 'db.query': 'request', 'lib-callback': null };
const WITH_INCLUDE = { ...WITH_PLUGIN, 'lib-callback': 'request' };

beforeAll(() => {
  rmSync(APP, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(APP, name)), { recursive: true });
    writeFileSync(join(APP, name), text);
  }
});

const entry = (name: string) => join(APP, 'src', `${name}.ts`);
const stripMapComment = (code: string) => code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '');

function runOne(file: string): ScenarioResult {
  const results = runCompiled([file]);
  expect(results.size).toBe(1);
  return [...results.values()][0]!;
}

function spanTree(result: ScenarioResult): Record<string, string | null> {
  const byId = new Map(result.spans.map((s) => [s.spanId, s]));
  return Object.fromEntries(
    result.spans.map((s) => {
      const parent = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
      return [s.name, parent && parent.traceId === s.traceId ? parent.name : s.parentSpanId === undefined ? null : `? ${s.parentSpanId}`];
    }),
  );
}

describe.each(BUNDLERS)('%s', (bundler) => {
  const format = BUNDLER_FORMATS[bundler];
  const out = join(ROOT, bundler);
  const spec = (dir: string, plugin: BundleSpec['plugin'], entries: Record<string, string>): BundleSpec => ({
    bundler,
    entries,
    outDir: join(out, dir),
    format,
    plugin,
    sourcemap: true,
  });
  const appEntries = { main: entry('main'), plain: entry('plain') };
  let withPlugin: string[];
  let withoutPlugin: string[];
  let withInclude: string[];
  let withPackages: string[];
  let badOption: unknown;
  const timings: Record<string, number> = {};

  const timed = async <T>(label: string, work: Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work;
    } finally {
      timings[label] = Math.round(performance.now() - start);
    }
  };

  beforeAll(async () => {
    // Two cores: the two big builds together, then the small ones.
    [withPlugin, withoutPlugin] = await Promise.all([
      timed('plugin', bundle(spec('plugin', {}, appEntries))),
      timed('no plugin', bundle(spec('no-plugin', false, appEntries))),
    ]);
    [withInclude, withPackages, badOption] = await Promise.all([
      // This build loads the plugin the CommonJS way (require('otel-context-transformer/<bundler>').default).
      timed(
        'include (plugin required)',
        bundle({
          ...spec('include', { include: [`${APP}/src/**`, '**/node_modules/fake-lib/**'], exclude: [] }, { main: entry('main') }),
          loadPluginWith: 'require',
        }),
      ),
      timed('packages', bundle(spec('packages', { packages: ['fake-lib'] }, { main: entry('main') }))),
      bundle(spec('bad-option', { inclde: [] }, { main: entry('main') })).then(
        () => undefined,
        (error: unknown) => error,
      ),
    ]);
    console.log(`${bundler} build times (ms): ${JSON.stringify(timings)}`);
  });

  it('the app keeps its trace tree with the plugin and loses it without', () => {
    const compiled = runOne(withPlugin[0]!);
    expect(compiled.error).toBeUndefined();
    expect(compiled.leaks).toEqual([]);
    expect(spanTree(compiled)).toEqual(WITH_PLUGIN);
    expect(traceProblems(compiled.spans, WITH_PLUGIN)).toEqual([]);
    expect(new Set(compiled.spans.filter((s) => s.name !== 'lib-callback').map((s) => s.traceId)).size).toBe(1);

    const plain = runOne(withoutPlugin[0]!);
    expect(plain.error).toBeUndefined();
    expect(plain.events).toEqual(compiled.events);
    expect(compiled.events).toEqual(['user:u1']);
    expect(traceProblems(plain.spans, WITH_PLUGIN)).not.toEqual([]);
  });

  it('the bundle keeps @opentelemetry/api and the runtime external', () => {
    const code = readFileSync(withPlugin[0]!, 'utf8');
    expect(code).toMatch(/(from|require\()\s*["']otel-context-transformer\/runtime["']/);
    expect(code).toMatch(/(from|require\()\s*["']@opentelemetry\/api["']/);
    // Not bundled: neither the runtime's slot nor the API's global registry key is in the bundle.
    expect(code).not.toContain('otel-context-transformer.slot');
    expect(code).not.toContain('opentelemetry.js.api');
  });

  it('leaves node_modules alone by default', () => {
    expect(readFileSync(withPlugin[0]!, 'utf8')).toContain('setTimeout(fn, 1)');
    // (the run above: 'lib-callback' is a root span)
  });

  it('rewrites a package in node_modules that include selects (with exclude: []; plugin loaded with require)', () => {
    const code = readFileSync(withInclude[0]!, 'utf8');
    expect(code).not.toContain('setTimeout(fn, 1)');
    const result = runOne(withInclude[0]!);
    expect(result.error).toBeUndefined();
    expect(result.leaks).toEqual([]);
    expect(spanTree(result)).toEqual(WITH_INCLUDE);
    expect(traceProblems(result.spans, WITH_INCLUDE)).toEqual([]);
  });

  it('rewrites a package in node_modules named in packages', () => {
    expect(readFileSync(withPackages[0]!, 'utf8')).not.toContain('setTimeout(fn, 1)');
    const result = runOne(withPackages[0]!);
    expect(result.error).toBeUndefined();
    expect(result.leaks).toEqual([]);
    expect(spanTree(result)).toEqual(WITH_INCLUDE);
  });

  it('a file with no boundaries comes out exactly as without the plugin', () => {
    const [, plainWith] = withPlugin;
    const [, plainWithout] = withoutPlugin;
    expect(stripMapComment(readFileSync(plainWith!, 'utf8'))).toBe(stripMapComment(readFileSync(plainWithout!, 'utf8')));
    const mapOf = (file: string) => {
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
      delete map.file;
      return map;
    };
    expect(mapOf(plainWith!)).toEqual(mapOf(plainWithout!));
  });

  it('the source map points the await line back to the TypeScript source', () => {
    const file = withPlugin[0]!;
    const code = readFileSync(file, 'utf8');
    const call = code.indexOf('pause(2)');
    expect(call).toBeGreaterThan(-1);
    const awaitAt = code.lastIndexOf('await', call);
    // The rewritten await: `resume(frame, await suspend(frame, pause(2)))`, all on one generated line.
    expect(code.slice(awaitAt, call)).not.toContain('\n');
    const lines = code.slice(0, awaitAt).split('\n');
    const map = new TraceMap(readFileSync(`${file}.map`, 'utf8'));
    const awaitLine = MODULE_TS.split('\n')[AWAIT_LINE - 1]!;
    const expected = [awaitLine.indexOf('await'), awaitLine.indexOf('pause(2)')];
    [awaitAt, call].forEach((at, i) => {
      const original = originalPositionFor(map, { line: lines.length, column: at - code.lastIndexOf('\n', at - 1) - 1 });
      expect(original.source?.replace(/\?.*$/, '')).toMatch(/(^|\/)src\/module\.ts$/);
      expect({ line: original.line, column: original.column }).toEqual({ line: AWAIT_LINE, column: expected[i] });
    });
  });

  it('a misspelt option fails the build with a message naming it', () => {
    expect(badOption).toBeInstanceOf(Error);
    expect((badOption as Error).message).toContain('unknown option "inclde"');
  });
});

// Rollup and rolldown run plugins in array order (no enforce): our transform hook has order 'pre', so a
// TypeScript step that lowers await, listed before it, still gets the code after us.
describe.each(['rollup', 'rolldown'] as const)('%s: listed after a plugin that lowers await', (bundler) => {
  it('still runs first', async () => {
    const [out] = await bundle({
      bundler,
      entries: { main: entry('main') },
      outDir: join(ROOT, bundler, 'lower-await-first'),
      format: BUNDLER_FORMATS[bundler],
      plugin: {},
      lowerAwaitFirst: true,
    });
    const code = readFileSync(out!, 'utf8');
    expect(code).toMatch(/function\*/); // the await really was lowered…
    expect(code).toMatch(/\.suspend\(/); // …after we rewrote it (lowered first, only the helper's .then would be bound)
    const result = runOne(out!);
    expect(result.error).toBeUndefined();
    expect(result.leaks).toEqual([]);
    expect(spanTree(result)).toEqual(WITH_PLUGIN);
  });
});

describe('the plugin core (every bundler shares it)', () => {
  const meta = { framework: 'rollup' } as never;
  const context = {
    warn: (message: unknown) => {
      throw new Error(`unexpected warning ${String(message)}`);
    },
  };

  it('returns nothing for a file with no boundaries, so the bundler keeps the module and its map', () => {
    const plugin = unpluginFactory({}, meta) as { transformInclude(id: string): boolean; transform: { handler: Function } };
    const file = entry('plain');
    expect(plugin.transformInclude(file)).toBe(true);
    expect(plugin.transform.handler.call(context, PLAIN_TS, file)).toBeUndefined();
    const rewritten = plugin.transform.handler.call(context, MODULE_TS, entry('module'));
    expect(rewritten?.code).toContain('otel-context-transformer/runtime');
    expect(rewritten?.map?.sources?.[0]).toMatch(/module\.ts$/);
  });

  it('selects files: node_modules only through include + exclude or packages, queries stripped, virtual ids skipped', () => {
    const byDefault = unpluginFactory({}, meta) as { transformInclude(id: string): boolean };
    const lib = join(APP, 'node_modules/fake-lib/index.js');
    expect(byDefault.transformInclude(lib)).toBe(false);
    expect(byDefault.transformInclude(`${entry('main')}?v=123`)).toBe(true);
    expect(byDefault.transformInclude('\0virtual:thing.ts')).toBe(false);
    expect(byDefault.transformInclude(join(APP, 'src/styles.css'))).toBe(false);
    const selected = unpluginFactory({ include: ['**/node_modules/fake-lib/**'], exclude: [] }, meta) as typeof byDefault;
    expect(selected.transformInclude(lib)).toBe(true);
    expect(selected.transformInclude(entry('main'))).toBe(false);
    // include alone does not lift the node_modules default of exclude: an explicit exclude replaces it.
    const includeOnly = unpluginFactory({ include: ['**/node_modules/fake-lib/**'] }, meta) as typeof byDefault;
    expect(includeOnly.transformInclude(lib)).toBe(false);
    const opted = unpluginFactory({ packages: ['fake-lib'] }, meta) as typeof byDefault;
    expect(opted.transformInclude(lib)).toBe(true);
    expect(opted.transformInclude(join(APP, 'node_modules/other-lib/index.js'))).toBe(false);
    expect(opted.transformInclude(entry('main'))).toBe(true);
  });
});

describe.each(['vite', 'rolldown'] as const)('%s, in process: the hook filter and the internal-error policy', (bundler) => {
  const dir = join(ROOT, `in-process-${bundler}`);
  const require = createRequire(import.meta.url);
  // The entry has boundaries; helper.ts has none, not even in a comment or a string.
  const ENTRY = `import { norm } from './helper.js';\nexport async function tick(): Promise<number> {\n  await null;\n  return new Promise((resolve) => setTimeout(() => resolve(norm(3, 4)), 1));\n}\n`;
  const HELPER = `export function norm(x: number, y: number): number {\n  return Math.sqrt(x * x + y * y);\n}\n`;

  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src/entry.ts'), ENTRY);
    writeFileSync(join(dir, 'src/helper.ts'), HELPER);
  });

  interface Plugin {
    transform: { filter?: unknown; handler: (this: unknown, code: string, id: string) => unknown };
  }

  /** Our plugin, with every call the bundler makes to its transform handler recorded. */
  async function countedPlugin(calls: string[], withFilter = true): Promise<Plugin[]> {
    const factory = (await import(`otel-context-transformer/${bundler}`)).default as (options?: object) => Plugin | Plugin[];
    const plugins = [factory({})].flat();
    for (const plugin of plugins) {
      const inner = plugin.transform.handler;
      plugin.transform.handler = function (code, id) {
        calls.push(id.replace(/^.*[\\/]/, ''));
        return inner.call(this, code, id);
      };
      if (!withFilter) delete plugin.transform.filter;
    }
    return plugins;
  }

  /** Builds src/entry.ts in memory; returns the bundle's code and the warnings. */
  async function build(plugins: Plugin[]): Promise<{ code: string; warnings: string[] }> {
    const warnings: string[] = [];
    const input = join(dir, 'src/entry.ts');
    const external = [/^otel-context-transformer\//];
    const onwarn = (warning: { message: string }) => void warnings.push(warning.message);
    if (bundler === 'vite') {
      const { build: viteBuild } = (await import('vite')) as typeof import('vite');
      const result = (await viteBuild({
        configFile: false,
        root: dir,
        logLevel: 'silent',
        envDir: false,
        publicDir: false,
        plugins: plugins as never,
        build: { write: false, minify: false, lib: { entry: input, formats: ['es'] }, rolldownOptions: { external, onwarn } },
      })) as Array<{ output: Array<{ code?: string }> }>;
      return { code: result[0]!.output[0]!.code!, warnings };
    }
    const { rolldown } = require('rolldown') as typeof import('rolldown');
    const built = await rolldown({ input, plugins: plugins as never, external, onwarn, logLevel: 'warn' });
    const { output } = await built.generate({ format: 'es' });
    await built.close();
    return { code: output[0].code, warnings };
  }

  it('a file without a boundary word never reaches the transform handler (and does without the filter)', async () => {
    const filtered: string[] = [];
    const { code, warnings } = await build(await countedPlugin(filtered));
    expect(warnings).toEqual([]);
    expect(code).toContain('__otelCtx');
    expect(filtered).toEqual(['entry.ts']);
    // The same build without the hook's filter: helper.ts comes to the handler, so the filter is what kept it out.
    const unfiltered: string[] = [];
    await build(await countedPlugin(unfiltered, false));
    expect(unfiltered).toEqual(expect.arrayContaining(['entry.ts', 'helper.ts']));
  });

  it('an internal error: the build goes on with a warning naming file:1:1, the module bundled as written', async () => {
    const without = await build([]);
    process.env[INJECT_FAULT_ENV] = 'entry.ts';
    let faulted: { code: string; warnings: string[] };
    try {
      faulted = await build(await countedPlugin([]));
    } finally {
      delete process.env[INJECT_FAULT_ENV];
    }
    const message = `internal error, file left unchanged: Error: fault injected by ${INJECT_FAULT_ENV}`;
    expect(faulted.warnings).toEqual([expect.stringContaining(`${join(dir, 'src/entry.ts')}:1:1: ${message}`)]);
    expect(faulted.code).toBe(without.code);
    expect(without.code).not.toContain('__otelCtx');
  });
});
