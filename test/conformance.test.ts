/**
 * The conformance suite: every scenario under test/scenarios, through every
 * backend, compiled with and without the transform, run on the real OTel SDK.
 *
 * With the transform, each trace tree is exactly as expected, nothing leaks
 * into uncompiled code, and nothing throws. Without it, the same program loses
 * the context (so the transform is what fixes it). Both runs log identical
 * events: values, errors and order are unchanged by the transform.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './harness/backends.js';
import { expectConformant } from './harness/expect-scenario.js';
import { compileAndRun, runCompiled, scenarioFiles, TMP_DIR, traceProblems, type ScenarioResult } from './harness/run.js';
import type { Scenario } from './harness/scenario.js';

const files = scenarioFiles();
const scenarios = await Promise.all(
  files.map(async (file) => ({ name: basename(file, '.ts'), file, scenario: (await import(file)).scenario as Scenario })),
);

for (const backend of BACKENDS) {
  describe(`backend ${backend.name}`, () => {
    const runnable = scenarios.filter((s) => !(s.scenario.esmOnly && backend.format === 'cjs'));
    let transformed: Map<string, ScenarioResult>;
    let plain: Map<string, ScenarioResult>;
    beforeAll(() => {
      // One build per set of options (Scenario.options); most scenarios have none.
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
        for (const [name, result] of compileAndRun(backend, list, true, options, group)) transformed.set(name, result);
        for (const [name, result] of compileAndRun(backend, list, false, options, group)) plain.set(name, result);
      }
    });

    for (const { name, scenario } of runnable) {
      const notHere = backend.platform && scenario.notOn?.[backend.platform];
      if (notHere) {
        // Declared in the scenario: it still runs there, and must fail the same way with and without the transform.
        it(`${name} cannot exist on ${backend.platform}: ${notHere}`, () => {
          const failure = (result: ScenarioResult | undefined) => result?.error?.split('\n')[0];
          expect(failure(plain.get(name)), 'the scenario runs there: drop its notOn entry').toBeDefined();
          expect(failure(transformed.get(name))).toBe(failure(plain.get(name)));
        });
        continue;
      }
      it(name, () => {
        const withTransform = transformed.get(name);
        const without = plain.get(name);
        expectConformant(name, scenario, withTransform, without);
        if (scenario.breaksWithout !== false) {
          expect(traceProblems(without!.spans, scenario.expect), 'the untransformed program should lose the context').not.toEqual([]);
        } else {
          expect(traceProblems(without!.spans, scenario.expect)).toEqual([]);
        }
      });
    }
  });
}

// Under a manager that already carries async context (AsyncLocalStorage), compiled code must keep
// working and the helpers must stay out of the way: same trees, no leaks, same events.
describe('compiled code under AsyncLocalStorageContextManager', () => {
  const backend = BACKENDS[0]!;
  const list = scenarios.filter(
    // Scenarios compiled with options of their own (listeners: "registration") need a CompiledContextManager:
    // under ALS the listener helpers step aside like the others.
    (s) =>
      !s.scenario.generatorSemantics &&
      !s.scenario.attachSemantics &&
      !s.scenario.finalizerSemantics &&
      !s.scenario.esmOnly &&
      !s.scenario.options,
  );
  let results: Map<string, ScenarioResult>;
  beforeAll(() => {
    results = runCompiled(
      backend.compile(
        list.map((s) => s.file),
        join(TMP_DIR, 'als'),
        true,
      ),
      'als',
    );
  });
  for (const { name, scenario } of list) {
    it(name, () => {
      const result = results.get(name)!;
      expect(result.error).toBeUndefined();
      expect(traceProblems(result.spans, scenario.expect)).toEqual([]);
      expect(result.leaks).toEqual([]);
    });
  }
});

// Keeps the list honest: a scenario file without an export would otherwise be skipped silently.
it('every scenario file exports a scenario', () => {
  for (const { file, scenario } of scenarios) {
    expect(scenario, file).toBeDefined();
    expect(readFileSync(file, 'utf8')).toContain('export const scenario');
  }
});
