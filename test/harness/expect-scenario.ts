/** The assertions every conformance group makes on one scenario's two runs (with and without the transform). */
import { expect } from 'vitest';
import { traceProblems, type ScenarioResult } from './run.js';
import type { Scenario } from './scenario.js';

/**
 * With the transform: no error, the trace tree exactly as expected, nothing leaked into uncompiled code.
 * Both runs: no error and identical events (values, errors, order).
 */
export function expectConformant(
  name: string,
  scenario: Scenario,
  withTransform: ScenarioResult | undefined,
  without: ScenarioResult | undefined,
): void {
  expect(withTransform, `no result for ${name}`).toBeDefined();
  expect(without, `no plain result for ${name}`).toBeDefined();
  expect(withTransform!.error).toBeUndefined();
  expect(without!.error).toBeUndefined();
  expect(traceProblems(withTransform!.spans, scenario.expect)).toEqual([]);
  expect(withTransform!.leaks).toEqual([]);
  expect(withTransform!.events).toEqual(without!.events);
}
