// Spawns real worker threads and child processes from inside a span, written as anyone writes it (no
// helper in sight): compiled through every backend by test/spawn-backends.test.ts, the transform is what
// makes them carry the context. Run by run-compiled.mjs, which sets the SDK up (otel.mjs) and prints.
import { exec, execFile, execFileSync, execSync, fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as childProcess from 'node:child_process';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { context, propagation, trace } from '@opentelemetry/api';

export interface Paths {
  worker: string;
  child: string;
  script: string;
  otel: string;
}

function askWorker(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.postMessage('report');
  });
}

function collect(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

const shellVars = (text: string | Buffer) =>
  Object.fromEntries(
    String(text)
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );

export const scenario = {
  async run(paths: Paths) {
    // Loaded lazily, as ES modules often load worker_threads: the binding's origin is the awaited import().
    const { Worker: LazyWorker } = await import('node:worker_threads');
    const tracer = trace.getTracer('spawning');
    const pending: Record<string, unknown> = {};
    const userObjects: Record<string, any> = {};
    const withBaggage = propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: 'u-42' } }));
    context.with(withBaggage, () =>
      tracer.startActiveSpan('parent', (span) => {
        // worker_threads: options of every kind, and none.
        userObjects.thread = { workerData: { job: 7, list: [1, 2] }, argv: ['--flag', 'x'], env: { USER_VAR: 'from-user' } };
        pending.thread = askWorker(new Worker(paths.worker, userObjects.thread));
        process.env.SHARED_MARK = 'shared-env';
        pending.threadSharedEnv = askWorker(new Worker(paths.worker, { env: SHARE_ENV }));
        pending.threadNoOptions = askWorker(new Worker(paths.worker));
        // Arguments spread: only the run time sees where the options are (workerArgs).
        const spread: [string, { workerData: number }] = [paths.worker, { workerData: 3 }];
        pending.threadSpread = askWorker(new Worker(...spread));
        pending.threadLazy = askWorker(new LazyWorker(paths.worker));
        const alsEnv = { ...process.env, OTEL_TEST_MANAGER: 'als' };
        pending.threadAls = askWorker(new Worker(paths.worker, { env: alsEnv, execArgv: ['--import', paths.otel] }));

        // child_process: every function, options written, left out, or known only at run time.
        pending.spawn = collect(spawn(process.execPath, [paths.child], { stdio: ['ignore', 'pipe', 'inherit'] }));
        userObjects.fork = { env: { ...process.env, USER_VAR: 'fork-user' }, silent: true };
        pending.fork = collect(fork(paths.child, userObjects.fork));
        const forkArgs: string[] = [];
        const alsOptions = { env: alsEnv, execArgv: ['--import', paths.otel], silent: true };
        pending.forkAls = collect(childProcess.fork(paths.child, forkArgs, alsOptions));
        pending.exec = new Promise((resolve, reject) =>
          exec(`sh ${paths.script}`, (error, stdout) => (error ? reject(error) : resolve(shellVars(stdout)))),
        );
        pending.execFile = new Promise((resolve, reject) => {
          const done = (error: Error | null, stdout: string) => (error ? reject(error) : resolve(shellVars(stdout)));
          execFile('sh', [paths.script], done);
        });
        userObjects.execFileSync = { env: { ...process.env, USER_VAR: 'sync-user' }, encoding: 'utf8' };
        pending.execFileSync = execFileSync(process.execPath, [paths.child], userObjects.execFileSync);
        pending.spawnSync = shellVars(spawnSync('sh', [paths.script], { encoding: 'utf8' }).stdout);
        const stale = '00-11111111111111111111111111111111-2222222222222222-01';
        userObjects.execSync = { env: { ...process.env, TRACEPARENT: stale, USER_VAR: 'kept' } };
        pending.execSync = shellVars(execSync(`sh ${paths.script}`, userObjects.execSync));
        span.end();
      }),
    );
    const results: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(pending)) {
      const v = await value;
      results[name] = typeof v === 'string' && v.startsWith('{') ? JSON.parse(v) : v;
    }
    return { results, userObjects };
  },
};
