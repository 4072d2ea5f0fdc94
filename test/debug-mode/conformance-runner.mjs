// The conformance runner (test/harness/runner.mjs) with a diag logger at DEBUG that takes every message
// and keeps none, so that debug builds of the scenarios run every path of the logging helpers.
import { diag, DiagLogLevel } from '@opentelemetry/api';

const discard = () => {};
diag.setLogger({ error: discard, warn: discard, info: discard, debug: discard, verbose: discard }, DiagLogLevel.DEBUG);
await import('../harness/runner.mjs');
