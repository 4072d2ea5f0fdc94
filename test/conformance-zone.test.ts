/**
 * The conformance scenarios with zone.js loaded in the runner process before everything else (its global
 * Promise replaces the native one; see harness/zone-runner.mjs), under CompiledContextManager. With the
 * transform each trace is as expected and nothing leaks; with and without it the programs log identical
 * events in the same order: the runtime recognises the engine's own promises whatever the global Promise
 * is, so an awaited native promise is not mistaken for a thenable (that added two ticks per await).
 * Two backends: native await (ES2022) and async downlevelled to generators (ES2015, TypeScript's
 * __awaiter, which takes the global Promise: what zone.js users compile to).
 */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, it } from 'vitest';
import { BACKENDS } from './harness/backends.js';
import { expectConformant } from './harness/expect-scenario.js';
import { runCompiled, scenarioFiles, TMP_DIR, type ScenarioResult } from './harness/run.js';
import type { Scenario } from './harness/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const files = scenarioFiles();
const scenarios = await Promise.all(
  files.map(async (file) => ({ name: basename(file, '.ts'), file, scenario: (await import(file)).scenario as Scenario })),
);

function runUnderZone(compiled: string[]): Map<string, ScenarioResult> {
  return runCompiled(compiled, 'compiled', join(here, 'harness/zone-runner.mjs'));
}

for (const backendName of ['tsc5-esm', 'tsc5-es2015-cjs']) {
  const backend = BACKENDS.find((b) => b.name === backendName)!;
  describe(`with zone.js loaded: backend ${backendName}`, () => {
    const runnable = scenarios.filter((s) => !(s.scenario.esmOnly && backend.format === 'cjs'));
    let transformed: Map<string, ScenarioResult>;
    let plain: Map<string, ScenarioResult>;
    beforeAll(() => {
      // One build per set of options (Scenario.options), as in conformance.test.ts.
      const groups = new Map<string, string[]>();
      for (const s of runnable) {
        const key = JSON.stringify(s.scenario.options ?? {});
        groups.set(key, [...(groups.get(key) ?? []), s.file]);
      }
      transformed = new Map();
      plain = new Map();
      for (const [key, list] of groups) {
        const options = JSON.parse(key) as Record<string, unknown>;
        const group = key === '{}' ? '' : `-${Object.values(options).join('-')}`;
        const out = (kind: string) => join(TMP_DIR, 'zone', backendName, kind + group);
        for (const [n, r] of runUnderZone(backend.compile(list, out('transformed'), true, options))) transformed.set(n, r);
        for (const [n, r] of runUnderZone(backend.compile(list, out('plain'), false, options))) plain.set(n, r);
      }
    });
    for (const { name, scenario } of runnable) {
      it(name, () => {
        expectConformant(name, scenario, transformed.get(name), plain.get(name));
      });
    }
  });
}
