/**
 * React Native on a real Hermes VM (see backends.ts for the interface): the scenarios compiled the way
 * the README's React Native babel.config.js compiles them (our plugin first, then
 * @react-native/babel-preset, every module through the preset like Metro), linked into one classic
 * script with the real OpenTelemetry SDK and our CompiledContextManager (hermes-bundle.mjs), and run
 * in the `hermes` binary of hermes-engine-cli 0.12.0 (hermes-runner.js prints runner.mjs's results).
 *
 * Hermes 0.12 has no Symbol.asyncIterator and no global queueMicrotask, like the Hermes many shipped
 * apps still run. It runs with -Xmicrotask-queue because React Native runs Hermes with its microtask
 * queue on (HermesInternal.useEngineQueue() is true in an app; React Native's setUpTimers.js then makes
 * queueMicrotask HermesInternal.enqueueJob and setImmediate a microtask). Without the flag the CLI's
 * Promise jobs wait behind every timer, which no React Native app sees. ES6 Promise and Proxy are on
 * by default, as in React Native. react-native-shims.js lists what else React Native provides.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './backends.js';
import { TMP_DIR, type ScenarioResult } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The CLI binary for this machine from the npm package (Linux, macOS, Windows builds ship in it). */
export function hermesBinary(): string {
  const dir = dirname(require.resolve('hermes-engine-cli/package.json'));
  const sub = { linux: 'linux64-bin/hermes', darwin: 'osx-bin/hermes', win32: 'win64-bin/hermes.exe' }[process.platform as string];
  const binary = sub === undefined ? undefined : join(dir, sub);
  if (binary === undefined || !existsSync(binary)) throw new Error(`hermes-engine-cli has no hermes binary for ${process.platform}`);
  return binary;
}

/** The flags React Native's Hermes configuration corresponds to (see above); -w: no compiler warnings on stderr. */
export const HERMES_FLAGS = ['-Xmicrotask-queue', '-w'];

/** Runs a bundle; a run that does not end (60 s), or ends without finishing the list, throws. */
export function runOnHermes(bundle: string): Map<string, ScenarioResult> {
  let stdout: string;
  try {
    stdout = execFileSync(hermesBinary(), [...HERMES_FLAGS, bundle], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  } catch (e) {
    const error = e as { message: string; stdout?: string; stderr?: string };
    throw new Error(`hermes failed on ${bundle}: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  }
  const lines = stdout.split('\n');
  if (!lines.includes('@@DONE')) throw new Error(`hermes did not finish the scenario list:\n${stdout.slice(-4000)}`);
  const results = new Map<string, ScenarioResult>();
  for (const line of lines) {
    if (!line.startsWith('@@RESULT ')) continue;
    const result = JSON.parse(line.slice('@@RESULT '.length)) as ScenarioResult;
    results.set(result.name, result);
  }
  return results;
}

/** Bundles the scenario list into <outDir>/bundle.js (one bundle per list: one Hermes process per run). */
export function bundleForHermes(files: string[], outDir: string, transform: boolean, options: object = {}): string {
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'bundle.js');
  const spec = {
    // Named like backends.ts's stem() (not imported: this module is also used on its own, and backends.ts imports it).
    scenarios: files.map((file) => [basename(file).replace(/\.tsx?$/, ''), file]),
    transform,
    options,
    outFile,
    cacheDir: join(TMP_DIR, 'hermes-babel-cache'),
  };
  execFileSync(process.execPath, [join(here, 'hermes-bundle.mjs'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 120_000 });
  return outFile;
}

export const HERMES_BACKENDS: Backend[] = [
  {
    name: 'react-native-hermes-0.12',
    format: 'cjs',
    platform: 'hermes',
    compile: (files, outDir, transform, options = {}) => [bundleForHermes(files, outDir, transform, options)],
    run: ([bundle]) => runOnHermes(bundle!),
  },
];
