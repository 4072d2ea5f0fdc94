// A Node child process using our runtime: spans at top level and after a top-level await; prints them.
import { tracer, spans, baggage, managerName } from './otel.mjs';

tracer.startSpan('child top level').end();
await new Promise((resolve) => setTimeout(resolve, 1));
tracer.startSpan('child after top-level await').end();
const env = process.env;
process.stdout.write(
  JSON.stringify({
    manager: managerName,
    spans: spans(),
    baggage: baggage(),
    env: { TRACEPARENT: env.TRACEPARENT, TRACESTATE: env.TRACESTATE, BAGGAGE: env.BAGGAGE, USER_VAR: env.USER_VAR },
    traceparentVariables: Object.keys(env).filter((k) => k.toUpperCase() === 'TRACEPARENT').length,
  }),
);
