import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const gc = (globalThis as { gc?: () => void }).gc;

// A FinalizationRegistry's cleanup callback runs in the context the registry was created in (the proposal:
// the callback is wrapped in a snapshot at construction), not in the root context of the job that
// collects garbage. Two registries made in two spans, each cleaning up after a dropped object.
function registryIn(name: string, done: (held: string) => void): FinalizationRegistry<string> {
  return tracer.startActiveSpan(name, (span) => {
    const registry = new FinalizationRegistry((held: string) => {
      tracer.startSpan(`cleanup ${held}`).end();
      done(held);
    });
    span.end();
    return registry;
  });
}

export const scenario: Scenario = {
  finalizerSemantics: true,
  expect: { 'owner-a': null, 'owner-b': null, 'cleanup a': 'owner-a', 'cleanup b': 'owner-b' },
  notOn: { hermes: 'Hermes 0.12 has no FinalizationRegistry' },
  run: async (log) => {
    if (!gc) throw new Error('the runner must expose gc (node --expose-gc)');
    const cleaned = new Set<string>();
    const registries = [registryIn('owner-a', (h) => cleaned.add(h)), registryIn('owner-b', (h) => cleaned.add(h))];
    // Registered from a function so that nothing here keeps the objects alive.
    (() => {
      registries[0]!.register({}, 'a');
      registries[1]!.register({}, 'b');
    })();
    // Bounded: collection and the cleanup job come within a few turns once gc() has run.
    for (let turn = 0; turn < 100 && cleaned.size < 2; turn++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    log([...cleaned].sort());
  },
};
