import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// this, arguments and return values pass through bound callbacks unchanged; timer handles keep working.
export const scenario: Scenario = {
  notOn: { hermes: "React Native's timers return numbers, not Node's Timeout objects (unref, hasRef, refresh)" },
  expect: { owner: null, 'then-callback': 'owner' },
  run: async (log) => {
    await tracer.startActiveSpan('owner', async (span) => {
      const handle = setTimeout(() => log('never'), 10_000);
      log(['handle', typeof handle.unref, handle.hasRef(), handle.unref() === handle, handle.hasRef(), handle.refresh() === handle]);
      clearTimeout(handle);
      const value = await new Promise((resolve) =>
        setTimeout(
          function (this: unknown, ...args: unknown[]) {
            resolve([typeof this, args]);
          },
          1,
          'one',
          2,
        ),
      );
      log(['timer args', value]);
      const returned = await Promise.resolve(3).then(function (this: unknown, v: number) {
        tracer.startSpan('then-callback').end();
        return [this === undefined, arguments.length, v];
      });
      log(['then', returned]);
      span.end();
    });
  },
};
