// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * `otel-context-transformer/runtime/messages` under Node (the "node" export
 * condition): everything runtime/node.ts exports, the message helpers of
 * messages.ts, and what Node adds to them:
 *
 * - worker_threads: `new Worker(...)` marks the worker_threads environment data
 *   (next to carrier-node's carrier: 4 bytes of shared memory holding the new
 *   worker's threadId, so that a worker we did not compile cannot hand the mark
 *   on to one it spawns) and gates the Worker object: an own `emit`
 *   that swallows READY and takes envelopes off before any `message` listener.
 *   The worker, finding the mark, gates `parentPort` where Node dispatches its
 *   messages (the port's hybrid dispatch, reached through Node's registered
 *   symbol: an own property of that one port, so `.on('message')` listeners
 *   still get the data and `addEventListener` ones a MessageEvent), and says READY.
 *   A Node without that symbol gets no gate, says nothing, and is never sent an envelope.
 * - pools (Piscina, Tinypool): a pool constructed with a `filename` runs its
 *   tasks through pool-task.ts, handed `{ [ENVELOPE]: fields, data, filename,
 *   name }`: it loads the task's module as the pool would and calls its handler
 *   with `data` inside the carried context. The user's module and handler see
 *   the task as submitted; only the pool's own transport carries the envelope.
 */
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { context } from '@opentelemetry/api';
import { activeFields, type Fields } from './carrier.js';
import { workerOptions } from './carrier-node.js';
import {
  carriedContext,
  carryTo,
  constructors,
  ENVELOPE,
  isEnvelope,
  MESSAGES_FIELD,
  ownMethod,
  poolWorkerGates,
  READY,
  taskFields,
} from './messages.js';

export * from './node.js';
export { carriedPoolWorker, carryingPool, declaredChannel, messageConstruct, postGlobalMessage, postMessage } from './messages.js';

const g = globalThis as Record<string | symbol, any>;
const threads = g.process?.getBuiltinModule?.('node:worker_threads');
/** Where Node's MessagePort hands a message to its listeners (lib/internal/per_context/messageport.js). */
const HYBRID_DISPATCH = Symbol.for('nodejs.internal.kHybridDispatch');
const GATED = Symbol.for(MESSAGES_FIELD);

// --- worker_threads -----------------------------------------------------------

constructors.push((target, args) => {
  if (!threads || !(target === threads.Worker || target.prototype instanceof threads.Worker)) return undefined;
  const options = workerOptions(args[1]); // the spawn carrier (carrier-node.ts)
  // The mark: shared memory into which this worker's threadId is written once it has one. Environment
  // data is inherited, so a worker we did not compile hands the mark on; only the worker it names takes it.
  const mark = new Int32Array(new SharedArrayBuffer(4));
  threads.setEnvironmentData(MESSAGES_FIELD, mark.buffer);
  let worker: any;
  try {
    worker = Reflect.construct(target, [args[0], options, ...args.slice(2)]);
  } finally {
    threads.setEnvironmentData(MESSAGES_FIELD, undefined);
  }
  Atomics.store(mark, 0, worker.threadId);
  Atomics.notify(mark, 0);
  const emit = worker.emit;
  ownMethod(worker, 'emit', function (this: any, type: unknown, ...rest: unknown[]) {
    const data = rest[0];
    if (type !== 'message' || !isEnvelope(data)) return emit.apply(this, [type, ...rest]);
    const fields = data[ENVELOPE];
    if (fields === READY) return (void carryTo(worker), this.listenerCount('message') > 0);
    return context.with(carriedContext(fields), () => emit.apply(this, [type, data.data, ...rest.slice(1)]));
  });
  return { value: worker };
});

const shared = threads && !threads.isMainThread ? threads.getEnvironmentData(MESSAGES_FIELD) : undefined;
if (shared instanceof SharedArrayBuffer && shared.byteLength === 4) {
  threads.setEnvironmentData(MESSAGES_FIELD, undefined); // workers this one spawns get marks of their own, or none
  const mark = new Int32Array(shared);
  // The spawner writes the id right after its constructor returns, while this thread starts: wait for it (µs).
  if (Atomics.load(mark, 0) === 0) Atomics.wait(mark, 0, 0, 5000);
  const port = threads.parentPort;
  const envelope = (data: unknown) =>
    isEnvelope(data) && data[ENVELOPE] !== READY ? { fields: data[ENVELOPE] as Fields, data: data.data } : undefined;
  if (Atomics.load(mark, 0) === threads.threadId && port && !port[GATED] && gatePort(port, GATED, envelope)) {
    carryTo(port);
    port.postMessage({ [ENVELOPE]: READY });
  }
}

/**
 * Gates `port` where Node hands a message to its listeners (its hybrid dispatch, reached through Node's
 * registered symbol: an own property of that one port): a message `read` recognises reaches the listeners
 * as the data it returns, inside the context its fields carry; any other as it came. Once per `mark`;
 * false where Node has no such symbol (nothing is gated then).
 */
function gatePort(port: any, mark: symbol, read: (data: unknown) => { fields: Fields; data: unknown } | undefined): boolean {
  const dispatch = port[HYBRID_DISPATCH];
  if (typeof dispatch !== 'function') return false;
  if (port[mark]) return true;
  ownMethod(port, mark, true);
  ownMethod(port, HYBRID_DISPATCH, function (this: unknown, data: unknown, type: unknown, event: unknown) {
    const carried = type === 'message' ? read(data) : undefined;
    if (!carried) return dispatch.call(this, data, type, event);
    return context.with(carriedContext(carried.fields), () => dispatch.call(this, carried.data, type, event));
  });
  return true;
}

// --- workerpool ---------------------------------------------------------------

// A workerpool worker thread: `parentPort` is gated where Node dispatches its messages (as above), so the
// task's method, which workerpool calls from its `message` listener, runs in the context its params carry.
// (A workerpool child process talks JSON, which drops the params' extra property: nothing is carried.)
const POOL_GATED = Symbol.for(`${MESSAGES_FIELD}.pool`);
poolWorkerGates.push(() => {
  const port = threads && !threads.isMainThread ? threads.parentPort : undefined;
  return (
    !!port &&
    gatePort(port, POOL_GATED, (data) => {
      const fields = taskFields(data);
      return fields && { fields, data };
    })
  );
});

// --- pools --------------------------------------------------------------------

/** Pools whose tasks are carried (catalog: MESSAGE_CONSTRUCTORS): both take `run(task, { filename, name, transferList })`. */
const POOLS = ['Piscina', 'Tinypool'];
declare const __filename: string | undefined;
/** pool-task.js of the ES module build (a pool imports it). */
const POOL_TASK =
  typeof __filename === 'string'
    ? new URL('../../esm/runtime/pool-task.js', pathToFileURL(__filename)).href
    : new URL('./pool-task.js', import.meta.url).href;
/** Piscina.move(value): what piscina itself unwraps at the top of a task (symbols it registers). */
const MOVABLE_VALUE = Symbol.for('Piscina.valueOf');
const MOVABLE_TRANSFER = Symbol.for('Piscina.transferable');

function taskURL(filename: unknown): unknown {
  if (typeof filename !== 'string') return filename;
  return filename.startsWith('file:') ? filename : pathToFileURL(path.resolve(filename)).href;
}

constructors.push((target, args) => {
  if (!POOLS.includes(target.name) || typeof target.prototype?.run !== 'function') return undefined;
  const options = args[0] as { filename?: unknown } | undefined;
  if (typeof options !== 'object' || options === null || options.filename == null) return undefined;
  const filename = options.filename;
  const pool = Reflect.construct(target, [{ ...options, filename: POOL_TASK }, ...args.slice(1)]);
  const run = pool.run;
  ownMethod(pool, 'run', function (this: unknown, task: any, runOptions?: any) {
    const given = runOptions ?? {};
    let data = task;
    let transferList = given.transferList;
    if (task != null && typeof task === 'object' && MOVABLE_VALUE in task && MOVABLE_TRANSFER in task) {
      data = task[MOVABLE_VALUE];
      transferList = [...(transferList ?? []), task[MOVABLE_TRANSFER]];
    }
    const envelope = {
      [ENVELOPE]: activeFields() ?? {},
      data,
      filename: taskURL(given.filename ?? filename),
      name: given.name ?? 'default',
    };
    const carryingOptions = { ...given, filename: POOL_TASK, name: 'default' };
    if (transferList !== undefined) carryingOptions.transferList = transferList;
    return run.call(this, envelope, carryingOptions);
  });
  return { value: pool };
});
