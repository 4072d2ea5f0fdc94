import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// requestAnimationFrame, requestIdleCallback and scheduler.postTask (browser APIs; the runner provides them as uncompiled code).
declare const scheduler: { postTask<T>(cb: () => T): Promise<T> };
export const scenario: Scenario = {
  expect: { render: null, frame: 'render', idle: 'render', 'posted-task': 'render' },
  run: async (log) => {
    await tracer.startActiveSpan('render', async (span) => {
      const frame = new Promise<void>((resolve) =>
        requestAnimationFrame((t) => {
          log(['frame', typeof t]);
          tracer.startSpan('frame').end();
          resolve();
        }),
      );
      const idle = new Promise<void>((resolve) =>
        requestIdleCallback(() => {
          tracer.startSpan('idle').end();
          resolve();
        }),
      );
      const posted = scheduler.postTask(() => {
        tracer.startSpan('posted-task').end();
        return 7;
      });
      log(['posted', await posted]);
      await Promise.all([frame, idle]);
      span.end();
    });
  },
};
