// `npm run bench`: every figure in BENCHMARKS.md, measured in one run, as
// ratios against anchors measured in the same run (no propagation, Node's
// AsyncLocalStorage, zone.js). Medians over interleaved rounds, with spread.
// Writes BENCHMARKS.md and bench/results.json.
//
//   npm run bench [-- --rounds 7 --quick]
//   node bench/run.mjs --only build[,size,…]   (after a build) only these sections
//     (runtime, build, size, browser, carriers, debug); prints their part of the report and
//     writes neither BENCHMARKS.md nor bench/results.json.
//   node bench/run.mjs --only debug --merge   the same, then these sections' results replace theirs in
//     bench/results.json (the last full run) and BENCHMARKS.md is written again from it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const out = join(here, '.out');
const require = createRequire(import.meta.url);
const SECTIONS = ['runtime', 'build', 'size', 'browser', 'carriers', 'debug'];
const USAGE = `usage: node bench/run.mjs [--rounds N] [--quick] [--only ${SECTIONS.join(',')} [--merge]]`;
let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      rounds: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      merge: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = !!flags.quick;
const rounds = Number(flags.rounds) || (quick ? 2 : 7);
const only = flags.only ? flags.only.split(',') : null;
if (
  (flags.rounds !== undefined && !(Number(flags.rounds) >= 1)) ||
  (only && !only.every((s) => SECTIONS.includes(s))) ||
  (flags.merge && !only)
) {
  console.error(USAGE);
  process.exit(2);
}
const want = (section) => !only || only.includes(section);
const node20 = process.execPath;
// Node 24 lives in tools/node24 (installed by `prepare`): in the root its `node` bin would shadow Node 20.
const node24 = join(root, 'tools/node24/node_modules/node24/bin/node');

// A partial run clears only what its sections write (bench/.out also holds scripts/realworld.mjs's packages).
if (!only) rmSync(out, { recursive: true, force: true });
else if (want('build')) for (const dir of ['rxjs', 'ts-persistent']) rmSync(join(out, dir), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const results = { machine: machine(), rounds };

// ---------------------------------------------------------------------------
// Compile the workload three ways with the project's own TypeScript.
const ts = require('typescript');
const transformer = (await import('../dist/esm/index.js')).default;
function compileWorkload(name, target, transform, config = {}) {
  const options = {
    target,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    skipLibCheck: true,
  };
  const program = ts.createProgram([join(here, 'workload.ts')], options);
  let text;
  program.emit(undefined, (_, t) => (text = t), undefined, false, { before: transform ? [transformer(program, config, { ts })] : [] });
  const file = join(out, `${name}.mjs`);
  writeFileSync(file, text);
  return file;
}
// (Only the Node and the browser workloads run it.)
const workload = want('runtime') || want('browser');
const plain = workload && compileWorkload('plain', ts.ScriptTarget.ES2022, false);
const transformed = workload && compileWorkload('transformed', ts.ScriptTarget.ES2022, true);
// zone.js cannot see native await: its users compile async functions to generators.
const downlevelled = workload && compileWorkload('downlevelled', ts.ScriptTarget.ES2016, false);

// ---------------------------------------------------------------------------
// a + b: the request workload and the micro costs, in Node.
const REQUESTS = 500;
// Warm-up runs before timing: the ratios settle only after a few hundred runs (JIT tiers, heap growth).
const WARMUP = quick ? 20 : 300;
const WARMUP_GROUPS = quick ? 4 : 120;
const MICRO = 200_000;
if (want('runtime')) {
  const variants = [
    { id: 'floor', label: 'untransformed, no propagation (the floor)', file: plain, manager: 'compiled', node: node20 },
    { id: 'compiled', label: 'transformed + CompiledContextManager', file: transformed, manager: 'compiled', node: node20 },
    {
      id: 'manual',
      label: 'untransformed, parent passed by hand (reference: the SDK work of a correct run)',
      file: plain,
      manager: 'compiled',
      explicitParent: true,
      node: node20,
    },
    { id: 'als20', label: 'untransformed + AsyncLocalStorageContextManager, Node 20', file: plain, manager: 'als', node: node20 },
    { id: 'floor24', label: 'untransformed, no propagation, Node 24', file: plain, manager: 'compiled', node: node24 },
    { id: 'compiled24', label: 'transformed + CompiledContextManager, Node 24', file: transformed, manager: 'compiled', node: node24 },
    {
      id: 'als24',
      label: 'untransformed + AsyncLocalStorageContextManager, Node 24 (AsyncContextFrame)',
      file: plain,
      manager: 'als',
      node: node24,
    },
    { id: 'zoneNative', label: 'ZoneContextManager, native async (broken)', file: plain, manager: 'zone', zone: true, node: node20 },
    {
      id: 'zoneGenerators',
      label: 'ZoneContextManager, async downlevelled to generators',
      file: downlevelled,
      manager: 'zone',
      zone: true,
      node: node20,
    },
  ].filter((v) => existsSync(v.node));
  const runtime = Object.fromEntries(variants.map((v) => [v.id, { label: v.label, times: [], wrong: 0, children: 0, micro: [] }]));
  for (let round = 1; round <= rounds; round++) {
    // One process per variant per round, forwards then backwards (ABBA): this machine drifts by up to 2x
    // over minutes, so each ratio is taken within a round between neighbours in this order.
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    for (const v of order) {
      const spec = {
        file: v.file,
        manager: v.manager,
        zone: !!v.zone,
        explicitParent: !!v.explicitParent,
        requests: REQUESTS,
        warmup: WARMUP,
        iterations: quick ? 20 : 200,
        micro: MICRO,
      };
      const r = spawnSync(v.node, [join(here, 'worker.mjs'), JSON.stringify(spec)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`${v.id} failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout);
      const entry = runtime[v.id];
      entry.times.push(median(m.times));
      entry.wrong += m.wrong;
      entry.children += m.checked;
      entry.micro.push(m.micro);
    }
    process.stdout.write(`runtime round ${round}/${rounds} done\n`);
  }
  for (const entry of Object.values(runtime)) {
    entry.medianMs = median(entry.times);
    entry.spreadMs = [Math.min(...entry.times), Math.max(...entry.times)];
    entry.awaitNs = median(entry.micro.map((m) => m.await));
    entry.thenNs = median(entry.micro.map((m) => m.then));
    entry.thenBatchNs = median(entry.micro.map((m) => m.thenBatches));
    delete entry.micro;
  }
  // Per-round ratios of neighbouring runs; their median is robust to the drift between rounds.
  const paired = (a, b) => {
    const ratios = runtime[a].times.map((t, k) => t / runtime[b].times[k]);
    return { median: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] };
  };
  const ratios = {};
  for (const [a, b] of [
    ['compiled', 'floor'],
    ['manual', 'floor'],
    ['als20', 'floor'],
    ['zoneGenerators', 'floor'],
    ['zoneNative', 'floor'],
    ['compiled', 'manual'],
    ['compiled', 'als20'],
    ['compiled', 'zoneGenerators'],
    ['compiled24', 'floor24'],
    ['als24', 'floor24'],
    ['compiled24', 'als24'],
  ]) {
    if (runtime[a] && runtime[b]) ratios[`${a}/${b}`] = paired(a, b);
  }
  // The floor, by hand and transformed again, in one process per Node: the three alternate group by
  // group (ABC, CBA, …), so the host's drift falls on neighbours alike and their ratio is precise. Two
  // processes per Node, the variants in opposite orders; ratios pair group k of each variant.
  const GROUPS = quick ? 10 : 150;
  const pairedIds = [
    ['floor', plain, false],
    ['manual', plain, true],
    ['compiled', transformed, false],
  ];
  const sameProcess = {};
  for (const [node, nodeName] of [
    [node20, 'node20'],
    [node24, 'node24'],
  ]) {
    if (!existsSync(node)) continue;
    const pooled = Object.fromEntries(pairedIds.map(([id]) => [id, { times: [], wrong: 0, children: 0 }]));
    for (const order of [pairedIds, [...pairedIds].reverse()]) {
      const spec = {
        manager: 'compiled',
        requests: REQUESTS,
        warmupGroups: WARMUP_GROUPS,
        groups: GROUPS,
        paired: order.map(([id, file, explicitParent]) => ({ id, file, explicitParent })),
      };
      const r = spawnSync(node, [join(here, 'worker.mjs'), JSON.stringify(spec)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`same-process run on ${nodeName} failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout);
      for (const [id] of pairedIds) {
        pooled[id].times.push(...m[id].times);
        pooled[id].wrong += m[id].wrong;
        pooled[id].children += m[id].checked;
      }
    }
    const quartiles = (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return [sorted[Math.floor((sorted.length - 1) / 4)], sorted[Math.ceil(((sorted.length - 1) * 3) / 4)]];
    };
    const groupRatios = (a, b) => {
      const ratios = pooled[a].times.map((t, k) => t / pooled[b].times[k]);
      return { median: median(ratios), quartiles: quartiles(ratios) };
    };
    sameProcess[nodeName] = {
      groups: pooled.floor.times.length,
      warmupGroupsPerProcess: WARMUP_GROUPS,
      variants: Object.fromEntries(
        pairedIds.map(([id]) => [id, { medianMs: median(pooled[id].times), wrong: pooled[id].wrong, children: pooled[id].children }]),
      ),
      ratios: {
        'compiled/floor': groupRatios('compiled', 'floor'),
        'manual/floor': groupRatios('manual', 'floor'),
        'compiled/manual': groupRatios('compiled', 'manual'),
      },
    };
  }
  process.stdout.write('runtime, same process done\n');
  results.runtime = { requests: REQUESTS, warmupRuns: WARMUP, variants: runtime, ratios, sameProcess };
}

// ---------------------------------------------------------------------------
// c: build cost on a real TypeScript codebase (rxjs ships its sources).
if (want('build')) {
  const corpusDir = join(root, 'node_modules/rxjs/src');
  const corpusFiles = walk(corpusDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const corpusBytes = corpusFiles.reduce((n, f) => n + statSync(f).size, 0);
  const projectDir = join(out, 'rxjs');
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(
    join(projectDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022', 'DOM'],
        types: [],
        skipLibCheck: true,
        strict: false,
        noEmitOnError: false,
        outDir: 'out',
        // The corpus lives under node_modules, which the plugin skips by default.
        plugins: [{ transform: join(root, 'dist/cjs/index.js'), exclude: [] }],
      },
      include: [join(corpusDir, '**/*.ts')],
    }),
  );
  // ts-patch's own cost (it patches TypeScript in memory at every start) is measured apart from the plugin's.
  const noPlugin = JSON.parse(readFileSync(join(projectDir, 'tsconfig.json'), 'utf8'));
  noPlugin.compilerOptions.plugins = [];
  writeFileSync(join(projectDir, 'tsconfig.no-plugin.json'), JSON.stringify(noPlugin));
  const tscBin = require.resolve('typescript/bin/tsc');
  const tspcBin = join(dirname(require.resolve('ts-patch/package.json')), 'bin/tspc.js');
  // ts-patch's persistent mode: `ts-patch install` patches the typescript package on disk once (what a
  // project's `prepare` script does), and plain `tsc` then loads the plugins with nothing to patch at
  // start-up. Done to a copy in bench/.out, never to this repository's node_modules/typescript.
  const persistentDir = join(out, 'ts-persistent');
  const patchedTs = join(persistentDir, 'node_modules/typescript');
  cpSync(dirname(require.resolve('typescript/package.json')), patchedTs, { recursive: true });
  const tsPatchBin = join(dirname(require.resolve('ts-patch/package.json')), 'bin/ts-patch.js');
  const installStart = performance.now();
  // TSP_CACHE_DIR: ts-patch would otherwise keep its cache and locks in the node_modules it runs from.
  execFileSync(node20, [tsPatchBin, 'install', '--silent', '--dir', patchedTs], {
    env: { ...process.env, TSP_CACHE_DIR: join(persistentDir, '.cache') },
  });
  const installMs = performance.now() - installStart;
  const patchedTscBin = join(patchedTs, 'bin/tsc');
  const builds = [
    ['tsc', tscBin, 'tsconfig.json'],
    ['tspcBare', tspcBin, 'tsconfig.no-plugin.json'],
    ['tspc', tspcBin, 'tsconfig.json'],
    ['patchedBare', patchedTscBin, 'tsconfig.no-plugin.json'],
    ['patched', patchedTscBin, 'tsconfig.json'],
  ];
  const buildTimes = Object.fromEntries(builds.map(([name]) => [name, []]));
  const buildCpu = Object.fromEntries(builds.map(([name]) => [name, []]));
  const buildStatus = Object.fromEntries(builds.map(([name]) => [name, new Set()]));
  // Each build's CPU time too (user + system, all its threads): less disturbed than wall time when the machine is shared.
  const cpuReporter = join(out, 'cpu-usage.cjs');
  const cpuFile = join(out, 'cpu-usage.txt');
  writeFileSync(
    cpuReporter,
    "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(process.env.BENCH_CPU_FILE, String((u.user + u.system) / 1000)); });\n",
  );
  const buildOnce = (bin, config) =>
    spawnSync(node20, ['--require', cpuReporter, bin, '-p', join(projectDir, config)], {
      cwd: projectDir,
      encoding: 'utf8',
      env: { ...process.env, BENCH_CPU_FILE: cpuFile },
    });
  for (let round = 1; round <= Math.max(3, rounds); round++) {
    for (const [name, bin, config] of builds.map((_, i) => builds[(i + round) % builds.length])) {
      rmSync(join(projectDir, 'out'), { recursive: true, force: true });
      rmSync(cpuFile, { force: true });
      const start = performance.now();
      const r = buildOnce(bin, config);
      buildTimes[name].push(performance.now() - start);
      buildCpu[name].push(Number(readFileSync(cpuFile, 'utf8')));
      buildStatus[name].add(r.status);
    }
  }
  // Start-up alone (`--version`: the compiler loaded, nothing compiled), where the two modes differ.
  const startups = [
    ['tsc', tscBin],
    ['tspc', tspcBin],
    ['patched', patchedTscBin],
  ];
  const startupTimes = Object.fromEntries(startups.map(([name]) => [name, []]));
  for (let round = 1; round <= 3 * Math.max(3, rounds); round++) {
    for (const [name, bin] of startups.map((_, i) => startups[(i + round) % startups.length])) {
      const start = performance.now();
      spawnSync(node20, [bin, '--version'], { encoding: 'utf8' });
      startupTimes[name].push(performance.now() - start);
    }
  }
  // Every build must end as plain tsc does (rxjs's sources type-check with these options or not, alike).
  for (const [name] of builds) {
    if ([...buildStatus[name]].join() !== [...buildStatus.tsc].join())
      throw new Error(`build ${name} exited ${[...buildStatus[name]]}, tsc ${[...buildStatus.tsc]}`);
  }
  // The rotating order may end on any build: count what each compiler rewrote from one more build of each.
  const rewrittenBy = (bin, config) => {
    rmSync(join(projectDir, 'out'), { recursive: true, force: true });
    buildOnce(bin, config);
    const files = walk(join(projectDir, 'out')).filter((f) => f.endsWith('.js'));
    return { emitted: files.length, rewritten: files.filter((f) => readFileSync(f, 'utf8').includes('__otelCtx')).length };
  };
  const patchedCount = rewrittenBy(patchedTscBin, 'tsconfig.json');
  const patchedBareCount = rewrittenBy(patchedTscBin, 'tsconfig.no-plugin.json');
  const tspcCount = rewrittenBy(tspcBin, 'tsconfig.json');
  // The patched copy must really load the plugin (and only when the tsconfig names it).
  if (patchedCount.rewritten === 0 || patchedCount.rewritten !== tspcCount.rewritten || patchedBareCount.rewritten !== 0) {
    throw new Error(
      `ts-patch install: the patched tsc rewrote ${patchedCount.rewritten} files (${patchedBareCount.rewritten} without the plugin), tspc ${tspcCount.rewritten}`,
    );
  }
  // The plugin's own work, apart from process start-up and ts-patch: one Program in this process, emitted
  // with and without the plugin in alternation (the type checker is built before, as tsc builds it for
  // its diagnostics), against that Program's whole build (create, check, emit) in this process.
  const inProcess = { plain: [], plugin: [], build: [] };
  {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(projectDir, 'tsconfig.no-plugin.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} },
    );
    const plugin = require(join(root, 'dist/cjs/index.js')).default;
    for (let round = 0; round < Math.max(3, rounds); round++) {
      const start = performance.now();
      const program = ts.createProgram(parsed.fileNames, parsed.options);
      ts.getPreEmitDiagnostics(program);
      program.emit(undefined, () => {});
      inProcess.build.push(performance.now() - start);
      for (let i = 0; i < 6; i++) {
        for (const withPlugin of i % 2 ? [true, false] : [false, true]) {
          const t = performance.now();
          program.emit(undefined, () => {}, undefined, false, { before: withPlugin ? [plugin(program, { exclude: [] }, { ts })] : [] });
          inProcess[withPlugin ? 'plugin' : 'plain'].push(performance.now() - t);
        }
      }
    }
  }
  const { transform } = await import('../dist/esm/api.js');
  const { parseSync } = require('oxc-parser');
  const sources = corpusFiles.map((f) => [f, readFileSync(f, 'utf8')]);
  // oxc's parse alone, and with the AST handed to JavaScript (what transform() reads of it: program,
  // comments, module info, errors), which any JavaScript transform on oxc pays.
  const throughput = { parse: [], parseAst: [], transform: [] };
  let boundaryFiles = 0;
  for (let round = 0; round < Math.max(3, rounds); round++) {
    let start = performance.now();
    for (const [f, code] of sources) parseSync(f, code);
    throughput.parse.push(corpusBytes / 1e6 / ((performance.now() - start) / 1000));
    start = performance.now();
    for (const [f, code] of sources) {
      const parsed = parseSync(f, code);
      void [parsed.program, parsed.comments, parsed.module, parsed.errors];
    }
    throughput.parseAst.push(corpusBytes / 1e6 / ((performance.now() - start) / 1000));
    start = performance.now();
    boundaryFiles = 0;
    for (const [f, code] of sources) if (transform(code, { filename: f, exclude: [], onDiagnostic() {} })) boundaryFiles++;
    throughput.transform.push(corpusBytes / 1e6 / ((performance.now() - start) / 1000));
  }
  // Ratios within each round (its builds run within seconds of each other; the machine drifts over
  // minutes), then their median and spread: how every "vs" figure of this section is taken.
  const paired = (series, a, b) => {
    const ratios = series[a].map((t, k) => t / series[b][k] - 1);
    return { median: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] };
  };
  const others = builds.map(([name]) => name).filter((name) => name !== 'tsc');
  results.build = {
    // against plain tsc, wall and CPU time; and the plugin against the same compiler without it
    vsTsc: Object.fromEntries(others.map((name) => [name, paired(buildTimes, name, 'tsc')])),
    cpuVsTsc: Object.fromEntries(others.map((name) => [name, paired(buildCpu, name, 'tsc')])),
    pluginItself: { tspc: paired(buildTimes, 'tspc', 'tspcBare'), patched: paired(buildTimes, 'patched', 'patchedBare') },
    inProcess: {
      emitMs: median(inProcess.plain),
      emitWithPluginMs: median(inProcess.plugin),
      pluginMs: median(inProcess.plugin.map((t, k) => t - inProcess.plain[k])),
      buildMs: median(inProcess.build),
      emits: inProcess.plain.length,
    },
    corpus: `rxjs ${require('rxjs/package.json').version} src/ (${corpusFiles.length} files, ${(corpusBytes / 1e6).toFixed(2)} MB)`,
    tscMs: median(buildTimes.tsc),
    tspcMs: median(buildTimes.tspc),
    tspcBareMs: median(buildTimes.tspcBare),
    tspcBareSpread: spread(buildTimes.tspcBare),
    tscSpread: spread(buildTimes.tsc),
    tspcSpread: spread(buildTimes.tspc),
    // ts-patch install (persistent): node <copy>/bin/tsc, patched on disk once.
    persistent: {
      install: { command: `ts-patch install --dir ${relative(root, patchedTs)}`, ms: installMs },
      tscMs: median(buildTimes.patched),
      tscSpread: spread(buildTimes.patched),
      tscBareMs: median(buildTimes.patchedBare),
      tscBareSpread: spread(buildTimes.patchedBare),
      filesRewritten: patchedCount.rewritten,
      filesRewrittenWithoutPlugin: patchedBareCount.rewritten,
      // What `tsc` loads: ts-patch's tsc is built from typescript.js (the whole compiler API, for the plugins).
      tscJsBytes: statSync(join(dirname(require.resolve('typescript/package.json')), 'lib/_tsc.js')).size,
      patchedTscJsBytes: statSync(join(patchedTs, 'lib/_tsc.js')).size,
    },
    // CPU ms (median) of the same builds, and the ratios with the plugin against plain tsc in CPU time.
    cpuMs: Object.fromEntries(builds.map(([name]) => [name, median(buildCpu[name])])),
    cpuSpread: Object.fromEntries(builds.map(([name]) => [name, spread(buildCpu[name])])),
    // `<compiler> --version`, median ms of 3 × rounds interleaved starts.
    startupMs: Object.fromEntries(startups.map(([name]) => [name, median(startupTimes[name])])),
    startupRuns: startupTimes.tsc.length,
    exitStatus: [...buildStatus.tsc],
    filesRewrittenByTspc: tspcCount.rewritten,
    filesEmitted: tspcCount.emitted,
    parseMBps: median(throughput.parse),
    parseAstMBps: median(throughput.parseAst),
    // time of transform() over time of parse + AST, per round
    transformVsParseAst: median(throughput.transform.map((t, k) => throughput.parseAst[k] / t)),
    transformMBps: median(throughput.transform),
    filesRewrittenByTransform: boundaryFiles,
  };
  process.stdout.write('build cost done\n');
}

// ---------------------------------------------------------------------------
// d: bytes shipped to browsers, minified and gzipped, @opentelemetry/api excluded (every app has it).
if (want('size')) {
  async function gzipBytes(contents) {
    const r = await build({
      stdin: { contents, resolveDir: root },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      external: ['@opentelemetry/api'],
      logLevel: 'silent',
    });
    const code = r.outputFiles[0].contents;
    return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
  }
  results.size = {
    compiled: await gzipBytes(
      "export { CompiledContextManager, bind, frame, genFrame, rootFrame, suspend, tail, leave, resume, reenter, exit, forAwait } from './dist/esm/runtime/index.js'",
    ),
    zone: await gzipBytes("import 'zone.js'; export { ZoneContextManager } from '@opentelemetry/context-zone-peer-dep';"),
    // What code built with `debug: true` imports instead (never the default path).
    debugRuntime: await gzipBytes(
      "export { CompiledContextManager, bind, frame, genFrame, rootFrame, suspend, tail, leave, resume, reenter, exit, forAwait, debugSummary } from './dist/esm/runtime/debug.js'",
    ),
  };
  process.stdout.write('size done\n');
}

// ---------------------------------------------------------------------------
// e: the request workload in headless Chromium.
if (want('browser')) {
  results.browser = existsSync('/usr/bin/chromium') ? await browserBench() : { skipped: '/usr/bin/chromium not installed' };
  process.stdout.write('browser done\n');
}

async function browserBench() {
  const { launchChromium } = await import('../test/harness/chromium.mjs');
  const browserVariants = [
    { id: 'floor', label: 'untransformed, no propagation (the floor)', file: plain, manager: 'compiled' },
    { id: 'compiled', label: 'transformed + CompiledContextManager', file: transformed, manager: 'compiled' },
    { id: 'zoneGenerators', label: 'ZoneContextManager, async downlevelled to generators', file: downlevelled, manager: 'zone' },
    { id: 'zoneNative', label: 'ZoneContextManager, native async (broken)', file: plain, manager: 'zone' },
  ];
  const bundles = {};
  for (const v of browserVariants) {
    const entry = `
      ${v.manager === 'zone' ? "import 'zone.js';" : ''}
      import { context, trace } from '@opentelemetry/api';
      import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
      import { ${v.manager === 'zone' ? 'ZoneContextManager as Manager' : 'CompiledContextManager as Manager'} } from '${
        v.manager === 'zone' ? '@opentelemetry/context-zone-peer-dep' : './dist/esm/runtime/index.js'
      }';
      import { runRequests } from '${relative(root, v.file).split('\\').join('/').replace(/^/, './')}';
      const roots = new Map(); let children = [];
      const recorder = { onStart() {}, onEnd(s) { const i = s.attributes.request; if (s.name === 'request') roots.set(i, s.spanContext().spanId); else children.push([i, s.parentSpanContext?.spanId]); }, forceFlush: async () => {}, shutdown: async () => {} };
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [recorder] }));
      context.setGlobalContextManager(new Manager().enable());
      window.bench = async (warmup, iterations, requests) => {
        const times = []; let wrong = 0;
        for (let i = 0; i < warmup + iterations; i++) {
          roots.clear(); children = [];
          const start = performance.now();
          await runRequests(requests);
          if (i >= warmup) times.push(performance.now() - start);
          for (const [r, p] of children) if (roots.get(r) !== p) wrong++;
        }
        return { times, wrong };
      };`;
    const r = await build({
      stdin: { contents: entry, resolveDir: root },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      alias: { 'otel-context-transformer/runtime': './dist/esm/runtime/index.js' },
    });
    bundles[v.id] = r.outputFiles[0].text;
  }
  const browser = await launchChromium();
  const data = Object.fromEntries(browserVariants.map((v) => [v.id, { label: v.label, times: [], wrong: 0 }]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const v of browserVariants.map((_, i) => browserVariants[(i + round) % browserVariants.length])) {
        const page = await browser.newPage();
        await page.setContent('<!doctype html><title>bench</title>');
        await page.addScriptTag({ content: bundles[v.id] });
        const m = await page.evaluate(([w, n, r]) => window.bench(w, n, r), [quick ? 10 : 40, quick ? 10 : 40, REQUESTS]);
        data[v.id].times.push(median(m.times));
        data[v.id].wrong += m.wrong;
        data[v.id].children = (data[v.id].children ?? 0) + REQUESTS * (quick ? 20 : 80);
        await page.close();
      }
    }
    for (const entry of Object.values(data)) {
      entry.medianMs = median(entry.times);
      entry.spreadMs = [Math.min(...entry.times), Math.max(...entry.times)];
    }
    return { chromium: browser.version(), requests: REQUESTS, variants: data };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------
// f: threads and processes (issue 9): spawning code compiled by the transform (the carrier helpers put in)
// vs the same code as written, in one process (bench/carriers.mjs), and the helpers' own cost per call.
if (want('carriers')) {
  const perRound = quick ? 4 : 8;
  const text = execFileSync(node20, [join(here, 'carriers.mjs'), String(rounds), String(perRound)], { encoding: 'utf8', cwd: root });
  results.carriers = { ...JSON.parse(text), perRound };
  // Messages, opt-in (bench/messages.mjs): per message, both ends carrying vs compiled without the option.
  const batch = quick ? 500 : 2000;
  const messages = execFileSync(node20, [join(here, 'messages.mjs'), String(rounds), String(batch)], { encoding: 'utf8', cwd: root });
  results.carriers.messages = { ...JSON.parse(messages), batchSize: batch };
  process.stdout.write('carriers done\n');
}

// ---------------------------------------------------------------------------
// g: debug mode (issue 10): its cost off and on. Off, compiled code calls the very helpers it calls
// without debug mode (runtime/index.ts is unchanged; runtime/node.ts picks the same functions when
// OTEL_LOG_LEVEL does not ask for debug): the transformed workload is the "off" figure. On: the workload
// built with `debug: true` (every crossing logged through diag with its site), with no diag logger set
// and with a logger at DEBUG level that discards what it gets; and the plain build run with
// OTEL_LOG_LEVEL=debug. One process per setting, floor / off / on alternating group by group.
if (want('debug')) {
  const debugBuild = compileWorkload('transformed-debug', ts.ScriptTarget.ES2022, true, { debug: true });
  const base = plain || compileWorkload('plain', ts.ScriptTarget.ES2022, false);
  const offBuild = transformed || compileWorkload('transformed', ts.ScriptTarget.ES2022, true);
  const groups = quick ? 10 : 80;
  const warmupGroups = quick ? 4 : 60;
  const settings = [
    { id: 'noLogger', label: 'built with `debug: true`, no diag logger set', on: debugBuild },
    { id: 'discard', label: 'built with `debug: true`, diag logger at DEBUG (discarding)', on: debugBuild, diagLogger: 'discard' },
    {
      id: 'env',
      label: 'plain build, `OTEL_LOG_LEVEL=debug`, diag logger at DEBUG (discarding)',
      on: offBuild,
      diagLogger: 'discard',
      env: true,
    },
  ];
  const debug = { groups, warmupGroups, settings: {} };
  for (const setting of settings) {
    // OTEL_LOG_LEVEL holds for the whole process: there, the plain build is "on" and there is no "off" to pair with.
    const ids = setting.env
      ? [
          ['floor', base],
          ['on', setting.on],
        ]
      : [
          ['floor', base],
          ['off', offBuild],
          ['on', setting.on],
        ];
    const pooled = Object.fromEntries(ids.map(([id]) => [id, { times: [], wrong: 0, children: 0 }]));
    for (const order of [ids, [...ids].reverse()]) {
      const spec = {
        manager: 'compiled',
        requests: REQUESTS,
        warmupGroups,
        groups,
        diagLogger: setting.diagLogger,
        paired: order.map(([id, file]) => ({ id, file })),
      };
      const env = { ...process.env };
      delete env.OTEL_LOG_LEVEL;
      if (setting.env) env.OTEL_LOG_LEVEL = 'debug';
      const r = spawnSync(node20, [join(here, 'worker.mjs'), JSON.stringify(spec)], {
        cwd: root,
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      if (r.status !== 0) throw new Error(`debug ${setting.id} failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout);
      for (const [id] of ids) {
        pooled[id].times.push(...m[id].times);
        pooled[id].wrong += m[id].wrong;
        pooled[id].children += m[id].checked;
      }
    }
    const groupRatios = (a, b) => {
      const ratios = pooled[a].times.map((t, k) => t / pooled[b].times[k]);
      const sorted = [...ratios].sort((x, y) => x - y);
      const quartiles = [sorted[Math.floor((sorted.length - 1) / 4)], sorted[Math.ceil(((sorted.length - 1) * 3) / 4)]];
      return { median: median(ratios), quartiles };
    };
    // Micro costs of the setting's "on" build: three processes each, off and on alternating; the median per loop.
    const samples = { off: [], on: [] };
    for (let k = 0; k < 3; k++) {
      for (const [id, file] of [
        ['off', offBuild],
        ['on', setting.on],
      ]) {
        const spec = {
          file,
          manager: 'compiled',
          requests: REQUESTS,
          warmup: quick ? 5 : 30,
          iterations: 5,
          micro: MICRO,
          diagLogger: setting.diagLogger,
        };
        const env = { ...process.env };
        delete env.OTEL_LOG_LEVEL;
        if (setting.env && id === 'on') env.OTEL_LOG_LEVEL = 'debug';
        const r = spawnSync(node20, [join(here, 'worker.mjs'), JSON.stringify(spec)], {
          cwd: root,
          env,
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        });
        if (r.status !== 0) throw new Error(`debug micro ${setting.id} ${id} failed: ${r.stderr}`);
        samples[id].push(JSON.parse(r.stdout).micro);
      }
    }
    const micro = Object.fromEntries(
      Object.entries(samples).map(([id, xs]) => [
        id,
        Object.fromEntries(Object.keys(xs[0]).map((loop) => [loop, median(xs.map((x) => x[loop]))])),
      ]),
    );
    debug.settings[setting.id] = {
      label: setting.label,
      variants: Object.fromEntries(
        ids.map(([id]) => [id, { medianMs: median(pooled[id].times), wrong: pooled[id].wrong, children: pooled[id].children }]),
      ),
      ratios: setting.env
        ? { 'on/floor': groupRatios('on', 'floor') }
        : { 'off/floor': groupRatios('off', 'floor'), 'on/floor': groupRatios('on', 'floor'), 'on/off': groupRatios('on', 'off') },
      micro,
    };
  }
  debug.date = new Date().toISOString().slice(0, 10);
  results.debug = debug;
  process.stdout.write('debug done\n');
}

if (only && flags.merge) {
  // These sections' results replace theirs in the last full run's; the report is written again from that.
  const previous = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));
  for (const section of only) previous[section] = results[section];
  Object.assign(results, previous);
}
if (only && !flags.merge) {
  // A partial run (development): its sections of the report on stdout; the files stay those of the last full run.
  process.stdout.write(`\n${only.map((section) => sectionReport(section, results).join('\n')).join('\n')}\n`);
  process.stdout.write('--only: BENCHMARKS.md and bench/results.json not written\n');
} else {
  writeFileSync(join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  // A merged section is missing from an older results.json: the report leaves out what was not measured.
  // scripts/realworld.mjs owns the block between its markers: keep it.
  const previous = existsSync(join(root, 'BENCHMARKS.md')) ? readFileSync(join(root, 'BENCHMARKS.md'), 'utf8') : '';
  const realworld = previous.match(/<!-- realworld:start -->[\s\S]*<!-- realworld:end -->/)?.[0];
  writeFileSync(join(root, 'BENCHMARKS.md'), report(results) + (realworld ? `\n${realworld}\n` : ''));
  process.stdout.write(`wrote BENCHMARKS.md and bench/results.json\n`);
}

// ---------------------------------------------------------------------------

function report(r) {
  const lines = [];
  lines.push('# Benchmarks', '');
  lines.push(
    `Written by \`npm run bench\` (${r.rounds} interleaved rounds) on ${r.machine.date}. Every ratio is against an anchor measured in the same run.`,
    '',
  );
  lines.push(
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; ${r.machine.node20}${r.machine.node24 ? `, ${r.machine.node24}` : ''}.`,
    '',
  );
  lines.push(...SECTIONS.filter((section) => r[section]).flatMap((section) => sectionReport(section, r)));
  return lines.join('\n');
}

/** A section's lines of BENCHMARKS.md. */
function sectionReport(section, r) {
  const reports = {
    runtime: reportRuntime,
    build: reportBuild,
    size: reportSize,
    browser: reportBrowser,
    carriers: reportCarriers,
    debug: reportDebug,
  };
  return reports[section](r);
}

function reportRuntime(r) {
  const v = r.runtime.variants;
  const q = r.runtime.ratios;
  const ratioText = (x) => `${x.median.toFixed(2)}× (${x.spread.map((y) => y.toFixed(2)).join('–')})`;
  const row = (id, base) =>
    `| ${v[id].label} | ${v[id].medianMs.toFixed(1)} | ${v[id].spreadMs.map((x) => x.toFixed(1)).join('–')} | ${id === base ? '1' : ratioText(q[`${id}/${base}`])} | ${v[id].wrong} / ${v[id].children} |`;
  const lines = [];
  lines.push('## Request workload (Node)', '');
  lines.push(
    `${r.runtime.requests} concurrent requests per run; each is a root span whose handler awaits ten times, hops through \`setImmediate\` and starts a child span. Each round runs every variant in its own process; after ${r.runtime.warmupRuns} warm-up runs a process times groups of five runs and takes the median of the group means (a single run of a few ms either meets a scavenge or not). Rounds run the variants forwards, then backwards (floor, transformed, by hand, ALS; the three Node 24 runs; zone on native async, zone on generators); this machine drifts by up to 2× over minutes, so ratios are taken within each round and the median of those per-round ratios is reported, with their spread. The table gives the median over rounds (ms per run), the spread across rounds, the ratio to the floor (same Node), and the child spans whose parent is wrong. The floor does less SDK work than a correct run: its child spans are roots, so the SDK never checks or samples from a parent; the "parent passed by hand" row (the workload naming the child's parent explicitly, no propagation) measures a correct run's SDK work without any propagation machinery.`,
    '',
  );
  lines.push(
    '| variant | median ms | spread ms | vs floor (median of per-round ratios, spread) | wrong parents |',
    '|---|---|---|---|---|',
  );
  for (const id of ['floor', 'manual', 'compiled', 'als20', 'zoneGenerators', 'zoneNative']) if (v[id]) lines.push(row(id, 'floor'));
  if (v.floor24) for (const id of ['floor24', 'compiled24', 'als24']) if (v[id]) lines.push(row(id, 'floor24'));
  lines.push('');
  const targets = [
    [`transformed / floor`, q['compiled/floor'], 1.1, '≤ 1.10'],
    [`transformed / zone (generators)`, q['compiled/zoneGenerators'], 0.45, '≤ 0.45'],
    [`transformed / AsyncLocalStorage (Node 20)`, q['compiled/als20'], 1, '< 1'],
  ];
  if (q['compiled/manual']) targets.push([`transformed / parent passed by hand`, q['compiled/manual'], Infinity, '(reference)']);
  if (q['compiled24/als24']) targets.push([`transformed / AsyncLocalStorage (Node 24)`, q['compiled24/als24'], Infinity, '(no target)']);
  const sp = r.runtime.sameProcess ?? {};
  if (sp.node20) {
    const s20 = sp.node20;
    const groupText = (x) => `${x.median.toFixed(2)}× (${x.quartiles.map((y) => y.toFixed(2)).join('–')})`;
    lines.push('### The floor, by hand and transformed in one process', '');
    lines.push(
      `The same three again, but in one process per Node, alternating group by group (five runs per group; floor, by hand, transformed, then the reverse), so that the host's drift falls on neighbouring groups alike. ` +
        `Two processes per Node with the variants in opposite orders, ${s20.groups} groups per variant in all, each process after ${s20.warmupGroupsPerProcess} warm-up groups. Ratios are taken between neighbouring groups; the table gives their median and interquartile range. ` +
        `This is the precise comparison; the table above, one process per variant, also carries the differences between processes.`,
      '',
    );
    lines.push(
      '| variant | median ms per run | vs floor (median of per-group ratios, interquartile range) | wrong parents |',
      '|---|---|---|---|',
    );
    for (const [nodeName, label] of [
      ['node20', 'Node 20'],
      ['node24', 'Node 24'],
    ]) {
      const x = sp[nodeName];
      if (!x) continue;
      lines.push(
        `| untransformed, no propagation (the floor), ${label} | ${x.variants.floor.medianMs.toFixed(2)} | 1 | ${x.variants.floor.wrong} / ${x.variants.floor.children} |`,
      );
      lines.push(
        `| untransformed, parent passed by hand, ${label} | ${x.variants.manual.medianMs.toFixed(2)} | ${groupText(x.ratios['manual/floor'])} | ${x.variants.manual.wrong} / ${x.variants.manual.children} |`,
      );
      lines.push(
        `| transformed + CompiledContextManager, ${label} | ${x.variants.compiled.medianMs.toFixed(2)} | ${groupText(x.ratios['compiled/floor'])} | ${x.variants.compiled.wrong} / ${x.variants.compiled.children} |`,
      );
    }
    lines.push('');
  }
  lines.push('| ratio | median | spread | target | met |', '|---|---|---|---|---|');
  const targetRow = (name, x, limit, text, range) =>
    `| ${name} | ${x.median.toFixed(2)} | ${range.map((y) => y.toFixed(2)).join('–')} | ${text} | ${limit === Infinity ? '–' : x.median <= limit ? 'yes' : 'no'} |`;
  for (const [name, x, limit, text] of targets)
    lines.push(targetRow(`${name} (per-round ratios, one process per variant)`, x, limit, text, x.spread));
  if (sp.node20) {
    lines.push(
      targetRow(
        'transformed / floor (per-group ratios, one process; interquartile range)',
        sp.node20.ratios['compiled/floor'],
        1.1,
        '≤ 1.10',
        sp.node20.ratios['compiled/floor'].quartiles,
      ),
    );
    lines.push(
      targetRow(
        'transformed / parent passed by hand (per-group ratios, one process; interquartile range)',
        sp.node20.ratios['compiled/manual'],
        Infinity,
        '(reference)',
        sp.node20.ratios['compiled/manual'].quartiles,
      ),
    );
  }
  lines.push('');
  lines.push('## Micro costs (Node 20)', '');
  lines.push(
    `ns per iteration, ${MICRO.toLocaleString('en')} iterations, run inside a span's context (in the empty context compiled code has nothing to carry and skips the work): ` +
      `\`for (…) sum += await i\` (one await continuation); \`.then(x => x + 1)\` chains of 100, each awaited (one promise callback, 100 pending at a time); ` +
      `and one chain of ${MICRO.toLocaleString('en')} (one promise callback, all of them pending at once: every bound callback, and what it holds, stays alive until the chain runs, so garbage collection dominates).`,
    '',
  );
  lines.push('| variant | ns per await | ns per then callback (100 pending) | ns per then callback (all pending) |', '|---|---|---|---|');
  for (const id of ['floor', 'compiled', 'als20'])
    lines.push(`| ${v[id].label} | ${v[id].awaitNs.toFixed(1)} | ${v[id].thenBatchNs.toFixed(1)} | ${v[id].thenNs.toFixed(1)} |`);
  lines.push(
    '',
    `Added by the transform: ${(v.compiled.awaitNs - v.floor.awaitNs).toFixed(1)} ns per await continuation; ${(v.compiled.thenBatchNs - v.floor.thenBatchNs).toFixed(1)} ns per bound callback with 100 pending, ` +
      `${(v.compiled.thenNs - v.floor.thenNs).toFixed(1)} ns with ${MICRO.toLocaleString('en')} pending.`,
    '',
  );
  return lines;
}

function reportBuild(r) {
  const b = r.build;
  const p = b.persistent;
  const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const paired = (x) => `${pct(x.median)} (${pct(x.spread[0])} to ${pct(x.spread[1])})`;
  const met = (x) => (x.median <= 0.1 ? 'yes' : 'no');
  const lines = [];
  lines.push('## Build cost', '');
  lines.push(
    `Corpus: ${b.corpus}. The plugin through ts-patch in its two modes against plain \`tsc\` (same TypeScript 5), ${Math.max(3, r.rounds)} rounds, each building once with every compiler in rotating order: ` +
      `\`tspc\` (live mode: a patched TypeScript taken from ts-patch's cache, or made, and evaluated at every start) and \`tsc\` from a copy of the typescript package patched on disk once by \`${p.install.command}\` ` +
      `(persistent mode, what a \`prepare\` script keeps in place; ${p.install.ms.toFixed(0)} ms, once). ` +
      `Each "vs" figure is the median of per-round ratios (a round's builds run within seconds of each other; this machine drifts over minutes), with their spread. ` +
      `The plugin rewrote ${b.filesRewrittenByTspc} of ${b.filesEmitted} emitted files through \`tspc\`, ${p.filesRewritten} through the patched \`tsc\` (${p.filesRewrittenWithoutPlugin} without it in tsconfig).`,
    '',
  );
  const c = b.cpuMs;
  const row = (label, name, ms, spreadMs) =>
    `| ${label} | ${ms.toFixed(0)} | ${spreadMs} | ${name === 'tsc' ? '–' : paired(b.vsTsc[name])} | ${c[name].toFixed(0)} | ${name === 'tsc' ? '–' : paired(b.cpuVsTsc[name])} |`;
  lines.push('| build | median ms | spread ms | vs tsc | CPU ms (median) | CPU vs tsc |', '|---|---|---|---|---|---|');
  lines.push(
    row('tsc', 'tsc', b.tscMs, b.tscSpread),
    row('tspc, no plugin (ts-patch live mode alone)', 'tspcBare', b.tspcBareMs, b.tspcBareSpread),
    row('tspc + otel-context-transformer', 'tspc', b.tspcMs, b.tspcSpread),
    row('tsc patched by `ts-patch install`, no plugin', 'patchedBare', p.tscBareMs, p.tscBareSpread),
    row('tsc patched by `ts-patch install` + otel-context-transformer', 'patched', p.tscMs, p.tscSpread),
    '',
  );
  lines.push(
    '| with the plugin, against plain `tsc` | wall time | the plugin against the same compiler without it | CPU time | target | met (wall / CPU) |',
    '|---|---|---|---|---|---|',
  );
  lines.push(
    `| \`tspc\` (live mode) | **${paired(b.vsTsc.tspc)}** | ${paired(b.pluginItself.tspc)} | ${paired(b.cpuVsTsc.tspc)} | ≤ 10% | ${met(b.vsTsc.tspc)} / ${met(b.cpuVsTsc.tspc)} |`,
    `| \`tsc\` after \`ts-patch install\` (persistent mode) | **${paired(b.vsTsc.patched)}** | ${paired(b.pluginItself.patched)} | ${paired(b.cpuVsTsc.patched)} | ≤ 10% | ${met(b.vsTsc.patched)} / ${met(b.cpuVsTsc.patched)} |`,
    '',
  );
  const meeting = [b.vsTsc.tspc.median <= 0.1 && '`tspc`', b.vsTsc.patched.median <= 0.1 && 'the patched `tsc`'].filter(Boolean);
  const ip = b.inProcess;
  lines.push(
    `${meeting.length ? `Meets the ≤ 10% target (wall time): ${meeting.join(' and ')}.` : 'Neither mode meets the ≤ 10% target (wall time) in this run.'} ` +
      `ts-patch's own cost, without the plugin against plain \`tsc\`: ${pct(b.vsTsc.tspcBare.median)} in live mode (at every start \`tspc\` reads and hashes TypeScript, copies it to its cache as a backup, reads the patched copy from that cache and evaluates it), ` +
      `${pct(b.vsTsc.patchedBare.median)} in persistent mode (nothing is patched at start-up, but the patched lib/_tsc.js is built from typescript.js: ` +
      `${(p.patchedTscJsBytes / 1e6).toFixed(1)} MB to load against ${(p.tscJsBytes / 1e6).toFixed(1)} MB for TypeScript's own).`,
    '',
    `The plugin's own work, without process start-up or ts-patch: one Program in one process, emitted ${ip.emits} times without and ${ip.emits} times with the plugin in alternation (the type checker built first, as \`tsc\` builds it for its diagnostics): ` +
      `**+${ip.pluginMs.toFixed(1)} ms per build** (emit ${ip.emitMs.toFixed(0)} ms without, ${ip.emitWithPluginMs.toFixed(0)} ms with), ` +
      `against ${ip.buildMs.toFixed(0)} ms for the whole build in that process (create the Program, check, emit): **${pct(ip.pluginMs / ip.buildMs)}**.`,
    '',
  );
  const st = b.startupMs;
  const ms = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(0)} ms`;
  lines.push(
    `Start-up alone (\`--version\`: the compiler loaded, nothing compiled; median of ${b.startupRuns} interleaved starts each): plain \`tsc\` ${st.tsc.toFixed(0)} ms, ` +
      `\`tspc\` ${st.tspc.toFixed(0)} ms (${ms(st.tspc - st.tsc)}), the \`tsc\` patched on disk ${st.patched.toFixed(0)} ms (${ms(st.patched - st.tsc)}).`,
    '',
  );
  lines.push(
    `\`transform()\` (otel-context-transformer/api) over the same sources: **${b.transformMBps.toFixed(1)} MB/s** (${b.filesRewrittenByTransform} files rewritten), against ${b.parseAstMBps.toFixed(1)} MB/s for oxc's parse with the AST handed to JavaScript (what any JavaScript transform on oxc pays; ${b.parseMBps.toFixed(1)} MB/s for the parse alone): ` +
      `transform() takes ${b.transformVsParseAst.toFixed(2)}× that time (median of per-round ratios).`,
    '',
  );
  return lines;
}

function reportDebug(r) {
  const d = r.debug;
  const lines = [];
  const times = (x) => (x ? `${x.median.toFixed(2)}× (${x.quartiles.map((y) => y.toFixed(2)).join('–')})` : '–');
  lines.push('## Debug mode (Node 20)', '');
  lines.push(
    `Measured on ${d.date}. The request workload as above. **Off** is what runs without debug mode: the transformed workload, whose helpers are the very functions it calls without debug mode ` +
      '(the default runtime carries none of the debug code; under Node the runtime picks the logging helpers only when `OTEL_LOG_LEVEL` asks for debug output, once, as it loads). ' +
      '**On**: every crossing (callback entry, continuation after an await) is logged through `diag.debug` with its site and the trace and span ids before and after. ' +
      `One process per setting, floor / off / on alternating group by group (five runs per group; two processes with the variants in opposite orders, ${d.groups} groups per variant each, after ${d.warmupGroups} warm-up groups); ` +
      'ratios are taken between neighbouring groups: median and interquartile range. ' +
      `Micro costs (ns per iteration, ${MICRO.toLocaleString('en')} iterations inside a span, as in the micro section): the median of three processes each.`,
    '',
  );
  lines.push(
    '| setting | off vs floor | on vs floor | on vs off | ns per await, off / on | ns per then callback (100 pending), off / on | wrong parents (on) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const s of Object.values(d.settings)) {
    const mi = s.micro;
    lines.push(
      `| ${s.label} | ${times(s.ratios['off/floor'])} | ${times(s.ratios['on/floor'])} | ${s.ratios['on/off'] ? `**${times(s.ratios['on/off'])}**` : '– (the variable holds for the whole process)'} | ${mi.off.await.toFixed(1)} / ${mi.on.await.toFixed(1)} | ${mi.off.thenBatches.toFixed(1)} / ${mi.on.thenBatches.toFixed(1)} | ${s.variants.on.wrong} / ${s.variants.on.children} |`,
    );
  }
  lines.push(
    '',
    "Off costs nothing by construction (same functions, same bytes: see Size); its ratio to the floor is the transform's own, as in the runtime section. On is for finding where a context is lost, not for production.",
    '',
  );
  return lines;
}

function reportSize(r) {
  const lines = [];
  lines.push('## Size', '');
  lines.push('Minified with esbuild and gzipped (level 9); `@opentelemetry/api` excluded from both (every app has it).', '');
  lines.push('| what | min bytes | gzip bytes |', '|---|---|---|');
  lines.push(`| otel-context-transformer runtime + CompiledContextManager | ${r.size.compiled.min} | **${r.size.compiled.gzip}** |`);
  if (r.size.debugRuntime) {
    lines.push(
      `| the debug runtime (\`otel-context-transformer/runtime/debug\`: what \`debug: true\` builds import) | ${r.size.debugRuntime.min} | ${r.size.debugRuntime.gzip} |`,
    );
  }
  lines.push(`| zone.js + ZoneContextManager | ${r.size.zone.min} | ${r.size.zone.gzip} |`, '');
  lines.push(
    `Ratio: ${(r.size.compiled.gzip / r.size.zone.gzip).toFixed(3)} of zone's bytes; target ≤ 1,536 bytes: ${r.size.compiled.gzip <= 1536 ? 'met' : 'not met'}.`,
    '',
  );
  return lines;
}

function reportBrowser(r) {
  const lines = [];
  lines.push('## Request workload in headless Chromium', '');
  if (r.browser.skipped) lines.push(`Skipped: ${r.browser.skipped}.`, '');
  else {
    const bv = r.browser.variants;
    lines.push(`${r.browser.chromium}; same workload (the hop is a 0 ms timer), ${r.browser.requests} requests per run.`, '');
    lines.push('| variant | median ms | spread ms | vs floor | wrong parents |', '|---|---|---|---|---|');
    for (const id of Object.keys(bv)) {
      const e = bv[id];
      lines.push(
        `| ${e.label} | ${e.medianMs.toFixed(1)} | ${e.spreadMs.map((x) => x.toFixed(1)).join('–')} | ${(e.medianMs / bv.floor.medianMs).toFixed(2)}× | ${e.wrong} / ${e.children} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function reportCarriers(r) {
  const c = r.carriers;
  const lines = ['## Threads and processes (spawn sites compiled by the transform)', ''];
  if (!c) return [...lines, 'Not measured in this run.', ''];
  lines.push(
    `bench/carriers-spawners.mjs, spawning code as anyone writes it, compiled by \`transform()\` (which puts the ` +
      `carrier helpers in) vs the same file as written; from inside a span, one spawn at a time until the peer has ` +
      `loaded the SDK and our runtime, started a span and answered; the two variants alternate within each of ` +
      `${r.rounds} rounds of ${c.perRound} spawns each, and the ratio is taken within the round (median of per-round ` +
      `ratios, spread). The shell peers are \`sh -c 'printf %s "$TRACEPARENT"'\` (\`spawn\`) and ` +
      `\`exec('printf …', callback)\` (a call shape known only at run time: \`spawnArgs\`). "carried" counts spawns ` +
      `whose peer span (or printed TRACEPARENT) has the spawning span as parent.`,
    '',
    '| spawn | transformed, median ms | as written, median ms | transformed / as written | carried (transformed / as written) |',
    '|---|---|---|---|---|',
  );
  const labels = {
    thread: 'worker thread (`new Worker(file, {})`)',
    process: 'Node child process (`spawn(node, [file], options)`)',
    shell: "shell child process (`spawn('sh', args, options)`)",
    shellExec: 'shell child process (`exec(command, callback)`)',
  };
  for (const kind of Object.keys(labels).filter((k) => c[k])) {
    const k = c[kind];
    const ratio = `${k.ratio.median.toFixed(2)}× (${k.ratio.spread.map((x) => x.toFixed(2)).join('–')})`;
    const carried = `${k.carried.with} / ${k.carried.without} of ${k.spawns}`;
    lines.push(`| ${labels[kind]} | ${k.withMs.toFixed(1)} | ${k.withoutMs.toFixed(1)} | ${ratio} | ${carried} |`);
  }
  lines.push(
    '',
    `The helpers alone, per call inside a span: \`spawnOptions\` ${(c.helperNs.spawnOptions / 1000).toFixed(1)} µs ` +
      `(a copy of process.env, which Node reads variable by variable; child_process reads it once more itself), ` +
      `\`workerOptions\` ${(c.helperNs.workerOptions / 1000).toFixed(2)} µs.`,
    '',
  );
  return [...lines, ...reportMessages(r)];
}

/** Messages, opt-in (bench/messages.mjs): the per-message cost of `messages: true`. */
function reportMessages(r) {
  const m = r.carriers?.messages;
  const lines = ['### Messages (`messages: true`)', ''];
  if (!m) return [...lines, 'Not measured in this run.', ''];
  const us = (ns) => (ns / 1000).toFixed(2);
  lines.push(
    `Per message, in one thread (median of 5 × 20,000 calls): \`postMessage\` of a small object on a MessagePort ` +
      `${us(m.postNs.direct)} µs; through the helper to an end that takes no envelopes ${us(m.postNs.helperNotCarrying)} µs; ` +
      `to one that does, inside a span (W3C inject, a larger clone) ${us(m.postNs.helperCarrying)} µs. At the receiving ` +
      `end the gate adds ${us(m.receiveNs.gate - m.receiveNs.direct)} µs (extract, listeners inside \`context.with\`).`,
    '',
    `Between a worker thread and its spawner, both ends carrying (spawned through \`messageConstruct\`, posting through ` +
      `the helper, inside a span) vs the same exchange compiled without the option; ${r.rounds} rounds, the variants ` +
      `alternating, ratio within the round (median, spread). "one at a time": each message waits for its answer ` +
      `(${m.roundTrip.messages / r.rounds} per round); "batch": ${m.batchSize} posted at once. Thread wake-ups dominate ` +
      `these and vary with the machine's load: the in-thread figures above are the cost itself.`,
    '',
    '| exchange | with messages, µs per message | without, µs | with / without |',
    '|---|---|---|---|',
  );
  for (const [shape, label] of [
    ['roundTrip', 'one at a time (round trip)'],
    ['batch', 'batch'],
  ]) {
    const k = m[shape];
    const ratio = `${k.ratio.median.toFixed(2)}× (${k.ratio.spread.map((x) => x.toFixed(2)).join('–')})`;
    lines.push(`| ${label} | ${k.withUs.toFixed(1)} | ${k.withoutUs.toFixed(1)} | ${ratio} |`);
  }
  lines.push(
    '',
    `Answers carried (the worker's handler ran under the sender's span): ${m.carried.with} with, ${m.carried.without} without.`,
    '',
  );
  const pools = [
    ['workerpool', 'workerpool: a pool made by `carryingPool`, its worker registered through `carriedPoolWorker`'],
    ['piscina', 'Piscina: constructed through `messageConstruct` (tasks through `runtime/pool-task.js`)'],
    ['tinypool', 'Tinypool: the same'],
  ].filter(([key]) => m[key]);
  if (pools.length > 0) {
    lines.push(
      `Pools of one worker thread, a task at a time from inside a span (${m[pools[0][0]].tasks / r.rounds} per round), ` +
        `compiled with the option vs as written; the same alternation and ratios. Thread wake-ups dominate here too.`,
      '',
      '| pool | with messages, µs per task | without, µs | with / without | tasks under the submitting span (with / without) |',
      '|---|---|---|---|---|',
    );
    for (const [key, label] of pools) {
      const k = m[key];
      const ratio = `${k.ratio.median.toFixed(2)}× (${k.ratio.spread.map((x) => x.toFixed(2)).join('–')})`;
      lines.push(
        `| ${label} | ${k.withUs.toFixed(1)} | ${k.withoutUs.toFixed(1)} | ${ratio} | ${k.carried.with} / ${k.carried.without} of ${k.tasks} |`,
      );
    }
    const p = m.workerpool;
    if (p?.execNs) {
      lines.push(
        '',
        `In one thread, workerpool's \`exec\` through \`carryingPool\` (the params copied with the fields, inside a span) ` +
          `costs ${us(p.execNs.carrying)} µs per call against ${us(p.execNs.direct)} µs for the plain call; the worker's gate ` +
          `adds what the gate above adds.`,
      );
    }
    lines.push('');
  }
  return lines;
}

function machine() {
  const version = (bin) => (existsSync(bin) ? `Node ${execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()}` : undefined);
  return {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node20: version(node20),
    node24: version(node24),
    date: new Date().toISOString().slice(0, 10),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function spread(xs) {
  return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
