/**
 * `otel-context-transformer init [root] [--write] [--json]`: finds every
 * package of a workspace and its build, prints the plan, and with --write makes
 * the minimal config edits. The plan is made by running every edit on the
 * files' text in memory, so what is printed is exactly what --write writes.
 * A second run finds everything present and changes nothing.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { detectBuilds, majorVersionOf, tsconfigChain, type Build, type BundlerTool, type PackageBuilds } from './detect.js';
import {
  addBabelJsonPlugin,
  addConfigPlugin,
  addManagerRegistration,
  addNextIntegration,
  addTsconfigPlugin,
  jsonValueAt,
  setJson,
  type EditResult,
} from './edits.js';
import { findWorkspace, SKIPPED_DIRECTORIES, WorkspaceError, type Manifest, type PackageInfo, type Workspace } from '../workspace.js';

const NAME = 'otel-context-transformer';
/** ts-patch release line per TypeScript major (ts-patch 4 needs Node >= 22.15). */
const TS_PATCH_FOR: Record<number, string> = { 5: '^3.3.0', 6: '^4.0.1' };
const OTEL_API_RANGE = '^1.9.0';

export interface InitStep {
  action: 'edit' | 'remove' | 'manual';
  /** Relative to the root, forward slashes. */
  file: string;
  what: string;
}

export interface InitPlan {
  root: string;
  workspace: Workspace['kind'];
  packages: { dir: string; name?: string; builds: string[] }[];
  steps: InitStep[];
  notes: string[];
}

interface Planner {
  workspace: Workspace;
  version: string;
  /** New text per absolute file path, after every edit so far. */
  texts: Map<string, string>;
  removals: Set<string>;
  plan: InitPlan;
}

export function planInit(root: string, version: string): { plan: InitPlan; texts: Map<string, string>; removals: Set<string> } {
  const workspace = findWorkspace(path.resolve(root));
  if (!workspace) throw new WorkspaceError(`${path.resolve(root)}: no package.json here; run init at a package or workspace root`);
  const detected = detectBuilds(workspace);
  const p: Planner = {
    workspace,
    version,
    texts: new Map(),
    removals: new Set(),
    plan: {
      root: workspace.root,
      workspace: workspace.kind,
      packages: detected.map((d) => ({ dir: d.pkg.rel, name: d.pkg.manifest.name, builds: d.builds.map(describeBuild) })),
      steps: [],
      notes: [],
    },
  };
  planTypeScript(p, detected);
  for (const d of detected) {
    for (const build of d.builds) planBuild(p, d, build);
    planManager(p, d);
    if (d.builds.some((b) => b.tool !== 'next' && b.tool !== 'esbuild')) planDependencies(p, d.pkg);
  }
  if (detected.every((d) => d.builds.length === 0))
    p.plan.notes.push('No build found (tsc, Vite, Rollup, Rolldown, esbuild, webpack, Rspack, Next.js or Babel): nothing to set up.');
  return { plan: p.plan, texts: p.texts, removals: p.removals };
}

function describeBuild(build: Build): string {
  if (build.tool === 'tsc') return build.references ? 'tsc -b' : 'tsc';
  return build.tool;
}

function rel(p: Planner, file: string): string {
  return path.relative(p.workspace.root, file).split(path.sep).join('/') || '.';
}

function textOf(p: Planner, file: string): string {
  return p.texts.get(file) ?? readFileSync(file, 'utf8');
}

/** Runs one edit on a file's current text and records the step. */
function edit(p: Planner, file: string, what: string, change: (text: string) => EditResult): void {
  const result = change(textOf(p, file));
  if (result.kind === 'edit') {
    p.texts.set(file, result.text);
    p.plan.steps.push({ action: 'edit', file: rel(p, file), what });
  } else if (result.kind === 'manual') {
    p.plan.steps.push({ action: 'manual', file: rel(p, file), what: result.step.replace(`${file}: `, '') });
  }
}

function manual(p: Planner, file: string, what: string): void {
  p.plan.steps.push({ action: 'manual', file: rel(p, file), what });
}

// ---------------------------------------------------------------------------

function planTypeScript(p: Planner, detected: PackageBuilds[]): void {
  const tscBuilds = detected.flatMap((d) => d.builds.filter((b) => b.tool === 'tsc').map((b) => ({ d, config: b.config! })));
  if (tscBuilds.length === 0) return;
  const root = p.workspace.rootPackage;
  const major = majorVersionOf('typescript', [...new Set(tscBuilds.map((b) => b.d.pkg.dir)), root.dir]);
  if (major !== undefined && major >= 7) {
    for (const { config } of tscBuilds) {
      manual(
        p,
        config,
        `TypeScript ${major} runs no compiler plugins: after tsc, run \`npx ${NAME} apply <outDir>\` (see the README, CLI)`,
      );
    }
    return;
  }
  // The plugin goes where the projects inherit it from: the nearest config that already
  // declares `plugins` (a child's list replaces its parent's), else the topmost shared one.
  const targets = new Map<string, string[]>();
  for (const { d, config } of tscBuilds) {
    const chain = tsconfigChain(config, p.workspace.root);
    const target =
      chain.find((c) => jsonValueAt(readFileSync(c, 'utf8'), ['compilerOptions', 'plugins']) !== undefined) ?? chain[chain.length - 1]!;
    targets.set(target, [...(targets.get(target) ?? []), d.pkg.rel]);
  }
  let added = false;
  for (const [target, users] of targets) {
    const before = p.plan.steps.length;
    edit(p, target, `add the plugin to compilerOptions.plugins (inherited by ${[...new Set(users)].join(', ')})`, (t) =>
      addTsconfigPlugin(t, target),
    );
    added ||= p.plan.steps.length > before && p.plan.steps[p.plan.steps.length - 1]!.action === 'edit';
  }
  // ts-patch's persistent mode: plain `tsc` and `tsc -b` then run the plugins; reinstalls undo it, so `prepare` redoes it.
  const rootManifest = path.join(root.dir, 'package.json');
  const tsPatch = TS_PATCH_FOR[major ?? 5]!;
  const hasTsPatch = p.workspace.packages.concat(root).some((pkg) => dependsOn(pkg.manifest, 'ts-patch'));
  if (!hasTsPatch) {
    edit(p, rootManifest, `devDependencies: ts-patch@${tsPatch}${major === 6 ? ' (needs Node >= 22.15)' : ''}`, (t) => ({
      kind: 'edit',
      text: setJson(t, ['devDependencies', 'ts-patch'], tsPatch),
    }));
  }
  const prepare = (jsonValueAt(textOf(p, rootManifest), ['scripts', 'prepare']) as string | undefined) ?? '';
  if (!/ts-patch install/.test(prepare)) {
    const script = prepare ? `${prepare} && ts-patch install -s` : 'ts-patch install -s';
    edit(
      p,
      rootManifest,
      `scripts.prepare: "${script}" (patches TypeScript in node_modules after every install, so plain tsc runs the plugin)`,
      (t) => ({
        kind: 'edit',
        text: setJson(t, ['scripts', 'prepare'], script),
      }),
    );
  }
  // TypeScript's up-to-date check does not know about compiler plugins: output built before the
  // plugin was added would be kept as it is. Removing the build info makes the next build redo it.
  if (added) {
    for (const dir of new Set([root.dir, ...tscBuilds.map((b) => b.d.pkg.dir)])) {
      for (const file of buildInfoFiles(dir)) {
        p.removals.add(file);
        p.plan.steps.push({ action: 'remove', file: rel(p, file), what: 'build info, so that the next build emits through the plugin' });
      }
    }
  }
}

function buildInfoFiles(dir: string, depth = 0): string[] {
  if (depth > 4) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.git')) continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!existsSync(path.join(file, 'package.json')) || SKIPPED_DIRECTORIES.has(entry.name))
        found.push(...buildInfoFiles(file, depth + 1));
    } else if (entry.name.endsWith('.tsbuildinfo')) {
      found.push(file);
    }
  }
  return found;
}

const BUNDLER_IMPORT: Record<BundlerTool, string> = {
  vite: `${NAME}/vite`,
  vitest: `${NAME}/vite`,
  rollup: `${NAME}/rollup`,
  rolldown: `${NAME}/rolldown`,
  webpack: `${NAME}/webpack`,
  rspack: `${NAME}/rspack`,
};

function planBuild(p: Planner, d: PackageBuilds, build: Build): void {
  const config = build.config;
  switch (build.tool) {
    case 'tsc':
      return; // planTypeScript
    case 'next':
      edit(p, config!, `Next.js: the loader in turbopack.rules and the webpack plugin in the webpack hook`, (t) =>
        addNextIntegration(t, config!),
      );
      return;
    case 'esbuild':
      manual(
        p,
        path.join(d.pkg.dir, 'package.json'),
        `esbuild from the command line takes no plugins: build with the JavaScript API and plugins: [otelContext()] from '${NAME}/esbuild', or run \`npx ${NAME} apply <outdir>\` after it`,
      );
      return;
    case 'babel': {
      const plugin = `${NAME}/babel`;
      const what = `put '${plugin}' first in plugins (before the presets' async lowering)`;
      if (config!.endsWith('.json') || path.basename(config!) === '.babelrc')
        edit(p, config!, what, (t) => addBabelJsonPlugin(t, config!, plugin));
      else edit(p, config!, what, (t) => addConfigPlugin(t, config!, { call: `'${plugin}'`, what }));
      planMetroCache(p, d.pkg.dir);
      return;
    }
    default: {
      const specifier = BUNDLER_IMPORT[build.tool];
      const what = `add otelContext() first in plugins, imported from '${specifier}'`;
      edit(p, config!, what, (t) => addConfigPlugin(t, config!, { specifier, call: '$name()', what }));
    }
  }
}

/**
 * Metro's transform cache key sees the Babel config files but not the versions of their plugins: an
 * upgrade of this package would be served output compiled before it. Its config is the app's own
 * code (usually a mergeConfig call), so the step is printed, not made.
 */
function planMetroCache(p: Planner, dir: string): void {
  const config = ['metro.config.js', 'metro.config.cjs', 'metro.config.mjs', 'metro.config.ts']
    .map((name) => path.join(dir, name))
    .find((file) => existsSync(file));
  if (!config || readFileSync(config, 'utf8').includes(`${NAME}/package.json`)) return;
  manual(
    p,
    config,
    `add cacheVersion: \`${NAME}@\${require('${NAME}/package.json').version}\` to the config, so that upgrading ${NAME} ` +
      `invalidates Metro's cache (see the README, Caches)`,
  );
}

function planManager(p: Planner, d: PackageBuilds): void {
  for (const file of d.otelSetup) {
    edit(p, file, 'register CompiledContextManager with the web tracer provider', (t) => addManagerRegistration(t, file));
  }
  if (d.nodeOtelSetup.length > 0) {
    p.plan.notes.push(
      `${d.pkg.rel}: Node's tracer provider keeps AsyncLocalStorageContextManager, which already carries context across awaits and timers; compiled code steps aside under it.`,
    );
  }
}

function dependsOn(manifest: Manifest, name: string): boolean {
  return !!(manifest.dependencies?.[name] ?? manifest.devDependencies?.[name] ?? manifest.peerDependencies?.[name]);
}

/** Compiled code imports the runtime at run time: the package must declare it (and the OTel API it needs). */
function planDependencies(p: Planner, pkg: PackageInfo): void {
  const file = path.join(pkg.dir, 'package.json');
  if (!dependsOn(pkg.manifest, NAME) || pkg.manifest.devDependencies?.[NAME]) {
    if (!pkg.manifest.dependencies?.[NAME]) {
      const range = `^${p.version}`;
      edit(p, file, `dependencies: ${NAME}@${range} (compiled code imports its runtime)`, (t) => ({
        kind: 'edit',
        text: setJson(t, ['dependencies', NAME], range),
      }));
    }
  }
  const root = p.workspace.rootPackage.manifest;
  if (!dependsOn(pkg.manifest, '@opentelemetry/api') && !dependsOn(root, '@opentelemetry/api')) {
    edit(p, file, `dependencies: @opentelemetry/api@${OTEL_API_RANGE} (the runtime's peer)`, (t) => ({
      kind: 'edit',
      text: setJson(t, ['dependencies', '@opentelemetry/api'], OTEL_API_RANGE),
    }));
  }
}

// ---------------------------------------------------------------------------

export interface InitIO {
  stdout(text: string): void;
  stderr(text: string): void;
  version: string;
}

export function formatPlan(plan: InitPlan, write: boolean): string {
  const lines: string[] = [];
  const kind = plan.workspace === 'single' ? 'single package' : `${plan.workspace} workspace`;
  lines.push(`${NAME} init: ${kind} at ${plan.root}, ${plan.packages.length} package${plan.packages.length === 1 ? '' : 's'}`);
  const width = Math.max(...plan.packages.map((p) => p.dir.length), 4);
  for (const pkg of plan.packages)
    lines.push(`  ${pkg.dir.padEnd(width)}  ${pkg.builds.length > 0 ? pkg.builds.join(', ') : '(no build found)'}`);
  const changes = plan.steps.filter((s) => s.action !== 'manual');
  const manuals = plan.steps.filter((s) => s.action === 'manual');
  lines.push('');
  if (changes.length === 0) lines.push('Nothing to change: every build found is already set up.');
  else {
    lines.push(write ? 'Changed:' : 'Plan (dry run: nothing is written; run again with --write to apply it):');
    const fileWidth = Math.max(...changes.map((s) => s.file.length));
    for (const step of changes) lines.push(`  ${step.action.padEnd(6)}  ${step.file.padEnd(fileWidth)}  ${step.what}`);
  }
  if (manuals.length > 0) {
    lines.push('', 'To do by hand (init cannot edit these safely):');
    for (const step of manuals) lines.push(`  ${step.file}: ${step.what}`);
  }
  for (const note of plan.notes) lines.push('', note);
  if (write && changes.length > 0) lines.push('', 'Next: install (npm install, pnpm install or yarn), then build as usual.');
  return `${lines.join('\n')}\n`;
}

/** Writes every new text through a temporary file and a rename, then removes the stale build info. */
function writePlan(texts: Map<string, string>, removals: Set<string>): void {
  for (const [file, text] of texts) {
    const temporary = `${file}.otel-init-${process.pid}`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  for (const file of removals) rmSync(file, { force: true });
}

export const INIT_USAGE = `Usage: ${NAME} init [root] [--write] [--json]

Finds every package of the workspace at root (npm, pnpm or Yarn workspaces, or
a single package; default: the working directory) and how each is built, and
prints the config changes that set up ${NAME}. Nothing is written without
--write. Running it again after --write changes nothing.
`;

export function runInit(args: { root?: string; write: boolean; json: boolean }, io: InitIO): number {
  try {
    const { plan, texts, removals } = planInit(args.root ?? process.cwd(), io.version);
    if (args.write) writePlan(texts, removals);
    io.stdout(args.json ? `${JSON.stringify({ ...plan, written: args.write }, null, 2)}\n` : formatPlan(plan, args.write));
    return 0;
  } catch (error) {
    if (error instanceof WorkspaceError) {
      io.stderr(`${NAME} init: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
