import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// Awaits in loop tests, updates and heads, labels with break/continue, brace-less ifs.
export const scenario: Scenario = {
  expect: { loops: null, 'in-while': 'loops', 'in-for': 'loops', 'in-for-of': 'loops', 'after-labels': 'loops', 'in-do-while': 'loops' },
  run: async (log) => {
    const tick = (v: number) => new Promise<number>((r) => setTimeout(() => r(v), 0));
    await tracer.startActiveSpan('loops', async (span) => {
      let n = 0;
      while ((await tick(n)) < 2) n++;
      tracer.startSpan('in-while').end();
      for (let i = await tick(0); i < (await tick(2)); i += await tick(1)) log(['for', i]);
      tracer.startSpan('in-for').end();
      for (const x of await tick(3).then((v) => [v, v + 1])) log(['for-of', x, await tick(x)]);
      tracer.startSpan('in-for-of').end();
      outer: for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          if (j === 1) continue outer;
          if (i === 2) break outer;
          if (i === 1) await tick(j);
          log(['labels', i, j]);
        }
      }
      tracer.startSpan('after-labels').end();
      let k = 0;
      do k += await tick(1);
      while (k < 3);
      if (k) await tick(k);
      tracer.startSpan('in-do-while').end();
      span.end();
    });
  },
};
