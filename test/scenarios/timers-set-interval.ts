import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');

// Every tick of an interval runs in the context of the setInterval call; clearInterval still works.
export const scenario: Scenario = {
  expect: { poller: null, 'tick-1': 'poller', 'tick-2': 'poller', 'tick-3': 'poller' },
  run: (log) =>
    new Promise<void>((done) => {
      tracer.startActiveSpan('poller', (span) => {
        let ticks = 0;
        const handle = setInterval(() => {
          ticks++;
          log(['tick', ticks]);
          tracer.startSpan(`tick-${ticks}`).end();
          if (ticks === 3) {
            clearInterval(handle);
            span.end();
            setTimeout(done, 5);
          }
        }, 1);
      });
    }),
};
