// `npm run realworld`: real libraries from npm, their own test suites, before
// and after otel-context-transformer rewrites their sources.
//
// For each subject (a pinned package whose npm tarball ships its source and its
// tests), in bench/.out/realworld/<name>/:
//
//   1. npm pack <name>@<version>, extract; npm install --ignore-scripts of its
//      dependencies and of the devDependencies its tests use (lint, type and
//      publishing tools are left out: package.json is trimmed for the install
//      and put back as shipped before anything runs);
//      node_modules/otel-context-transformer links to this repository (what
//      `npm install otel-context-transformer` would give the rewritten code);
//   2. "before": its test command on the sources as shipped;
//   3. the CLI (`otel-context-transformer apply`) rewrites the library's source
//      files in place - not its tests, not its node_modules; `report` before and
//      after counts the boundaries, hashes show which files changed;
//   4. "after": the same test command;
//   5. "after + manager": the same again with scripts/realworld-preload.cjs
//      preloaded in every Node process (NODE_OPTIONS=--require), registering
//      CompiledContextManager, so the helpers carry a context during the tests;
//   6. a context probe (where the subject has one): the library's own async
//      API is driven inside context.with() and the callbacks it runs read the
//      active context, with the shipped and with the rewritten sources.
//
// Every test point (TAP line) that passed before must pass in 4. In 5 too,
// except the subject's `expectedDifferences`: known, documented differences of
// the run with the manager (test point ids, the runtime frame that causes them,
// the reason). Such a point may fail there only with that frame named in its
// failure output and, where tap reports a comparison (found / wanted), with
// nothing else different; any other point lost in 5 is a regression. Timing
// sensitive suites on a shared machine flake: a run in which a point that must
// pass did not (and did not fail as declared) is repeated (at most ATTEMPTS
// runs in all), a point counts as passing when it passed in one of them, and
// every repeat is recorded.
//
// Output: a summary on stdout, bench/realworld.json, and the section of
// BENCHMARKS.md between <!-- realworld:start --> and <!-- realworld:end -->
// (the rest of that file belongs to bench/run.mjs). Exit status 1 when a point
// that passed before did not pass after (4), or did not pass after + manager
// (5) and is not one of the subject's expected differences.
//
//   node scripts/realworld.mjs [--only <name>[,<name>]] [--keep]
//     --only   run only these subjects (the JSON and BENCHMARKS.md are then not written)
//     --keep   reuse bench/.out/realworld/<name> as it is (skips fetch and install;
//              the sources must be the shipped ones: use only after a failed run)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'bench', '.out', 'realworld');
const cli = join(root, 'bin', 'otel-context-transformer.mjs');
const preload = join(root, 'scripts', 'realworld-preload.cjs');
const ATTEMPTS = 3;
const TEST_TIMEOUT_MS = 10 * 60 * 1000;

const { values: flags } = parseArgs({ options: { only: { type: 'string' }, keep: { type: 'boolean' } } });

/** Lint, type-check, changelog and publishing tools: not needed to run tests. */
const TOOLING =
  /^(@types\/|@ljharb\/eslint-config$|@ljharb\/tsconfig$|@arethetypeswrong\/|eslint$|typescript$|auto-changelog$|eclint$|npmignore$|safe-publish-latest$|npm-run-posix-or-windows$|in-publish$|aud$|evalmd$|@es-shims\/api$)/;

const esShim = (name, version, commands, note) => ({
  name,
  version,
  what: 'es-shims spec implementation; `then` chains in its implementation',
  sources: ['auto.js', 'implementation.js', 'index.js', 'polyfill.js', 'requirePromise.js', 'shim.js'],
  sourcesNote: 'the top-level modules (test/ holds the tests)',
  installDev: (dev) => !TOOLING.test(dev),
  commands,
  commandsNote: note,
});

const SUBJECTS = [
  {
    name: 'tape',
    version: '5.10.2',
    what: 'TAP test harness: async tests, promises returned by tests, timeouts, nested subtests, a CLI that imports/requires test files',
    sources: ['index.js', 'lib', 'bin/tape', 'bin/import-or-require.js'],
    sourcesNote: 'index.js, lib/, bin/ (example/ and test/ are not sources)',
    installDev: (dev) => !TOOLING.test(dev),
    // scripts.test = "npm-run-posix-or-windows tests-only" (after pretest = lint);
    // scripts["tests-only"] = "cross-env NODE_OPTIONS='--no-warnings' nyc tap 'test/*.js'".
    // cross-env would overwrite the NODE_OPTIONS that carries the preload, so the
    // same runner is called without it, with the same NODE_OPTIONS.
    commands: [
      {
        label: 'tests-only',
        argv: ['node_modules/.bin/nyc', 'node_modules/.bin/tap', 'test/*.js'],
        env: { NODE_OPTIONS: '--no-warnings' },
      },
    ],
    commandsNote:
      "`scripts.tests-only` is `cross-env NODE_OPTIONS='--no-warnings' nyc tap 'test/*.js'` (what `npm test` runs after linting); it is run as `NODE_OPTIONS='--no-warnings' nyc tap 'test/*.js'` because cross-env would overwrite the NODE_OPTIONS that carries the preload",
    // No expectedDifferences: tape's tests run outside any span, where `bind` hands back the callback itself,
    // so no `boundToContext` frame reaches the `at:` lines its suite compares (before that, 13 points differed
    // with the manager on, declared here). A span active around such a test would bring the frame back.
  },
  {
    name: 'bottleneck',
    version: '2.19.5',
    what: 'rate limiter and job scheduler: setTimeout/setInterval, promise chains, async functions compiled to generators (`_asyncToGenerator`)',
    sources: ['lib'],
    sourcesNote:
      'lib/ (what `require("bottleneck")` and the tests load; es5.js and light.js are bundles the tests load only with BUILD=es5/light)',
    // The rest are build tools (babel, rollup, coffeescript, typescript) and ejs-cli, a GitHub dependency.
    installDev: (dev) => ['assert', 'ioredis', 'leakage', 'mocha', 'redis'].includes(dev),
    commands: [{ label: 'test', argv: ['node_modules/.bin/mocha', 'test', '--reporter', 'tap'] }],
    commandsNote: '`scripts.test` is `mocha test`; run with `--reporter tap` to list every test',
    knownFailures: [
      {
        match: /Should not leak memory/,
        reason: 'needs the native module @airbnb/node-memwatch (via leakage), which does not compile against Node 20',
      },
    ],
    probe: 'bottleneck',
  },
  esShim(
    'promise.prototype.finally',
    '3.1.8',
    [{ label: 'tests-only', argv: ['node_modules/.bin/nyc', 'node_modules/.bin/tape', 'test/{implementation,index,shimmed}.js'] }],
    '`scripts.test` is `npm run --silent tests-only` = `nyc tape test/{implementation,index,shimmed}.js` (after pretest = lint)',
  ),
  esShim(
    'promise.allsettled',
    '1.0.7',
    [
      { label: 'tests-only', argv: ['node_modules/.bin/nyc', 'node_modules/.bin/tape', 'test/{implementation,index,shimmed}.js'] },
      { label: 'test:promise-shimmed', argv: ['node_modules/.bin/nyc', 'node', 'test/promise-shimmed'] },
    ],
    '`scripts.test` is `npm run --silent tests-only && npm run test:promise-shimmed` = `nyc tape test/{implementation,index,shimmed}.js` then `nyc node test/promise-shimmed` (after pretest = lint)',
  ),
  esShim(
    'promise.any',
    '2.0.6',
    [
      { label: 'tests-only', argv: ['node_modules/.bin/nyc', 'node_modules/.bin/tape', 'test/{implementation,index,shimmed}.js'] },
      { label: 'test:promise-shimmed', argv: ['node_modules/.bin/nyc', 'node', 'test/promise-shimmed'] },
    ],
    '`scripts.test` is `npm run tests-only && npm run test:promise-shimmed` = `nyc tape test/{implementation,index,shimmed}.js` then `nyc node test/promise-shimmed` (after pretest = lint)',
  ),
];

// ---------------------------------------------------------------------------
// Processes

/** The environment for the subject's processes: without what `npm run` exports about this repository. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_lifecycle_|npm_package_|npm_config_(local_prefix|prefix|global_prefix)$|npm_command$|INIT_CWD$|NODE_OPTIONS$)/.test(key))
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function shown(argv, env = {}) {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...vars, ...argv.map((a) => shellQuote(a.replace(/^node_modules\/\.bin\//, '')))].join(' ');
}

/** Runs a command to completion; stdout and stderr are collected. */
function run(argv, { cwd, env = {}, timeout = TEST_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
      cwd,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function npm(args, cwd) {
  const r = spawnSync('npm', [...args, '--loglevel=error'], { cwd, env: cleanEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function log(text) {
  process.stdout.write(`${text}\n`);
}

// ---------------------------------------------------------------------------
// TAP

/**
 * Every test point of a TAP stream (nested subtests indented by 4 spaces, as
 * tap's runner prints them; tape's flat output with `# name` headings): an id
 * made of the enclosing subtest names, the heading and the description (with
 * a counter for repeated ones), and pass / fail / skip / todo. A failed point
 * also has its output: its subtest's lines (from `# Subtest:`) if it has one,
 * its own line, and the YAML block that follows it.
 */
export function parseTap(text, prefix) {
  const points = new Map();
  const subtests = [];
  const subtestLine = [];
  const headings = [];
  const seen = new Map();
  const lines = text.split('\n').map((raw) => raw.replace(/\r$/, ''));
  let yamlIndent = -1;
  // The failed point the YAML block on the next line belongs to: [point, first line].
  let last = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = line.length - line.trimStart().length;
    const body = line.trimStart();
    if (yamlIndent >= 0) {
      if (indent === yamlIndent && body === '...') {
        yamlIndent = -1;
        if (last) last[0].output = lines.slice(last[1], i + 1).join('\n');
        last = null;
      }
      continue;
    }
    if (body === '---') {
      yamlIndent = indent;
      continue;
    }
    last = null;
    if (indent % 4 !== 0) continue;
    const depth = indent / 4;
    let m;
    if ((m = /^# Subtest: (.*)$/.exec(body))) {
      subtests.length = depth;
      subtestLine.length = depth;
      headings.length = depth + 1;
      subtests[depth] = m[1].trim();
      subtestLine[depth] = i;
      continue;
    }
    if ((m = /^# (.*)$/.exec(body))) {
      const text = m[1].trim();
      if (/^(tests|pass|fail|skip|todo)\b|^ok$|^time=/.test(text)) continue;
      headings.length = depth;
      headings[depth] = text;
      continue;
    }
    if ((m = /^(not ok|ok)\b\s*(\d+)?\s*(?:- )?(.*)$/.exec(body))) {
      let description = m[3];
      let directive = '';
      const d = /\s+#\s+(SKIP|TODO|time=)(.*)$/i.exec(description);
      if (d) {
        description = description.slice(0, d.index);
        directive = d[1].toUpperCase();
      }
      const path = [prefix];
      for (let i = 0; i <= depth; i++) {
        if (i > 0 && subtests[i - 1] !== undefined) path.push(subtests[i - 1]);
        if (headings[i] !== undefined && i === depth) path.push(headings[i]);
      }
      path.push(description.trim());
      let id = path.join(' › ');
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1) id += ` (#${n})`;
      const status = directive === 'SKIP' ? 'skip' : directive === 'TODO' ? 'todo' : m[1] === 'ok' ? 'pass' : 'fail';
      const point = { status, depth };
      if (status === 'fail') {
        const start = subtests[depth] === description.trim() && subtestLine[depth] !== undefined ? subtestLine[depth] : i;
        point.output = lines.slice(start, i + 1).join('\n');
        if (lines[i + 1]?.trimStart() === '---') last = [point, start];
      }
      points.set(id, point);
    }
  }
  return points;
}

// ---------------------------------------------------------------------------
// Steps

function sha(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function sourceFiles(dir, sources) {
  const list = [];
  const walk = (rel) => {
    const full = join(dir, rel);
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (/\.(c|m)?js$/.test(name) || statSync(join(full, name)).isDirectory()) walk(join(rel, name));
      }
    } else list.push(rel);
  };
  for (const s of sources) walk(s);
  return list;
}

async function fetchAndInstall(subject, dir) {
  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [packed] = JSON.parse(npm(['pack', `${subject.name}@${subject.version}`, '--json', '--pack-destination', dir], dir));
  const tarball = join(dir, packed.filename);
  const tar = spawnSync('tar', ['xzf', tarball, '-C', dir]);
  if (tar.status !== 0) throw new Error(`tar xzf ${tarball}: ${tar.stderr}`);
  const pkgDir = join(dir, 'package');
  const manifestPath = join(pkgDir, 'package.json');
  const shipped = readFileSync(manifestPath, 'utf8');
  const manifest = JSON.parse(shipped);
  const dev = manifest.devDependencies ?? {};
  const kept = Object.fromEntries(Object.entries(dev).filter(([name]) => subject.installDev(name)));
  const left = Object.keys(dev).filter((name) => !(name in kept));
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, devDependencies: kept }, null, 2));
  try {
    npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], pkgDir);
  } finally {
    writeFileSync(manifestPath, shipped);
  }
  symlinkSync(root, join(pkgDir, 'node_modules', 'otel-context-transformer'), 'dir');
  return {
    tarball: packed.filename,
    integrity: packed.integrity,
    shasum: packed.shasum,
    testScript: manifest.scripts?.test ?? null,
    devInstalled: kept,
    devLeftOut: left,
    installed: readdirSync(join(pkgDir, 'node_modules')).length,
    ms: performance.now() - started,
  };
}

/** One run of every test command of the subject: the points, exit codes and time. */
async function runSuite(subject, pkgDir, withManager) {
  const points = new Map();
  const commands = [];
  let ms = 0;
  for (const command of subject.commands) {
    const env = { ...command.env };
    if (withManager) env.NODE_OPTIONS = [env.NODE_OPTIONS, `--require=${preload}`].filter(Boolean).join(' ');
    const r = await run(command.argv, { cwd: pkgDir, env });
    ms += r.ms;
    const parsed = parseTap(r.stdout, command.label);
    for (const [id, p] of parsed) points.set(id, p);
    commands.push({
      label: command.label,
      code: r.code,
      signal: r.signal,
      ms: r.ms,
      points: parsed.size,
      stdout: r.stdout,
      stderr: r.stderr,
    });
  }
  return { points, commands, ms };
}

/**
 * Runs the suite until every point in `required` (all points, for the run
 * before the transform) has passed once, at most ATTEMPTS times. With
 * `expected` (the subject's expectedDifferences, for the run with the
 * manager), a required point that failed as declared there counts as settled.
 */
async function runPhase(subject, pkgDir, label, { withManager = false, required = null, expected = null } = {}) {
  const attempts = [];
  const passedOnce = new Set();
  const statusOf = new Map();
  // The failure output of each point that failed, from the last run it failed in.
  const failure = new Map();
  for (let i = 0; i < ATTEMPTS; i++) {
    const attempt = await runSuite(subject, pkgDir, withManager);
    attempts.push(attempt);
    for (const [id, p] of attempt.points) {
      if (p.status === 'pass') passedOnce.add(id);
      if (p.status === 'fail') failure.set(id, p.output);
      if (!statusOf.has(id) || p.status === 'pass') statusOf.set(id, p.status);
    }
    const known = (id) => subject.knownFailures?.some((k) => k.match.test(id));
    const outstanding = [...(required ?? attempt.points.keys())].filter(
      (id) =>
        !passedOnce.has(id) &&
        statusOf.get(id) !== 'skip' &&
        statusOf.get(id) !== 'todo' &&
        !(required === null && known(id)) &&
        !(expected && unexpectedBecause(expected, id, failure.get(id)) === null),
    );
    const codes = attempt.commands.map((c) => `${c.label} exit ${c.code ?? c.signal}`).join(', ');
    log(
      `  ${label}, run ${i + 1}: ${attempt.points.size} points, ${count(attempt.points, 'pass')} passed, ${count(attempt.points, 'fail')} failed (${codes}; ${(attempt.ms / 1000).toFixed(1)} s)`,
    );
    if (outstanding.length === 0) break;
    if (i < ATTEMPTS - 1)
      log(
        `    ${outstanding.length} not passed yet: ${outstanding.slice(0, 5).join(' | ')}${outstanding.length > 5 ? ' ...' : ''}; running again`,
      );
  }
  const firstFailed = [...attempts[0].points].filter(([, p]) => p.status === 'fail').map(([id]) => id);
  return {
    attempts: attempts.length,
    msPerRun: attempts.map((a) => Math.round(a.ms)),
    exitCodes: attempts.map((a) => a.commands.map((c) => c.code ?? c.signal)),
    statusOf,
    passedOnce,
    failure,
    firstRunFailed: firstFailed,
    // The outputs of the last run, for bench/.out (not for the JSON).
    outputs: attempts.map((a) => a.commands),
  };
}

/**
 * Why a point that passed before and failed in the run with the manager is not
 * one of the subject's declared differences, or null when it is one: it must be
 * in the list, must have failed (not gone missing), its failure output must name
 * the declared frame, and in every found/wanted pair of that output (tap's
 * report of a failed comparison) found must equal wanted once the lines naming
 * the frame are taken out - so that anything else going wrong in the same
 * assertion still counts as a regression.
 */
function unexpectedBecause(expected, id, output) {
  if (!expected.points.includes(id)) return 'not a declared difference';
  if (output === undefined) return 'declared, but missing from the output (it did not fail as a test point)';
  if (!output.includes(expected.frame)) return `declared, but its failure output does not name \`${expected.frame}\``;
  for (const [found, wanted] of foundWanted(output)) {
    if (found.filter((l) => !l.includes(expected.frame)).join('\n') !== wanted.join('\n')) {
      return `declared, but what its comparison found differs from what it wanted by more than the \`${expected.frame}\` lines`;
    }
  }
  return null;
}

/** The found/wanted pairs in a failure output (the YAML tap prints for a failed t.same / t.equal), each as lines. */
function foundWanted(output) {
  const lines = output.split('\n');
  const indentOf = (line) => line.length - line.trimStart().length;
  // A key's value: the rest of its line and the lines indented under it.
  const value = (i) => {
    const own = indentOf(lines[i]);
    const text = [lines[i].trimStart().replace(/^\w+:\s*/, '')];
    let j = i + 1;
    while (j < lines.length && (lines[j].trim() === '' || indentOf(lines[j]) > own)) text.push(lines[j++]);
    while (text.length > 1 && text.at(-1).trim() === '') text.pop();
    return [text, j];
  };
  const pairs = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*found:/.test(lines[i])) continue;
    const [found, next] = value(i);
    if (next < lines.length && /^\s*wanted:/.test(lines[next]) && indentOf(lines[next]) === indentOf(lines[i])) {
      const [wanted, end] = value(next);
      pairs.push([found, wanted]);
      i = end - 1;
    }
  }
  return pairs;
}

function count(points, status) {
  let n = 0;
  for (const p of points.values()) if (p.status === status) n++;
  return n;
}

function reportBoundaries(pkgDir, paths) {
  const r = spawnSync(process.execPath, [cli, 'report', '--json', ...paths], { cwd: pkgDir, env: cleanEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`report failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function transformSources(subject, pkgDir) {
  const files = sourceFiles(pkgDir, subject.sources);
  const before = Object.fromEntries(files.map((f) => [f, sha(join(pkgDir, f))]));
  const reportBefore = reportBoundaries(pkgDir, subject.sources);
  const argv = ['apply', '--json', ...subject.sources];
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, ...argv], { cwd: pkgDir, env: cleanEnv(), encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`apply failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const applied = JSON.parse(r.stdout);
  const changed = files.filter((f) => sha(join(pkgDir, f)) !== before[f]);
  const reportAfter = reportBoundaries(pkgDir, subject.sources);
  const byKind = {};
  for (const b of reportBefore.boundaries) byKind[b.kind] = (byKind[b.kind] ?? 0) + 1;
  const problems = [];
  if (changed.length === 0) problems.push('no file changed');
  if (applied.files !== files.length) problems.push(`apply saw ${applied.files} files, the script listed ${files.length}`);
  if ([...changed].sort().join() !== [...applied.rewritten].sort().join())
    problems.push(`apply listed ${applied.rewritten.join(', ')} but ${changed.join(', ')} changed`);
  if (reportAfter.notRewritten !== 0) problems.push(`${reportAfter.notRewritten} boundaries still not rewritten after apply`);
  if (reportBefore.rewritten !== 0) problems.push(`${reportBefore.rewritten} boundaries already rewritten in the shipped sources`);
  // The rewritten files must still parse as what Node loads them as.
  for (const f of changed) {
    const check = spawnSync(process.execPath, ['--check', f], { cwd: pkgDir, encoding: 'utf8' });
    if (check.status !== 0) problems.push(`node --check ${f}: ${check.stderr.trim()}`);
  }
  return {
    command: `otel-context-transformer ${argv.map(shellQuote).join(' ')}`,
    files: files.length,
    rewrittenFiles: changed,
    unchangedFiles: files.filter((f) => !changed.includes(f)),
    boundaries: reportBefore.boundaries.length,
    boundariesRewritten: reportAfter.rewritten,
    byKind,
    ms,
    problems,
  };
}

// ---------------------------------------------------------------------------
// Context probes: does the library's own async machinery carry the context?
//
// A probe is application code, compiled with transform() as an application
// would be (helpers: require), run with CompiledContextManager registered,
// against the shipped library and against the rewritten one. What it measures
// is the library's part: the application's own callbacks are bound either way.

const PROBES = {
  // Four jobs, each scheduled inside its own context.with(), are run later by
  // bottleneck's timers and promise chains (maxConcurrent 1, minTime 20 ms).
  // Each reads the active context when bottleneck starts it, after an await in
  // it, and in a .then on the promise schedule() returned.
  bottleneck: `
    const { context, createContextKey } = require(${JSON.stringify(join(root, 'node_modules', '@opentelemetry', 'api'))});
    const Bottleneck = require('./');
    const key = createContextKey('probe');
    const limiter = new Bottleneck({ maxConcurrent: 1, minTime: 20 });
    const seen = [];
    const jobs = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      context.with(context.active().setValue(key, name), () => {
        jobs.push(limiter.schedule(async () => {
          seen.push([name, 'job', context.active().getValue(key)]);
          await new Promise((resolve) => setTimeout(resolve, 5));
          seen.push([name, 'job after await', context.active().getValue(key)]);
          return name;
        }).then(() => seen.push([name, 'then', context.active().getValue(key)])));
      });
    }
    Promise.all(jobs).then(() => {
      // What each read saw, by job (a, b, c, d): the job's own name when its context was carried.
      const saw = {};
      for (const [name, at, got] of seen.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) (saw[at] ??= []).push(got ?? '-');
      process.stdout.write(JSON.stringify(saw));
    });
  `,
};

let apiModule;
async function probe(subject, pkgDir, manager = 'compiled') {
  const source = PROBES[subject.probe];
  if (!source) return null;
  apiModule ??= await import(join(root, 'dist', 'esm', 'api.js'));
  const file = join(pkgDir, 'otel-probe.cjs');
  const compiled = apiModule.transform(source, {
    filename: file,
    helpers: 'require',
    onDiagnostic: (d) => {
      throw new Error(apiModule.formatDiagnostic(d));
    },
  });
  if (!compiled) throw new Error('the probe has no boundary to rewrite');
  writeFileSync(file, compiled.code);
  const r = await run(['node', `--require=${preload}`, file], { cwd: pkgDir, timeout: 60_000, env: { OTEL_REALWORLD_MANAGER: manager } });
  if (r.code !== 0) throw new Error(`probe failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------
// One subject

async function runSubject(subject) {
  const dir = join(outRoot, subject.name);
  const pkgDir = join(dir, 'package');
  log(`\n${subject.name}@${subject.version}`);
  let install;
  if (flags.keep && existsSync(join(pkgDir, 'node_modules'))) {
    install = JSON.parse(readFileSync(join(dir, 'install.json'), 'utf8'));
    log('  reusing the extracted package and its node_modules (--keep)');
  } else {
    install = await fetchAndInstall(subject, dir);
    writeFileSync(join(dir, 'install.json'), JSON.stringify(install, null, 2));
    log(`  fetched ${install.tarball}, installed ${install.installed} packages (${(install.ms / 1000).toFixed(1)} s)`);
  }

  const probeBefore = await probe(subject, pkgDir);
  const probeReference = await probe(subject, pkgDir, 'async-hooks');
  const before = await runPhase(subject, pkgDir, 'before');
  const passedBefore = [...before.statusOf].filter(([, s]) => s === 'pass').map(([id]) => id);

  const transform = transformSources(subject, pkgDir);
  log(
    `  transformed: ${transform.rewrittenFiles.length}/${transform.files} files rewritten, ${transform.boundariesRewritten}/${transform.boundaries} boundaries (` +
      Object.entries(transform.byKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') +
      `; ${transform.ms.toFixed(0)} ms)`,
  );
  for (const p of transform.problems) log(`  PROBLEM: ${p}`);

  const after = await runPhase(subject, pkgDir, 'after', { required: passedBefore });
  const expected = subject.expectedDifferences ?? null;
  const withManager = await runPhase(subject, pkgDir, 'after + manager', { withManager: true, required: passedBefore, expected });
  const probeAfter = await probe(subject, pkgDir);
  if (probeBefore) {
    const fmt = (p) =>
      Object.entries(p)
        .map(([at, got]) => `${at}: ${got.join(' ')}`)
        .join(', ');
    log(`  context probe (jobs a b c d; what each read saw), CompiledContextManager:`);
    log(`    shipped sources:   ${fmt(probeBefore)}`);
    log(`    rewritten sources: ${fmt(probeAfter)}`);
    log(`    reference, shipped sources under AsyncLocalStorageContextManager: ${fmt(probeReference)}`);
  }

  // Keep every run's output next to the package for inspection.
  for (const [name, phase] of [
    ['before', before],
    ['after', after],
    ['after-manager', withManager],
  ]) {
    phase.outputs.forEach((commands, i) =>
      commands.forEach((c) =>
        writeFileSync(join(dir, `${name}.run${i + 1}.${c.label.replace(/[^\w.-]/g, '_')}.log`), `${c.stdout}\n--- stderr ---\n${c.stderr}`),
      ),
    );
  }

  const lost = (phase) => passedBefore.filter((id) => !phase.passedOnce.has(id));
  // Where the transformer's runtime shows in the output of a run that lost points (stack frames, usually).
  const runtimeMentions = (phase) => {
    if (lost(phase).length === 0) return [];
    const lines = new Set();
    for (const commands of phase.outputs) {
      for (const c of commands) {
        for (const line of `${c.stdout}\n${c.stderr}`.split('\n'))
          if (line.includes(join(root, 'dist')))
            lines.add(
              line
                .trim()
                .replace(/^- '|'$/g, '')
                .trim()
                .replaceAll(root, '<repo>'),
            );
      }
    }
    return [...lines].slice(0, 5);
  };
  const summary = (phase, expected = null) => ({
    passed: [...phase.statusOf.values()].filter((s) => s === 'pass').length,
    points: phase.statusOf.size,
    failed: [...phase.statusOf.values()].filter((s) => s === 'fail').length,
    skipped: [...phase.statusOf.values()].filter((s) => s === 'skip' || s === 'todo').length,
    runs: phase.attempts,
    msPerRun: phase.msPerRun,
    exitCodes: phase.exitCodes,
    firstRunFailed: phase.firstRunFailed,
    lost: lost(phase),
    runtimeInOutput: runtimeMentions(phase),
    new: [...phase.statusOf.keys()].filter((id) => !before.statusOf.has(id)),
    // Without declared differences (always for "after") every lost point is unexpected.
    unexpected: lost(phase)
      .map((id) => ({ id, why: expected ? unexpectedBecause(expected, id, phase.failure.get(id)) : null }))
      .filter((u) => !expected || u.why !== null),
    ...(expected && {
      expectedDifferences: {
        frame: expected.frame,
        reason: expected.reason,
        declared: expected.points.length,
        // Passed before, failed here exactly as declared.
        points: lost(phase).filter((id) => unexpectedBecause(expected, id, phase.failure.get(id)) === null),
        // Declared, but passed in this run (the list can shrink).
        passed: expected.points.filter((id) => phase.passedOnce.has(id)),
      },
    }),
  });
  const failedBefore = [...before.statusOf]
    .filter(([, s]) => s === 'fail')
    .map(([id]) => ({
      id,
      reason: subject.knownFailures?.find((k) => k.match.test(id))?.reason ?? null,
    }));
  const topLevel = (phase, status) =>
    [...phase.statusOf].filter(([id, s]) => s === status && before.statusOf.has(id) && id.split(' › ').length === 2).length;
  const result = {
    package: `${subject.name}@${subject.version}`,
    what: subject.what,
    tarball: { file: install.tarball, integrity: install.integrity },
    install: {
      command: 'npm install --ignore-scripts --no-audit --no-fund --no-package-lock',
      devDependenciesInstalled: Object.keys(install.devInstalled),
      devDependenciesLeftOut: install.devLeftOut,
      packages: install.installed,
      ms: Math.round(install.ms),
    },
    testScript: install.testScript,
    commands: subject.commands.map((c) => shown(c.argv, c.env)),
    commandsNote: subject.commandsNote,
    managerCommandEnv: `NODE_OPTIONS='${[subject.commands[0].env?.NODE_OPTIONS, '--require=scripts/realworld-preload.cjs'].filter(Boolean).join(' ')}'`,
    sources: subject.sourcesNote,
    transform,
    topLevelPassedBefore: topLevel(before, 'pass'),
    before: {
      passed: passedBefore.length,
      points: before.statusOf.size,
      failed: failedBefore,
      skipped: [...before.statusOf.values()].filter((s) => s === 'skip' || s === 'todo').length,
      runs: before.attempts,
      msPerRun: before.msPerRun,
      exitCodes: before.exitCodes,
      firstRunFailed: before.firstRunFailed,
    },
    after: summary(after),
    afterWithManager: summary(withManager, expected),
    probe: probeBefore
      ? {
          before: probeBefore,
          after: probeAfter,
          asyncLocalStorage: probeReference,
          matchesAsyncLocalStorage: JSON.stringify(probeAfter) === JSON.stringify(probeReference),
        }
      : null,
  };
  // "after" (the library's tests on its rewritten sources) is strict; "after + manager" may differ only as declared.
  result.ok =
    transform.problems.length === 0 &&
    result.after.lost.length === 0 &&
    result.afterWithManager.unexpected.length === 0 &&
    passedBefore.length > 0;
  const expectedCount = result.afterWithManager.expectedDifferences?.points.length ?? 0;
  log(
    `  tests passed: before ${passedBefore.length}/${before.statusOf.size}, after ${result.after.passed}/${result.after.points}, ` +
      `after + manager ${result.afterWithManager.passed}/${result.afterWithManager.points}` +
      `${expectedCount ? ` (${expectedCount} expected differences)` : ''} -> ${result.ok ? 'OK' : 'FAILED'}`,
  );
  for (const id of result.after.lost) log(`  LOST (after): ${id}`);
  for (const { id, why } of result.afterWithManager.unexpected) log(`  LOST (after + manager): ${id}${why ? ` (${why})` : ''}`);
  if (expectedCount) {
    log(`  expected differences (after + manager; the failure output names \`${expected.frame}\`, found equals wanted without it):`);
    for (const id of result.afterWithManager.expectedDifferences.points) log(`    ${id}`);
  }
  for (const id of result.afterWithManager.expectedDifferences?.passed ?? [])
    log(`  declared as an expected difference, but passed: ${id}`);
  for (const [name, s] of [
    ['after', result.after],
    ['after + manager', result.afterWithManager],
  ]) {
    if (s.lost.length) for (const l of s.runtimeInOutput) log(`    the runtime in the output ${name}: ${l}`);
  }
  return result;
}

// ---------------------------------------------------------------------------
// BENCHMARKS.md

const fmtS = (ms) => `${(ms / 1000).toFixed(1)} s`;
const expectedOf = (r) => r.afterWithManager.expectedDifferences?.points.length ?? 0;
const mdEscape = (s) => String(s).replace(/\|/g, '\\|');

function markdown(results, meta) {
  const lines = [];
  lines.push('## Real libraries: their own test suites, before and after the transform');
  lines.push('');
  lines.push(
    `\`npm run realworld\` (scripts/realworld.mjs), ${meta.date}, Node ${meta.node}, ${meta.cpus} CPUs (shared). Each package is fetched from npm at a pinned version ` +
      '(its tarball ships sources and tests), its test dependencies installed (package.json trimmed to them for `npm install`, then put back as shipped; ' +
      '`node_modules/otel-context-transformer` links to this repository for the rewritten code), its own test command run on the sources as shipped; then ' +
      '`otel-context-transformer apply` rewrites its source files in place (not its tests, not node_modules) and the same tests run again, ' +
      'once as they are and once with `CompiledContextManager` registered in every Node process (`NODE_OPTIONS=--require=scripts/realworld-preload.cjs`). ' +
      'A test point is one `ok`/`not ok` line of TAP. Every point that passed before must pass after the transform. ' +
      'With the manager as well, except the differences a package declares for that run (listed under it, with the reason): ' +
      'each of those must fail with the declared runtime frame in its failure output, and its comparison must find what it wanted once the lines naming that frame are taken out; ' +
      'any other point lost with the manager is a regression.',
  );
  lines.push('');
  lines.push('| package | source files rewritten | boundaries rewritten | passed before | after | after + manager | result |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const kinds = Object.entries(r.transform.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `| ${r.package} | ${r.transform.rewrittenFiles.length} / ${r.transform.files} | ${r.transform.boundariesRewritten} / ${r.transform.boundaries} (${kinds}) | ` +
        `${r.before.passed} / ${r.before.points} | ${r.after.passed} / ${r.after.points} | ${r.afterWithManager.passed} / ${r.afterWithManager.points}` +
        `${expectedOf(r) ? ` (${expectedOf(r)} expected differences)` : ''} | ${r.ok ? '**all kept**' : '**REGRESSED**'} |`,
    );
  }
  lines.push('');
  const total = (f) => results.reduce((n, r) => n + f(r), 0);
  lines.push(
    `Totals: ${total((r) => r.before.passed)} test points passed before; after the transform ${total((r) => r.after.passed)}, with the manager ${total((r) => r.afterWithManager.passed)}; ` +
      `${total((r) => r.after.lost.length + r.afterWithManager.unexpected.length)} lost; ${total(expectedOf)} expected differences with the manager (declared; listed under their package).`,
  );
  for (const r of results) {
    lines.push('');
    lines.push(`### ${r.package}`);
    lines.push('');
    lines.push(`${r.what}. Tarball ${r.tarball.file} (${r.tarball.integrity}).`);
    lines.push('');
    lines.push(
      `- Sources transformed: ${r.sources}. Rewritten: ${r.transform.rewrittenFiles.join(', ')}${r.transform.unchangedFiles.length ? `; unchanged (no boundary): ${r.transform.unchangedFiles.join(', ')}` : ''}.`,
    );
    lines.push(
      `- Transform: \`${r.transform.command}\` (${r.transform.ms.toFixed(0)} ms); \`report\` before: ${r.transform.boundaries} ${r.transform.boundaries === 1 ? 'boundary' : 'boundaries'}, none rewritten; after: ${r.transform.boundariesRewritten} rewritten.${r.transform.problems.length ? ` Problems: ${r.transform.problems.join('; ')}.` : ''}`,
    );
    lines.push(
      `- Fetch: \`npm pack ${r.package}\`, extracted. Install: \`${r.install.command}\` with the devDependencies ${r.install.devDependenciesInstalled.map((d) => `\`${d}\``).join(', ')} (${r.install.packages} packages in node_modules, ${fmtS(r.install.ms)}); left out: ${r.install.devDependenciesLeftOut.length ? r.install.devDependenciesLeftOut.map((d) => `\`${d}\``).join(', ') : 'none'}.`,
    );
    lines.push(
      `- Test command: ${r.commands.map((c) => `\`${mdEscape(c)}\``).join(', then ')}; with the manager the same with \`${r.managerCommandEnv}\`. ${r.commandsNote}.`,
    );
    const row = (name, s, extra = '') =>
      `| ${name} | ${s.passed} | ${Array.isArray(s.failed) ? s.failed.length : s.failed} | ${s.skipped} | ${s.runs} | ${s.msPerRun.map(fmtS).join(', ')} | ${s.exitCodes.map((c) => c.join('/')).join(', ')} |${extra}`;
    lines.push('');
    lines.push('| run | passed | failed | skip/todo | runs | wall time per run | exit codes |');
    lines.push('|---|---|---|---|---|---|---|');
    lines.push(row('before (shipped sources)', r.before));
    lines.push(row('after (rewritten)', r.after));
    lines.push(row('after + CompiledContextManager', r.afterWithManager));
    if (r.topLevelPassedBefore > 0 && r.topLevelPassedBefore !== r.before.passed)
      lines.push('', `Top-level entries (test files / commands) passing before: ${r.topLevelPassedBefore}.`);
    if (r.before.failed.length) {
      lines.push('');
      lines.push(`Failing before the transform (excluded from the comparison):`);
      for (const f of r.before.failed) lines.push(`- ${mdEscape(f.id)}${f.reason ? ` — ${f.reason}` : ''}`);
    }
    for (const [name, s] of [
      ['before', r.before],
      ['after', r.after],
      ['after + manager', r.afterWithManager],
    ]) {
      const flaky = s.firstRunFailed.filter((id) => !r.before.failed.some((f) => f.id === id) && !(s.lost ?? []).includes(id));
      if (flaky.length)
        lines.push(
          '',
          `Failed in the first run ${name}, passed when run again (timing): ${flaky.map((id) => `${mdEscape(id)}`).join('; ')}.`,
        );
    }
    for (const [name, s] of [
      ['after', r.after],
      ['after + manager', r.afterWithManager],
    ]) {
      if (s.unexpected.length) {
        lines.push('', `**Passed before, not ${name}** (in all ${s.runs} runs):`);
        for (const { id, why } of s.unexpected) lines.push(`- ${mdEscape(id)}${why ? ` — ${why}` : ''}`);
      }
      const e = s.expectedDifferences;
      if (e?.points.length) {
        lines.push(
          '',
          `Expected differences ${name} (${e.points.length} of the ${e.declared} points declared in scripts/realworld.mjs; each failed with \`${e.frame}\` in its failure output, ` +
            `and found what it wanted once the lines naming \`${e.frame}\` are taken out):`,
        );
        for (const id of e.points) lines.push(`- ${mdEscape(id)}`);
        lines.push('', e.reason);
      }
      if (e?.passed.length) lines.push('', `Declared as expected differences ${name}, but passed: ${e.passed.map(mdEscape).join('; ')}.`);
      if (s.lost.length && s.runtimeInOutput.length) {
        lines.push('', `The output of the runs ${name} shows the transformer's runtime (${s.runtimeInOutput.length} distinct lines):`);
        for (const l of s.runtimeInOutput) lines.push(`- \`${l}\``);
      }
    }
    if (r.probe) {
      lines.push(
        '',
        'Context probe: application code (compiled with transform()) schedules four jobs a, b, c, d through the library, each inside its own `context.with()`; ' +
          'each cell lists the context value each job saw at that read (`-`: none). The reference is what AsyncLocalStorage carries on Node through the shipped sources; ' +
          `rewritten + CompiledContextManager against it: ${r.probe.matchesAsyncLocalStorage ? '**identical**' : '**different**'}.`,
      );
      lines.push(
        '',
        '| read | shipped + CompiledContextManager | rewritten + CompiledContextManager | shipped + AsyncLocalStorageContextManager |',
        '|---|---|---|---|',
      );
      for (const at of Object.keys(r.probe.after)) {
        lines.push(
          `| ${at} | ${(r.probe.before[at] ?? []).join(' ')} | ${r.probe.after[at].join(' ')} | ${(r.probe.asyncLocalStorage[at] ?? []).join(' ')} |`,
        );
      }
    }
  }
  lines.push('');
  lines.push(`Total wall time: ${fmtS(meta.ms)}. Details: bench/realworld.json; every run's output: bench/.out/realworld/<package>/*.log.`);
  return lines.join('\n');
}

function writeBenchmarks(section) {
  const file = join(root, 'BENCHMARKS.md');
  const block = `<!-- realworld:start -->\n${section}\n<!-- realworld:end -->`;
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const re = /<!-- realworld:start -->[\s\S]*<!-- realworld:end -->/;
  const next = re.test(previous) ? previous.replace(re, () => block) : `${previous.replace(/\s*$/, '')}${previous ? '\n\n' : ''}${block}\n`;
  writeFileSync(file, next);
}

// ---------------------------------------------------------------------------

const started = performance.now();
if (!existsSync(join(root, 'dist', 'cjs', 'runtime', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run realworld does)');
  process.exit(2);
}
mkdirSync(outRoot, { recursive: true });
const only = flags.only?.split(',').map((s) => s.trim());
const chosen = only ? SUBJECTS.filter((s) => only.includes(s.name)) : SUBJECTS;
if (only && chosen.length !== only.length) {
  console.error(`unknown subject in --only; subjects: ${SUBJECTS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const results = [];
for (const subject of chosen) results.push(await runSubject(subject));
const meta = {
  date: new Date().toISOString().slice(0, 10),
  node: process.versions.node,
  cpus: (await import('node:os')).availableParallelism(),
  ms: performance.now() - started,
};
const ok = results.every((r) => r.ok);
log(
  `\n${results
    .map(
      (r) =>
        `${r.ok ? 'ok  ' : 'FAIL'} ${r.package}: ${r.before.passed} passed before, ${r.after.passed} after, ${r.afterWithManager.passed} after + manager` +
        `${expectedOf(r) ? ` (${expectedOf(r)} expected differences: the \`${r.afterWithManager.expectedDifferences.frame}\` frame)` : ''}`,
    )
    .join('\n')}`,
);
const expectedTotal = results.reduce((n, r) => n + expectedOf(r), 0);
log(
  `realworld: ${ok ? 'every test that passed before passes after' : 'REGRESSIONS (see above)'}` +
    `${expectedTotal ? `; with the manager, ${expectedTotal} expected differences as declared` : ''} (${fmtS(meta.ms)})`,
);
if (!only) {
  writeFileSync(join(root, 'bench', 'realworld.json'), JSON.stringify({ ...meta, ok, results }, null, 2) + '\n');
  writeBenchmarks(markdown(results, meta));
  log('wrote bench/realworld.json and the realworld section of BENCHMARKS.md');
} else {
  log('--only: bench/realworld.json and BENCHMARKS.md not written');
}
process.exitCode = ok ? 0 : 1;
