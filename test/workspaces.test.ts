/**
 * Real workspaces installed by real package managers, with this package from
 * its packed tarball: an npm workspace and a pnpm workspace (pnpm from our
 * devDependencies), each with a library on TypeScript project references (a
 * base tsconfig with comments, extended by every package), a Node service that
 * calls it, and an app that bundles it through the `node_modules` symlink.
 *
 * - Vite and webpack resolve the symlink to the library's real path, outside
 *   node_modules: the plugin transforms it as a source. With symlinks preserved
 *   (`resolve.preserveSymlinks`, `resolve.symlinks: false`) it is under
 *   node_modules, skipped by default: the trace breaks, and `packages` mends it. So it does for a library
 *   pnpm injects (a copy under node_modules/.pnpm).
 * - pnpm with project references: as it is, the traces break and `report
 *   --check` at the root exits 1; after `init --write`, a reinstall and `tspc -b`,
 *   the service's and the app's traces are connected and `report --check` passes.
 *
 * Traces are the real OTel SDK's (InMemorySpanExporter) under CompiledContextManager,
 * which has no AsyncLocalStorage: only compiled code carries the context.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { main as cli } from '../dist/esm/cli/index.js';
import { lockedVersion, pack, ROOT, SCRATCH } from './harness/packed.js';

const run = promisify(execFile);
const WORK = join(SCRATCH, 'workspaces');
const pnpmBin = join(ROOT, 'node_modules/pnpm/bin/pnpm.cjs');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

type Manager = 'npm' | 'pnpm';

const LIB = `import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('inventory');
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Library code: awaits and a timer between its spans. */
export async function lookup(sku: string): Promise<number> {
  await pause(2);
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      tracer.startSpan(\`inventory.timer \${sku}\`).end();
      resolve();
    }, 1),
  );
  tracer.startSpan(\`inventory.lookup \${sku}\`).end();
  return sku.length;
}
`;

const CHECKOUTS = (ext: 'ts' | 'js') => `import { trace } from '@opentelemetry/api';
import { lookup } from '@mono/lib';

const tracer = trace.getTracer('checkout');

async function checkout(order${ext === 'ts' ? ': string' : ''}) {
  await tracer.startActiveSpan(\`checkout \${order}\`, async (span) => {
    await Promise.all([lookup(\`\${order}-a\`), lookup(\`\${order}-b\`)]);
    span.end();
  });
}

/** Two checkouts at once. */
export async function main() {
  await Promise.all([checkout('A'), checkout('B')]);
}
`;

/** Runs a built module's main() on the OTel SDK under CompiledContextManager; prints the spans. */
const TRACE = `import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';
import { pathToFileURL } from 'node:url';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new CompiledContextManager().enable());
await (await import(pathToFileURL(process.argv[2]).href)).main();
process.stdout.write(JSON.stringify(exporter.getFinishedSpans().map((s) => ({
  name: s.name, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parent: s.parentSpanContext?.spanId,
}))));
`;

/** The app's Vite config as its team wrote it: a library build for Node, dependencies external. */
const VITE_CONFIG = `import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    minify: false,
    lib: { entry: 'src/main.js', formats: ['es'], fileName: 'main' },
    rollupOptions: { external: [/^@opentelemetry\\//, /^otel-context-transformer/] },
  },
});
`;

/**
 * Builds apps/web with Vite or webpack, through the plugin, into dist-<name>: `node build.mjs <bundler> <name> [preserve]
 * [packages]` — `preserve` keeps symlinks (Vite `resolve.preserveSymlinks`, webpack `resolve.symlinks: false`),
 * `packages` passes `{ packages: ['@mono/lib'] }`.
 */
const BUILD = `import { fileURLToPath } from 'node:url';
import { dirname, join, sep } from 'node:path';

const [bundler, name, ...flags] = process.argv.slice(2);
const root = dirname(fileURLToPath(import.meta.url));
const preserve = flags.includes('preserve');
const options = flags.includes('packages') ? { packages: ['@mono/lib'] } : {};
const external = /^(@opentelemetry\\/|otel-context-transformer)/;
if (bundler === 'vite') {
  const { build } = await import('vite');
  const { default: otelContext } = await import('otel-context-transformer/vite');
  await build({
    root, configFile: false, logLevel: 'silent',
    plugins: [otelContext(options)],
    resolve: { preserveSymlinks: preserve },
    build: { outDir: 'dist-' + name, minify: false, lib: { entry: 'src/main.js', formats: ['es'], fileName: 'main' },
      rollupOptions: { external: [external] } },
  });
} else {
  const { default: webpack } = await import('webpack');
  const { default: otelContext } = await import('otel-context-transformer/webpack');
  const compiler = webpack({
    mode: 'production', context: root, entry: './src/main.js', target: 'node', devtool: false,
    optimization: { minimize: false },
    experiments: { outputModule: true },
    output: { path: join(root, 'dist-' + name), filename: 'main.js', module: true, library: { type: 'module' } },
    externalsType: 'module',
    externals: [({ request }, callback) => (external.test(request) ? callback(null, request) : callback())],
    resolve: { symlinks: !preserve },
    plugins: [otelContext(options)],
  });
  await new Promise((resolve, reject) => compiler.run((error, stats) => {
    if (error || stats.hasErrors()) reject(error ?? new Error(stats.toString()));
    else compiler.close(resolve);
  }));
}
`;

function workspaceFiles(manager: Manager, tarball: string): Record<string, string> {
  const link = manager === 'pnpm' ? 'workspace:*' : '*';
  const ours = `file:${tarball}`;
  const devDependencies = {
    '@opentelemetry/api': lockedVersion('@opentelemetry/api'),
    '@opentelemetry/sdk-trace-base': lockedVersion('@opentelemetry/sdk-trace-base'),
    'otel-context-transformer': ours,
    'ts-patch': lockedVersion('ts-patch'),
    typescript: lockedVersion('typescript'),
    vite: lockedVersion('vite'),
    webpack: lockedVersion('webpack'),
  };
  const root = {
    name: 'mono',
    private: true,
    type: 'module',
    ...(manager === 'npm' ? { workspaces: ['packages/*', 'apps/*'] } : {}),
    scripts: { build: 'tsc -b' },
    devDependencies,
    // `init` declares the runtime in each package as ^<version>: this tarball is that version here.
    // The OTel API as our own lockfile has it (newer than the SDK's peer range, as in this repository).
    ...(manager === 'npm'
      ? { overrides: { 'otel-context-transformer': ours, '@opentelemetry/api': '$@opentelemetry/api' } }
      : { pnpm: { overrides: { 'otel-context-transformer': ours }, peerDependencyRules: { allowAny: ['@opentelemetry/api'] } } }),
  };
  return {
    'package.json': JSON.stringify(root, null, 2) + '\n',
    ...(manager === 'pnpm' ? { 'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n  - 'apps/*'\n" } : {}),
    'tsconfig.base.json': `{
  // Every package extends this file.
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "composite": true,
    "declaration": true,
    "skipLibCheck": true,
  },
}
`,
    'tsconfig.json': '{ "files": [], "references": [{ "path": "packages/lib" }, { "path": "packages/service" }] }\n',
    'trace.mjs': TRACE,
    'packages/lib/package.json': JSON.stringify({ name: '@mono/lib', type: 'module', main: 'dist/index.js', types: 'dist/index.d.ts' }),
    'packages/lib/tsconfig.json':
      '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "outDir": "dist", "rootDir": "src" }, "include": ["src"] }\n',
    'packages/lib/src/index.ts': LIB,
    'packages/service/package.json': JSON.stringify({
      name: '@mono/service',
      type: 'module',
      main: 'dist/main.js',
      dependencies: { '@mono/lib': link },
    }),
    'packages/service/tsconfig.json':
      '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "outDir": "dist", "rootDir": "src" }, "include": ["src"],' +
      ' "references": [{ "path": "../lib" }] }\n',
    'packages/service/src/main.ts': CHECKOUTS('ts'),
    'apps/web/package.json': JSON.stringify({
      name: '@mono/web',
      private: true,
      type: 'module',
      scripts: { build: 'vite build' },
      dependencies: { '@mono/lib': link },
    }),
    'apps/web/vite.config.js': VITE_CONFIG,
    'apps/web/build.mjs': BUILD,
    'apps/web/src/main.js': CHECKOUTS('js'),
  };
}

async function install(manager: Manager, root: string): Promise<void> {
  const common = ['--ignore-scripts'];
  if (manager === 'npm') {
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...common], {
      cwd: root,
      timeout: 300_000,
    });
  } else {
    // The store in the scratch directory: shared by the runs of this checkout, never the user's.
    const store = join(SCRATCH, 'pnpm-store');
    await run(process.execPath, [pnpmBin, 'install', '--no-frozen-lockfile', '--reporter=silent', `--store-dir=${store}`, ...common], {
      cwd: root,
      timeout: 300_000,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
  }
}

/**
 * The pnpm workspace with the app consuming the library as an injected dependency (pnpm's
 * `dependenciesMeta.injected`): a copy under node_modules/.pnpm, as a published package would be.
 * The library is plain JavaScript there, used as it is.
 */
function injectedWorkspaceFiles(tarball: string): Record<string, string> {
  const files = workspaceFiles('pnpm', tarball);
  for (const file of Object.keys(files)) if (/tsconfig|packages\/service|\.ts$/.test(file)) delete files[file];
  files['packages/lib/package.json'] = JSON.stringify({ name: '@mono/lib', type: 'module', main: 'src/index.js' });
  files['packages/lib/src/index.js'] = LIB.replace(/: (number|string|Promise<number>)/g, '').replace(/<void>/g, '');
  const web = JSON.parse(files['apps/web/package.json']!);
  files['apps/web/package.json'] = JSON.stringify({ ...web, dependenciesMeta: { '@mono/lib': { injected: true } } });
  // Else pnpm links the workspace package anyway where the peers allow it.
  files['pnpm-workspace.yaml'] += 'dedupeInjectedDeps: false\n';
  return files;
}

function createWorkspace(name: string, files: Record<string, string>): string {
  const root = join(WORK, name);
  rmSync(root, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const node = async (cwd: string, args: string[]) => (await run(process.execPath, args, { cwd, timeout: 180_000 })).stdout;

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parent?: string;
}

async function spans(root: string, module: string): Promise<Span[]> {
  return JSON.parse(await node(root, ['trace.mjs', join(root, module)])) as Span[];
}

/** Problems with the expected tree: every library span under its own checkout, in its trace. */
function treeProblems(spans: Span[]): string[] {
  const problems: string[] = [];
  for (const order of ['A', 'B']) {
    const root = spans.find((s) => s.name === `checkout ${order}`);
    if (!root) {
      problems.push(`no checkout ${order}`);
      continue;
    }
    for (const name of ['inventory.lookup', 'inventory.timer']) {
      for (const part of ['a', 'b']) {
        const span = spans.find((s) => s.name === `${name} ${order}-${part}`);
        if (!span) problems.push(`no ${name} ${order}-${part}`);
        else if (span.parent !== root.spanId || span.traceId !== root.traceId)
          problems.push(`${name} ${order}-${part} not under checkout ${order}`);
      }
    }
  }
  return problems;
}

async function reportCheck(root: string): Promise<{ status: number; stdout: string }> {
  let stdout = '';
  const status = await cli(['report', '--check', root], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stdout += t),
    interactive: false,
    version: VERSION,
  });
  return { status, stdout };
}

const tsc = (root: string) => join(root, 'node_modules/typescript/bin/tsc');
const tspc = (root: string) => join(root, 'node_modules/ts-patch/bin/tspc.js');
const roots: Partial<Record<Manager, string>> = {};
let injectedRoot: string;

beforeAll(async () => {
  const { tarball } = pack(join(WORK, 'tarball'));
  // Both installs at once (npm from its cache, pnpm from its store in SCRATCH), then the library built
  // without the plugin, as the workspace is before anyone sets it up.
  await Promise.all([
    ...(['npm', 'pnpm'] as const).map(async (manager) => {
      const root = createWorkspace(manager, workspaceFiles(manager, tarball));
      await install(manager, root);
      await node(root, [tsc(root), '-b']);
      roots[manager] = root;
    }),
    (async () => {
      injectedRoot = createWorkspace('pnpm-injected', injectedWorkspaceFiles(tarball));
      await install('pnpm', injectedRoot);
    })(),
  ]);
}, 400_000);

describe.each(['npm', 'pnpm'] as const)('%s workspace: the library reached through its node_modules symlink', (manager) => {
  it.each(['vite', 'webpack'])(
    '%s transforms it as a source (real path); with symlinks kept it needs `packages`',
    async (bundler) => {
      const root = roots[manager]!;
      const web = join(root, 'apps/web');
      const builds = {
        real: [],
        preserved: ['preserve'],
        'preserved-packages': ['preserve', 'packages'],
      } as const;
      await Promise.all(Object.entries(builds).map(([name, flags]) => node(web, ['build.mjs', bundler, `${bundler}-${name}`, ...flags])));
      const problems = async (name: string) => treeProblems(await spans(root, `apps/web/dist-${bundler}-${name}/main.js`));
      expect(await problems('real')).toEqual([]);
      // Kept symlinks: the library's id is under node_modules, skipped by default, and its spans fall out of the trace.
      expect(await problems('preserved')).toContain('inventory.timer A-a not under checkout A');
      expect(await problems('preserved-packages')).toEqual([]);
    },
    120_000,
  );
});

describe('pnpm workspace, the library injected (a copy under node_modules/.pnpm)', () => {
  it.each(['vite', 'webpack'])(
    '%s: skipped by default, the trace breaks; named in `packages`, it is connected',
    async (bundler) => {
      const web = join(injectedRoot, 'apps/web');
      expect(realpathSync(join(web, 'node_modules/@mono/lib'))).toContain(`${sep}node_modules${sep}.pnpm${sep}`);
      await Promise.all([
        node(web, ['build.mjs', bundler, `${bundler}-default`]),
        node(web, ['build.mjs', bundler, `${bundler}-packages`, 'packages']),
      ]);
      const problems = async (name: string) => treeProblems(await spans(injectedRoot, `apps/web/dist-${bundler}-${name}/main.js`));
      expect(await problems('default')).toContain('inventory.timer A-a not under checkout A');
      expect(await problems('packages')).toEqual([]);
    },
    120_000,
  );
});

describe('pnpm workspace with project references: init --write', () => {
  it('without init the traces break and report --check fails; after it, every build traces and the gate passes', async () => {
    const root = roots.pnpm!;
    const web = join(root, 'apps/web');
    const buildAll = async () => {
      await node(root, [tspc(root), '-b']);
      await node(web, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'silent']);
    };

    await buildAll();
    expect(treeProblems(await spans(root, 'packages/service/dist/main.js'))).toContain('inventory.timer A-a not under checkout A');
    expect(treeProblems(await spans(root, 'apps/web/dist/main.js'))).toContain('inventory.timer A-a not under checkout A');
    const before = await reportCheck(root);
    expect(before.status, before.stdout).toBe(1);

    let plan = '';
    const status = await cli(['init', root, '--write'], {
      stdout: (t) => (plan += t),
      stderr: (t) => (plan += t),
      interactive: false,
      version: VERSION,
    });
    expect(status, plan).toBe(0);
    expect(plan).toMatch(/pnpm workspace at .*, 3 packages/);
    expect(plan).toMatch(/edit\s+tsconfig\.base\.json\s+add the plugin to compilerOptions\.plugins/);
    expect(plan).toMatch(/edit\s+apps\/web\/vite\.config\.js/);
    const base = readFileSync(join(root, 'tsconfig.base.json'), 'utf8');
    expect(base).toContain('// Every package extends this file.');
    expect(JSON.parse(readFileSync(join(root, 'packages/lib/package.json'), 'utf8')).dependencies).toEqual({
      'otel-context-transformer': `^${VERSION}`,
    });

    // The edited manifests install with pnpm (the runtime each package now declares), and the build runs the plugin.
    await install('pnpm', root);
    await buildAll();
    expect(treeProblems(await spans(root, 'packages/service/dist/main.js'))).toEqual([]);
    expect(treeProblems(await spans(root, 'apps/web/dist/main.js'))).toEqual([]);
    const after = await reportCheck(root);
    expect(after.stdout).toMatch(/@mono\/lib/);
    expect(after.stdout).toMatch(/@mono\/web/);
    expect(after.status, after.stdout).toBe(0);
  }, 300_000);
});
