// The spawning side, written as the transform will emit it: every worker and process is spawned through
// the runtime's carrier helpers. Run as `node parent.mjs broken` the helpers are identity functions:
// the same code with the calls left out, which is what the untransformed build runs.
// Prints one JSON object: the parent's spans and what each worker and child reported.
import { execFile, execFileSync, exec, execSync, fork, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { context, propagation } from '@opentelemetry/api';
import * as __otelCtx from '../../dist/esm/runtime/node.js';
import { spans, tracer } from './otel.mjs';

const broken = process.argv[2] === 'broken';
const H = broken ? { workerOptions: (o) => o, spawnOptions: (o) => o, spawnArgs: (a) => a } : __otelCtx;
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const WORKER = here('./worker.mjs');
const CHILD = here('./child.mjs');
const SCRIPT = here('./print-carrier.sh');
const OTEL = here('./otel.mjs');

function askWorker(worker) {
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m);
      worker.terminate();
    });
    worker.once('error', reject);
    worker.postMessage('report');
  });
}
function collect(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}
const callback = () => {
  let done;
  const promise = new Promise((resolve, reject) => (done = (error, stdout) => (error ? reject(error) : resolve(stdout))));
  return { done, promise };
};
const shellVars = (text) =>
  Object.fromEntries(
    String(text)
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );

const pending = {};
const userObjects = {};
const withBaggage = propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: 'u-42' } }));
context.with(withBaggage, () =>
  tracer.startActiveSpan('parent', (span) => {
    // worker_threads: user options of every kind stay as written.
    userObjects.thread = { workerData: { job: 7, list: [1, 2] }, argv: ['--flag', 'x'], env: { USER_VAR: 'from-user' } };
    pending.thread = askWorker(new Worker(WORKER, H.workerOptions(userObjects.thread)));
    process.env.SHARED_MARK = 'shared-env';
    pending.threadSharedEnv = askWorker(new Worker(WORKER, H.workerOptions({ env: SHARE_ENV })));
    pending.threadNoOptions = askWorker(new Worker(WORKER, H.workerOptions(undefined)));
    pending.threadAls = askWorker(
      new Worker(WORKER, H.workerOptions({ env: { ...process.env, OTEL_TEST_MANAGER: 'als' }, execArgv: ['--import', OTEL] })),
    );

    // child processes, every function, options known when compiling (spawnOptions) or not (spawnArgs).
    pending.spawn = collect(spawn(process.execPath, [CHILD], H.spawnOptions({ stdio: ['ignore', 'pipe', 'inherit'] })));
    userObjects.fork = { env: { ...process.env, USER_VAR: 'fork-user' }, silent: true };
    pending.fork = collect(fork(CHILD, H.spawnOptions(userObjects.fork)));
    const alsOptions = { env: { ...process.env, OTEL_TEST_MANAGER: 'als' }, execArgv: ['--import', OTEL], silent: true };
    pending.forkAls = collect(fork(CHILD, [], H.spawnOptions(alsOptions)));
    const execDone = callback();
    exec(...H.spawnArgs([`sh ${SCRIPT}`, execDone.done], false, true));
    pending.exec = execDone.promise.then(shellVars);
    const execFileDone = callback();
    execFile(...H.spawnArgs(['sh', [SCRIPT], execFileDone.done], true, true));
    pending.execFile = execFileDone.promise.then(shellVars);
    userObjects.execFileSync = { env: { ...process.env, USER_VAR: 'sync-user' }, encoding: 'utf8' };
    pending.execFileSync = execFileSync(process.execPath, [CHILD], H.spawnOptions(userObjects.execFileSync));
    pending.spawnSync = shellVars(spawnSync(...H.spawnArgs(['sh', [SCRIPT], { encoding: 'utf8' }], true, false)).stdout);
    // A stale carrier in the user's env is replaced, not added to.
    const stale = '00-11111111111111111111111111111111-2222222222222222-01';
    userObjects.execSync = { env: { ...process.env, TRACEPARENT: stale, USER_VAR: 'kept' } };
    pending.execSync = shellVars(execSync(`sh ${SCRIPT}`, H.spawnOptions(userObjects.execSync)));
    span.end();
  }),
);
// A worker spawned later by code we did not compile (no helper) does not inherit the last carrier.
await Promise.resolve();
pending.laterUncompiledThread = askWorker(new Worker(WORKER));
// Outside any span: nothing is carried.
pending.rootSpawn = collect(spawn(process.execPath, [CHILD], H.spawnOptions({ stdio: ['ignore', 'pipe', 'inherit'] })));
pending.rootThread = askWorker(new Worker(WORKER, H.workerOptions({})));
const rootOptions = { encoding: 'utf8' };
const rootOptionsOut = H.spawnOptions(rootOptions);

const results = {};
for (const [name, value] of Object.entries(pending)) {
  const v = await value;
  results[name] = typeof v === 'string' && v.startsWith('{') ? JSON.parse(v) : v;
}
process.stdout.write(
  JSON.stringify({
    spans: spans(),
    results,
    userObjects,
    rootOptionsUnchanged: rootOptions === rootOptionsOut,
    parentEnvTraceparent: process.env.TRACEPARENT ?? null,
  }),
);
