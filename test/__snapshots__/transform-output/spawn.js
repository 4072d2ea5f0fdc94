import * as __otelCtx from "otel-context-transformer/runtime";
import { exec, execFile, execFileSync, execSync, fork, spawn, spawnSync } from 'node:child_process';
import * as cp from 'child_process';
import childProcess from 'child_process';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { execFile as run } from 'node:child_process';
const { Worker: W } = require('worker_threads');
export function processes(cmd, argv, options, cb, rest) {
    spawn(cmd, __otelCtx.spawnOptions());
    spawn(...__otelCtx.spawnArgs([cmd, argv], true, false));
    spawn(cmd, ['-l'], __otelCtx.spawnOptions({ stdio: 'inherit' }));
    spawn(...__otelCtx.spawnArgs([cmd, argv, options], true, false));
    spawnSync(cmd, __otelCtx.spawnOptions({ encoding: 'utf8' }));
    fork(cmd, undefined, __otelCtx.spawnOptions({ silent: true }));
    exec(cmd, __otelCtx.spawnOptions(), () => cb());
    exec(...__otelCtx.spawnArgs([cmd, cb], false, true));
    exec(cmd, __otelCtx.spawnOptions({ env: {} }), cb);
    execFile(cmd, ['-v'], __otelCtx.spawnOptions({ env: {} }), () => cb());
    execFile(...__otelCtx.spawnArgs([cmd, argv, cb], true, true));
    execFileSync(cmd, [], __otelCtx.spawnOptions(options));
    execSync(cmd, __otelCtx.spawnOptions());
    cp.spawn(...__otelCtx.spawnArgs([...rest], true, false));
    childProcess.exec(cmd, __otelCtx.spawnOptions(undefined), cb);
    require('node:child_process').fork(...__otelCtx.spawnArgs([cmd, argv], true, false));
    run(cmd, __otelCtx.spawnOptions());
}
export function threads(file, options) {
    new Worker(file, __otelCtx.workerOptions());
    new Worker(file, __otelCtx.workerOptions({ workerData: 1, env: SHARE_ENV }));
    new Worker(file, __otelCtx.workerOptions(options));
    return new W(file, __otelCtx.workerOptions());
}
export function browserWorkers(name) {
    new globalThis.Worker(new URL('./w.js', import.meta.url), { name: __otelCtx.webWorkerName() });
    new globalThis.Worker(new URL('./w.js', import.meta.url), { type: 'module', name: __otelCtx.webWorkerName() });
    new globalThis.Worker(new URL('./w.js', import.meta.url), { name: __otelCtx.webWorkerName(name), type: 'module' });
    new globalThis.Worker(new URL('./w.js', import.meta.url), { 'name': __otelCtx.webWorkerName('a'), type: 'module' });
    new globalThis.Worker(new URL('./w.js', import.meta.url), __otelCtx.webWorkerOptions({ ...{ type: 'module' } }));
    // Workers we may not compile: left alone.
    new globalThis.Worker('/w.js');
    new globalThis.Worker(new URL(name, import.meta.url));
}
export function notSpawns(spawn, Worker) {
    spawn('ls');
    new Worker('w.js');
    /x/.exec('x');
}
