// Preloaded (`node --require`, through NODE_OPTIONS) into every process of the
// third run of `npm run realworld`: registers CompiledContextManager with
// @opentelemetry/api, so the helpers the transform wrote into the library's
// sources really carry a context while its tests run. The library's rewritten
// code takes the same runtime (otel-context-transformer/runtime resolves,
// through a link in its node_modules, to this repository's dist/cjs/runtime).
//
// OTEL_REALWORLD_MANAGER=async-hooks registers AsyncLocalStorageContextManager
// instead: the reference the context probe compares with.
'use strict';
const { context } = require('@opentelemetry/api');

let manager;
if (process.env.OTEL_REALWORLD_MANAGER === 'async-hooks') {
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  manager = new AsyncLocalStorageContextManager();
} else {
  const { CompiledContextManager } = require('../dist/cjs/runtime/index.js');
  manager = new CompiledContextManager();
}
if (!context.setGlobalContextManager(manager.enable())) {
  throw new Error('realworld-preload: a global context manager was already registered');
}
