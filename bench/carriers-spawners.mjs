// Spawning as anyone writes it: bench/carriers.mjs compiles this file with transform() (the rewrite of
// issue 9 puts the carrier helpers in) and times it against the same file left as it is.
import { exec, spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const stdio = ['ignore', 'pipe', 'inherit'];

/** Each starts one peer; what it returns is what the bench waits on (a Worker or a ChildProcess). */
export const spawners = {
  thread: (peer) => new Worker(peer, {}),
  process: (peer) => spawn(process.execPath, [peer], { stdio }),
  shell: () => spawn('sh', ['-c', 'printf %s "$TRACEPARENT"'], { stdio }),
  // A call whose shape is known only at run time: `exec(command, callback)` goes through spawnArgs.
  shellExec: (_peer, done) => exec('printf %s "$TRACEPARENT"', done),
};
