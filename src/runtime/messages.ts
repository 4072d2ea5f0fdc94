// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * Messages, opt-in (`messages: true`, issue 9): a `postMessage` between a
 * dedicated worker and the code that spawned it carries the sender's context
 * to the receiver's `message` listeners, when both ends were compiled with the
 * option. Compiled code with the option imports its helpers from
 * otel-context-transformer/runtime/messages, so nothing here ships otherwise.
 *
 * The protocol. The sender cannot know from the source whether the receiver
 * was compiled, and a receiver we did not compile must never see an altered
 * message, so nothing is carried until the receiving end has said it takes
 * envelopes, and it can only say so to an end that is known to consume what it
 * says:
 *   1. `new Worker(...)` compiled with the option (messageConstruct) marks the
 *      spawn carrier with MESSAGES_FIELD, naming the one worker the mark is for
 *      (in a browser Worker's `name`: its URL; in worker_threads environment
 *      data: its threadId), and gates the new Worker object: its own first
 *      look at every `message`, before any listener.
 *   2. A worker whose runtime (this module) finds that mark gates its own end
 *      (the worker global; `parentPort`) and posts READY to its spawner. The
 *      spawner's gate swallows READY; no listener ever sees it. A worker we did
 *      not compile never finds the mark and never says anything.
 *   3. From then on `postMessage` (the rewritten call, helper postMessage) sends
 *      `{ [ENVELOPE]: fields, data }` to that end when the propagator writes
 *      fields; the receiving gate takes the envelope off and hands the listeners
 *      `data` inside the carried context. The worker sends envelopes to its
 *      spawner from the start (step 1 said the spawner is gated); the spawner
 *      from the first message after READY, which is the first message the
 *      worker ever sends.
 * Other ends:
 *   - a SharedWorker is marked by name with no context in it (its name is its
 *     identity): the compiled shared worker gates and carries to every port
 *     that connects by that name, and says READY on it;
 *   - a same-origin window whose runtime gated it says so on its own global
 *     (WINDOW_GATED), which no other document can read;
 *   - a BroadcastChannel carries when the build declares its name compiled at
 *     every end (declaredChannel: the `broadcastChannels` option);
 *   - workerpool needs no handshake (carryingPool).
 * Any other target (a MessagePort, an undeclared BroadcastChannel, a
 * cross-origin window, a worker we did not spawn so) gets its message exactly
 * as written: see README "Messages (opt-in)" for why those are left out.
 */
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { activeFields, carried, type Fields } from './carrier.js';

/** The spawn carrier's mark: the spawning end gates its Worker object and takes envelopes. */
export const MESSAGES_FIELD = 'otel-context-transformer.messages.v1';
/** The key of an envelope (its value: the propagation fields) and of READY (its value: READY). */
export const ENVELOPE = 'otel-context-transformer.message.v1';
export const READY = 'ready';

type Envelope = { [ENVELOPE]: Fields | typeof READY; data?: unknown };

// The ends this realm posts envelopes to: a gated end that said READY, or this worker's gated spawner.
// (No `??=` on a computed key here: TypeScript would declare a temporary above the ignore-file marker.)
const CARRYING = Symbol.for(ENVELOPE);
const carrying: WeakSet<object> =
  (globalThis as Record<symbol, any>)[CARRYING] || ((globalThis as Record<symbol, any>)[CARRYING] = new WeakSet());
/** Node adds its own ways to construct a worker (carrier-node's environment data) and pools: see messages-node.ts. */
export const constructors: Array<(target: Function, args: unknown[]) => { value: object } | undefined> = [];
/** Ways to gate the end a workerpool worker's tasks arrive at: Node's `parentPort` (messages-node.ts); else a browser worker's global. */
export const poolWorkerGates: Array<() => boolean> = [];

const g = globalThis as Record<string | symbol, any>;

export function isEnvelope(data: unknown): data is Envelope {
  return typeof data === 'object' && data !== null && Object.prototype.hasOwnProperty.call(data, ENVELOPE);
}

/** The context an envelope carries, extracted through the propagator registered now. */
export function carriedContext(fields: Fields): Context {
  try {
    return propagation.extract(ROOT_CONTEXT, fields);
  } catch {
    return ROOT_CONTEXT;
  }
}

/** Marks `end` as one that takes envelopes (it said READY, or it is this worker's gated spawner). */
export function carryTo(end: object): void {
  carrying.add(end);
}

/**
 * `target.postMessage(...args)` as compiled code with the option calls it:
 * to an end that takes envelopes, with the active context's fields around the
 * message (the transfer list or options as given: transferables travel inside
 * the envelope); to any other, exactly as written.
 */
export function postMessage(target: any, ...args: unknown[]): unknown {
  if (args.length === 0 || target == null || !(carrying.has(target) || isGatedWindow(target))) return target.postMessage(...args);
  const fields = activeFields();
  if (fields) args[0] = { [ENVELOPE]: fields, data: args[0] } satisfies Envelope;
  return target.postMessage(...args);
}

/** A bare `postMessage(...args)`: a worker posting to its spawner through its global. */
export function postGlobalMessage(...args: unknown[]): unknown {
  return postMessage(g, ...args);
}

/**
 * `new C(...args)` for a constructor named like one that opens a channel
 * (catalog: MESSAGE_CONSTRUCTORS): a browser Worker is spawned carrying the
 * mark and gated, Node's worker_threads Worker and the pools see
 * messages-node.ts; any other constructor is called exactly as `new` would.
 */
export function messageConstruct(target: Function, ...args: unknown[]): object {
  for (const construct of constructors) {
    const made = construct(target, args);
    if (made) return made.value;
  }
  return Reflect.construct(target, args);
}

// --- workerpool (catalog: MESSAGE_CALLS) ----------------------------------------------

export function ownMethod(object: object, key: string | symbol, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * workerpool's `pool(...args)`: the pool's own `exec` sends each task's params array with the active
 * context's fields under ENVELOPE, an enumerable non-index property (structured cloning keeps it;
 * workerpool's worker calls `method.apply(method, params)`, which never passes it on). `proxy()`'s
 * methods call `exec` too; `exec(fn, params)` comes back through it as `exec("run", [String(fn), params])`.
 */
export function carryingPool(pool: Function, ...args: unknown[]): unknown {
  const made = pool(...args);
  const exec = made?.exec;
  if (typeof exec !== 'function') return made;
  ownMethod(made, 'exec', function (this: unknown, method: unknown, params?: unknown, ...rest: unknown[]) {
    const fields = typeof method === 'function' || !(params == null || Array.isArray(params)) ? undefined : activeFields();
    if (!fields) return exec.call(this, method, params, ...rest);
    const carrying = params == null ? [] : [...(params as unknown[])];
    Object.defineProperty(carrying, ENVELOPE, { value: fields, enumerable: true, writable: true, configurable: true });
    return exec.call(this, method, carrying, ...rest);
  });
  return made;
}

/** The fields a workerpool request carries: `{ id, method, params }` whose params array has them. */
export function taskFields(data: unknown): Fields | undefined {
  const params = typeof data === 'object' && data !== null ? (data as { params?: unknown }).params : undefined;
  const fields = Array.isArray(params) ? (params as unknown as Record<string, unknown>)[ENVELOPE] : undefined;
  return typeof fields === 'object' && fields !== null ? (fields as Fields) : undefined;
}

/** workerpool's `worker(...args)` in a worker: its end is gated first, so each task's method runs in the task's context. */
export function carriedPoolWorker(worker: Function, ...args: unknown[]): unknown {
  if (!poolWorkerGates.some((gate) => gate())) gateBrowserPoolWorker();
  return worker(...args);
}

// --- the browser ------------------------------------------------------------------

/**
 * A browser Worker's options with the spawn carrier and the mark in its `name` (carrier.ts reads it
 * there). The mark is the worker's URL, resolved as the constructor resolves it: a worker we did not
 * compile that hands its own name on to a worker of another script does not hand the mark on with it.
 */
function markedWorkerOptions(url: unknown, options: unknown, shared?: boolean): unknown {
  // SharedWorker also takes its name as a string in place of the options.
  const named = shared && typeof options === 'string';
  if (!(named || options == null || (typeof options === 'object' && !Array.isArray(options)))) return options;
  let mark: string;
  try {
    mark = new URL(String(url), g.location?.href).href;
  } catch {
    return options; // the constructor throws its own SyntaxError
  }
  const name = named ? options : (options as { name?: unknown } | null)?.name;
  // A shared worker's name is part of its identity: its mark carries no context, so every compiled page
  // (and no other) reaches the same shared worker by the same URL and name.
  const fields = { ...(shared ? undefined : activeFields()), [MESSAGES_FIELD]: mark };
  const value = `${name === undefined ? '' : name}\u2063otel-carrier\u2063${JSON.stringify(fields)}`;
  if (named) return value;
  const copy = options == null ? {} : Object.assign(Object.create(Object.getPrototypeOf(options)), options);
  return Object.defineProperty(copy, 'name', { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The gate on a browser end (a Worker object, a worker's global): a capturing
 * listener, which the DOM runs at the target before every other listener
 * whenever it was added. READY is swallowed; an envelope is stopped and its
 * `data` dispatched again, synchronously, as a new MessageEvent (same origin,
 * lastEventId, source, ports) inside the carried context.
 */
function gateBrowserEnd(end: EventTarget): void {
  end.addEventListener(
    'message',
    (event) => {
      const data = (event as MessageEvent).data;
      if (!isEnvelope(data)) return;
      event.stopImmediatePropagation();
      const fields = data[ENVELOPE];
      if (fields === READY) return carryTo(end);
      dispatchCarried(end, copyWithData(event as MessageEvent, data.data), fields);
    },
    true,
  );
}

/** `event` as a new MessageEvent holding `data` (same origin, lastEventId, source, ports). */
function copyWithData(event: MessageEvent, data: unknown): MessageEvent {
  const { origin, lastEventId, source, ports } = event;
  return new MessageEvent('message', { data, origin, lastEventId, source, ports: [...ports] });
}

/** Dispatches `event` at `end` synchronously, inside the context `fields` carry. */
function dispatchCarried(end: EventTarget, event: Event, fields: Fields): void {
  context.with(carriedContext(fields), () => end.dispatchEvent(event));
}

// A workerpool worker in a browser: a task request whose params carry fields is stopped and dispatched
// again, unchanged, inside its context (workerpool listens with the global `addEventListener`).
// (Called only by carriedPoolWorker, so bundles that never call it drop it.)
function gateBrowserPoolWorker(): void {
  const gated = Symbol.for(`${MESSAGES_FIELD}.pool`);
  if (!g.WorkerGlobalScope || typeof g.addEventListener !== 'function' || g[gated]) return;
  ownMethod(g, gated, true);
  const redispatched = new WeakSet<Event>();
  g.addEventListener(
    'message',
    (event: MessageEvent) => {
      const fields = redispatched.has(event) ? undefined : taskFields(event.data);
      if (!fields) return;
      event.stopImmediatePropagation();
      // The same data again (workerpool reads the request as sent): this gate lets the copy through.
      const again = copyWithData(event, event.data);
      redispatched.add(again);
      dispatchCarried(g as unknown as EventTarget, again, fields);
    },
    true,
  );
}

constructors.push((target, args) => {
  if (typeof g.Worker !== 'function' || target !== g.Worker || !g.EventTarget) return undefined;
  const worker = Reflect.construct(target, [args[0], markedWorkerOptions(args[0], args[1]), ...args.slice(2)]);
  gateBrowserEnd(worker);
  return { value: worker };
});

// A SharedWorker: marked by name (no context: see markedWorkerOptions) and its port gated. The shared
// worker, finding the mark, knows every page that reaches it by that name is compiled: it gates each
// connection's port, carries to it from the start and says READY on it, after which this page carries too.
constructors.push((target, args) => {
  if (typeof g.SharedWorker !== 'function' || target !== g.SharedWorker) return undefined;
  const worker = Reflect.construct(target, [args[0], markedWorkerOptions(args[0], args[1], true), ...args.slice(2)]);
  gateBrowserEnd(worker.port);
  return { value: worker };
});

// --- BroadcastChannel (the `broadcastChannels` option) ---------------------------------

/**
 * `new BroadcastChannel(name)` in a build with the `broadcastChannels` option: a channel whose name was
 * declared compiled at every end is gated (its listeners get your data inside the carried context) and
 * carries from the start: nothing but that declaration can tell it who else listens. Any other channel,
 * and any other constructor of that name, is constructed exactly as `new` would.
 */
export function declaredChannel(names: readonly string[], target: Function, ...args: unknown[]): object {
  const channel = Reflect.construct(target, args);
  if (target === g.BroadcastChannel && names.includes(channel.name)) {
    gateBrowserEnd(channel);
    carryTo(channel);
  }
  return channel;
}

// --- windows ----------------------------------------------------------------------

/**
 * A window whose own runtime (this module, loaded by code compiled with the option) gated it: its
 * global holds WINDOW_GATED. Only a same-origin window can be asked (and the registry of `Symbol.for`
 * is shared by the windows of one agent); a cross-origin one throws SecurityError, and any other
 * window, frame or opener never set the mark, so it gets the message exactly as written.
 */
const WINDOW_GATED = Symbol.for(`${MESSAGES_FIELD}.window`);
function isGatedWindow(target: any): boolean {
  // Only a document holds windows (workers and Node never read a target's `window`).
  if (!g.document) return false;
  try {
    return target.window === target && target[WINDOW_GATED] === true;
  } catch {
    return false;
  }
}

if (g.window === g && g.document && typeof g.addEventListener === 'function' && !g[WINDOW_GATED]) {
  Object.defineProperty(g, WINDOW_GATED, { value: true });
  gateBrowserEnd(g as unknown as EventTarget);
}

// A shared worker that compiled pages reach by a marked name: gate each connection's port before any
// `connect` listener sees it (a capturing listener on the global), carry to it and say READY on it.
const GATED = Symbol.for(MESSAGES_FIELD);
if (g.SharedWorkerGlobalScope && carried.carrier?.[MESSAGES_FIELD] === g.location?.href && !g[GATED]) {
  Object.defineProperty(g, GATED, { value: true });
  g.addEventListener(
    'connect',
    (event: MessageEvent) => {
      const port = event.ports[0];
      if (!port) return;
      gateBrowserEnd(port);
      carryTo(port);
      port.postMessage({ [ENVELOPE]: READY } satisfies Envelope);
    },
    true,
  );
}

// A dedicated worker spawned by compiled code with the option: gate this end and say READY.
if (g.WorkerGlobalScope && typeof g.postMessage === 'function' && carried.carrier?.[MESSAGES_FIELD] === g.location?.href && !g[GATED]) {
  // One gate however many copies of the runtime load (a symbol-keyed, non-enumerable mark).
  Object.defineProperty(g, GATED, { value: true });
  gateBrowserEnd(g as unknown as EventTarget);
  carryTo(g);
  g.postMessage({ [ENVELOPE]: READY } satisfies Envelope);
}
