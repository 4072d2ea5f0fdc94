/**
 * The boundary catalog: every async boundary the transform rewrites, as data.
 * Every backend reads this table; none keeps its own list.
 */

/** Groups a user can switch off with the `skip` option. */
export const CATEGORIES = [
  'timers',
  'microtasks',
  'frames',
  'promises',
  'await',
  'generators',
  'finalizers',
  'threads',
  'processes',
  'declared',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A global function that schedules a callback to run later, in a later job. */
export interface SchedulerBoundary {
  /** Global name, e.g. `setTimeout`. */
  name: string;
  /** Set when the function is a method of a global object, e.g. `process` for `process.nextTick`. */
  object?: string;
  /** Positions of the callback arguments. */
  callbacks: readonly number[];
  /**
   * Position of the first argument the scheduler passes on to the callback
   * (`setTimeout(cb, ms, ...args)`); absent when it passes none of the
   * caller's. What schedulers pass of their own (a timestamp, an IdleDeadline)
   * is never a thenable.
   */
  forwardsFrom?: number;
  category: Category;
}

export const SCHEDULERS: readonly SchedulerBoundary[] = [
  { name: 'setTimeout', callbacks: [0], forwardsFrom: 2, category: 'timers' },
  { name: 'setInterval', callbacks: [0], forwardsFrom: 2, category: 'timers' },
  { name: 'setImmediate', callbacks: [0], forwardsFrom: 1, category: 'timers' },
  { name: 'queueMicrotask', callbacks: [0], category: 'microtasks' },
  { name: 'nextTick', object: 'process', callbacks: [0], forwardsFrom: 1, category: 'microtasks' },
  { name: 'requestAnimationFrame', callbacks: [0], category: 'frames' },
  { name: 'requestIdleCallback', callbacks: [0], category: 'frames' },
  { name: 'postTask', object: 'scheduler', callbacks: [0], category: 'frames' },
];

/**
 * Whether a scheduler call hands its callback no value of the caller's: no
 * argument at or after `forwardsFrom`, and no spread that could put one there.
 * A promise executor's resolve or reject scheduled like that
 * (`new Promise((r) => setTimeout(r, ms))`) settles with `undefined`, reads no
 * context (the promise's reactions were bound when they were registered), and
 * needs no binding. The planner finds such references (planner.ts,
 * settleReferences): a parameter of an executor that is only ever called or
 * passed on.
 */
export function passesNoValues(boundary: SchedulerBoundary, argumentCount: number, hasSpread: boolean): boolean {
  return !hasSpread && (boundary.forwardsFrom === undefined || argumentCount <= boundary.forwardsFrom);
}

/**
 * A global constructor that keeps a callback and calls it later from a job of
 * its own: the callback runs in the context of the construction (the proposal's
 * FinalizationRegistry cleanup callback), bound like a scheduler's.
 */
export interface ConstructorBoundary {
  name: string;
  callbacks: readonly number[];
  category: Category;
}

export const CONSTRUCTORS: readonly ConstructorBoundary[] = [{ name: 'FinalizationRegistry', callbacks: [0], category: 'finalizers' }];

export function findConstructor(name: string): ConstructorBoundary | undefined {
  return CONSTRUCTORS.find((b) => b.name === name);
}

/**
 * A call that resolves a promise with a value: when the value is a thenable
 * (not a native promise), its `then` is called in a later job
 * (NewPromiseResolveThenableJob), which must run in the context of the call.
 * The value goes through the runtime `tail` helper, which adopts such a
 * thenable in the current context (a promise, or a value without a `then`,
 * passes through as it is).
 */
export interface AdoptionBoundary {
  /** The method's name, e.g. `resolve` of `Promise.resolve`. */
  name: string;
  /** The global object it is a method of. */
  object: string;
  /** Positions of the values it resolves with. */
  values: readonly number[];
  category: Category;
}

export const ADOPTERS: readonly AdoptionBoundary[] = [{ name: 'resolve', object: 'Promise', values: [0], category: 'promises' }];

/**
 * A promise executor's own resolve (`new Promise((resolve) => resolve(x))`):
 * the parameter at `parameter`, called with the value at `values`. The planner
 * finds its calls (planner.ts, executorReferences).
 */
export const EXECUTOR_RESOLVE = { parameter: 0, values: [0] as readonly number[], category: 'promises' as Category };

export function findAdopter(name: string, object: string): AdoptionBoundary | undefined {
  return ADOPTERS.find((b) => b.name === name && b.object === object);
}

/** Names under which the global object itself is reachable: `globalThis.setTimeout(...)`. */
export const GLOBAL_OBJECTS: readonly string[] = ['globalThis', 'window', 'self', 'global'];

/** Promise reaction methods and the positions of their callbacks. */
export const PROMISE_METHODS: Readonly<Record<string, readonly number[]>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, readonly number[]>, {
    then: [0, 1],
    catch: [0],
    finally: [0],
  }),
);

/** Callback positions when `name` is a promise reaction method (own entries only: never `toString`, `constructor`). */
export function promiseMethod(name: string): readonly number[] | undefined {
  return Object.prototype.hasOwnProperty.call(PROMISE_METHODS, name) ? PROMISE_METHODS[name] : undefined;
}

/**
 * Operators that never call into their operands (no valueOf/toString, no
 * getters): an expression of names and literals joined by these runs no code
 * that could read the context. Used to find awaits after which nothing of the
 * function runs (a `return` of such an expression may follow).
 */
export const INERT_OPERATORS: ReadonlySet<string> = new Set(['!', 'typeof', 'void', '===', '!==', '&&', '||', '??']);
/** Operators that coerce objects but not primitives: inert when the type checker says every operand is a primitive. */
export const INERT_ON_PRIMITIVES: ReadonlySet<string> = new Set([
  '+',
  '-',
  '~',
  '*',
  '/',
  '%',
  '**',
  '<',
  '>',
  '<=',
  '>=',
  '==',
  '!=',
  '&',
  '|',
  '^',
  '<<',
  '>>',
  '>>>',
]);

/**
 * Names of the runtime helpers compiled code calls (see src/runtime/slot.ts for
 * what each does) and of the two identifiers the transform introduces. The
 * namespace name doubles as the "already transformed" marker.
 */
export const HELPERS = {
  namespace: '__otelCtx',
  frameVar: '__otelFrame',
  bind: 'bind',
  bindAlways: 'bindAlways',
  frame: 'frame',
  genFrame: 'genFrame',
  rootFrame: 'rootFrame',
  suspend: 'suspend',
  tail: 'tail',
  leave: 'leave',
  resume: 'resume',
  reenter: 'reenter',
  exit: 'exit',
  forAwait: 'forAwait',
} as const;

/**
 * OpenTelemetry API 1.10's `context.attach(ctx)`: what it sets holds until its token is disposed,
 * within the calling function only, so an async function that calls it gets a frame (planner).
 */
export const CONTEXT_ATTACH = 'attach';

export const DEFAULT_RUNTIME_MODULE = 'otel-context-transformer/runtime';

// --- debug mode (issue 10, item 6) ---------------------------------------------------------------
/**
 * What code built with `debug: true` imports its helpers from (unless `runtimeModule` names another
 * module): the same helpers, which also log each crossing (src/runtime/debug-helpers.ts).
 */
export const DEBUG_RUNTIME_MODULE = 'otel-context-transformer/runtime/debug';

/**
 * In a debug build, where a helper call takes its site (`"src/a.ts:12:5"`, 1-based line and column of
 * the original source) as an extra, last argument: `bind(cb, site)`, `resume(f, value, site)` after an
 * await or yield, `frame(site)` / `genFrame(site)` (the function's body; what re-entries after a
 * rejected await and `for await` turns report). The default runtime ignores it.
 */
export const SITE_HELPERS: ReadonlySet<string> = new Set(['bind', 'resume', 'frame', 'genFrame']);
// --- end debug mode -------------------------------------------------------------------------------

/** Where the otel-context-transformer/global prelude puts the helpers, for `helpers: "global"`. */
export const GLOBAL_HELPERS_KEY = 'otel-context-transformer.helpers.v1';

/**
 * What compiled code with `helpers: "global"` starts with: the prelude's helpers, or, when the
 * prelude has not run, an object that looks them up at first use (a prelude loaded later still
 * works) and otherwise says what is missing instead of a TypeError on `undefined`. `typed`: the
 * text is inserted into a .ts file that a type checker may see after us.
 */
export function globalHelpersLookup(typed: boolean): string {
  const helpers = `${typed ? '(globalThis as any)' : 'globalThis'}[Symbol.for(${JSON.stringify(GLOBAL_HELPERS_KEY)})]`;
  const missing =
    'otel-context-transformer: this script was compiled with helpers: "global", and the helpers prelude has not run: ' +
    'load otel-context-transformer/dist/global.iife.js (or import "otel-context-transformer/global") before it';
  const parameters = typed ? '_: object, name: string' : '_, name';
  return `${helpers} || new Proxy({}, { get: function (${parameters}) { var h = ${helpers}; if (!h) throw new Error(${JSON.stringify(missing)}); return h[name]; } })`;
}

/** Comment markers (see README "Skipping code"). */
export const IGNORE_MARKER = 'otel-context-ignore';
export const IGNORE_FILE_MARKER = 'otel-context-ignore-file';

// ---------------------------------------------------------------------------
// Threads and processes (issue 9): the runtime helpers (src/runtime/carrier*.ts, web-spawn.ts) and where
// the planner puts them (planner.ts, planSpawn).

/** Runtime helpers that carry the spawning context to a new worker or process (see carrier-node.ts, web-spawn.ts). */
export const CARRIER_HELPERS = {
  /** `node:worker_threads` Worker options → the same options; the carrier goes to environment data. */
  workerOptions: 'workerOptions',
  /** Browser Worker options → a copy whose `name` carries the fields. */
  webWorkerOptions: 'webWorkerOptions',
  /** Browser Worker: the `name` of an options object literal → that name with the fields after it (bundlers still read the literal). */
  webWorkerName: 'webWorkerName',
  /** child_process options → a copy with the carrier variables in `env`. */
  spawnOptions: 'spawnOptions',
  /** child_process arguments of unknown shape → the same arguments with carrying options placed as Node reads them. */
  spawnArgs: 'spawnArgs',
  /** `node:worker_threads` `new Worker(...args)` → the same arguments with the options through workerOptions. */
  workerArgs: 'workerArgs',
} as const;
export type CarrierHelper = keyof typeof CARRIER_HELPERS;

/** Where a thread or process is spawned, and how its options reach the helper. */
export interface SpawnBoundary {
  /** Modules it is imported from; absent for a global (browser `Worker`). */
  modules?: readonly string[];
  /** Export (or global) name. */
  name: string;
  /** Called with `new`. */
  construct: boolean;
  /** Position of the options argument in the call shape where every optional argument is given. */
  options: number;
  /** child_process: an optional argv array may come before the options (spawnArgs' `withArgv`). */
  argv?: boolean;
  /** child_process: an optional callback may come after the options (spawnArgs' `withCallback`). */
  callback?: boolean;
  /** The helper wrapped around the options: `new Worker(file, __otelCtx.workerOptions(options))`. */
  helper: 'workerOptions' | 'webWorkerOptions' | 'spawnOptions';
  /**
   * Only a worker this build compiles carries: its first argument is
   * `new URL('<literal>', import.meta.url)`, a module bundlers (Vite, webpack,
   * Parcel, Rollup, esbuild with a plugin) build with the page, through our plugin too. A worker
   * we did not compile would see the carrier in its `name`.
   */
  sameBuildOnly?: boolean;
  /**
   * The runtime exports the helper under Node only (the "node" condition of
   * otel-context-transformer/runtime; not in the `helpers: "global"` prelude).
   */
  nodeOnly: boolean;
  category: Category;
}

const CHILD_PROCESS = ['child_process', 'node:child_process'] as const;
const WORKER_THREADS = ['worker_threads', 'node:worker_threads'] as const;
const CHILD = { modules: CHILD_PROCESS, construct: false, helper: 'spawnOptions', nodeOnly: true, category: 'processes' } as const;

export const SPAWN_BOUNDARIES: readonly SpawnBoundary[] = [
  { modules: WORKER_THREADS, name: 'Worker', construct: true, options: 1, helper: 'workerOptions', nodeOnly: true, category: 'threads' },
  // Browser Worker, classic or module. Not SharedWorker: its URL and name are its identity, so a carrier in
  // its name would start a separate shared worker per spawning context instead of connecting to the one running.
  {
    name: 'Worker',
    construct: true,
    options: 1,
    helper: 'webWorkerOptions',
    sameBuildOnly: true,
    nodeOnly: false,
    category: 'threads',
  },
  { ...CHILD, name: 'spawn', options: 2, argv: true },
  { ...CHILD, name: 'spawnSync', options: 2, argv: true },
  { ...CHILD, name: 'fork', options: 2, argv: true },
  { ...CHILD, name: 'execFile', options: 2, argv: true, callback: true },
  { ...CHILD, name: 'execFileSync', options: 2, argv: true },
  { ...CHILD, name: 'exec', options: 1, callback: true },
  { ...CHILD, name: 'execSync', options: 1 },
];

/** The names spawning calls are written with (boundary words). */
const SPAWN_NAMES = SPAWN_BOUNDARIES.map((b) => b.name);
const SPAWN_NAME_SET: ReadonlySet<string> = new Set(SPAWN_NAMES);

/** Whether a callee spelt `name` (`spawn`, `cp.spawn`, `new Worker`) may be a spawn boundary: the cheap test before its origin. */
export function isSpawnName(name: string): boolean {
  return SPAWN_NAME_SET.has(name);
}

/**
 * The spawn boundary a callee is, by where it comes from (origins.ts): an
 * export of the module, or, for a Node built-in, of its `default` (CommonJS
 * interop: `import cp from 'child_process'; cp.spawn`), or a global.
 */
export function findSpawnBoundary(origin: { module?: string; path: readonly string[] }, construct: boolean): SpawnBoundary | undefined {
  const { module, path } = origin;
  const name = path.length === 1 ? path[0] : path.length === 2 && path[0] === 'default' && module !== undefined ? path[1] : undefined;
  if (name === undefined) return undefined;
  return SPAWN_BOUNDARIES.find(
    (b) =>
      b.name === name &&
      b.construct === construct &&
      (b.modules === undefined
        ? module === undefined && path.length === 1
        : module !== undefined && b.modules.some((m) => m === module || m === `node:${module}` || module === `node:${m}`)),
  );
}

// Messages (issue 9, opt-in: the `messages` option). The planner's planMessage applies these; the
// runtime is src/runtime/messages.ts (+ messages-node.ts), an entry of its own that compiled code
// imports only with the option (MESSAGES_RUNTIME_MODULE), so pages without it carry none of it.

/** The helpers message rewrites call (runtime/messages.ts). */
export const MESSAGE_HELPERS = {
  /** `target.postMessage(...args)` → `postMessage(target, ...args)`: carried to an end that takes envelopes. */
  postMessage: 'postMessage',
  /** A bare global `postMessage(...args)` (a worker's own) → `postGlobalMessage(...args)`. */
  postGlobalMessage: 'postGlobalMessage',
  /** `new C(...args)` → `messageConstruct(C, ...args)`: the runtime gates the channel when C is one it knows. */
  messageConstruct: 'messageConstruct',
  /** `new BroadcastChannel(name)` with the `broadcastChannels` option → `declaredChannel([names], BroadcastChannel, name)`. */
  declaredChannel: 'declaredChannel',
  /** workerpool's `pool(...args)` → `carryingPool(pool, ...args)`: its `exec` carries the context with each task. */
  carryingPool: 'carryingPool',
  /** workerpool's `worker(...args)` (in the worker) → `carriedPoolWorker(worker, ...args)`: tasks run in theirs. */
  carriedPoolWorker: 'carriedPoolWorker',
} as const;

/** The method whose message is carried (on a Worker object, a worker's global, `parentPort`). */
export const MESSAGE_POST_METHOD = 'postMessage';

/**
 * Constructors whose instances are gated ends (by name, however they were imported: the runtime
 * looks at the constructor itself and calls any other exactly as `new` would): the browser's
 * `Worker` and `SharedWorker`, worker_threads' `Worker`, and the pools `Piscina` and `Tinypool`.
 */
export const MESSAGE_CONSTRUCTORS: readonly string[] = ['Worker', 'SharedWorker', 'Piscina', 'Tinypool'];

/**
 * Functions that open a carried channel, named by origin like a declared boundary (parseCallPath):
 * `f(...args)` → `helper(f, ...args)`, `this` not passed (none of them reads it). workerpool: a task's
 * params array travels with the propagation fields as one extra enumerable, non-index property, which
 * structured cloning keeps and workerpool's `method.apply(method, params)` never passes on, so a worker
 * we did not compile calls the method with the arguments as submitted; a compiled one (its `worker()`
 * call rewritten) runs the task in the carried context. No handshake is needed, so none is made.
 */
export const MESSAGE_CALLS: readonly { module: string; call: string; helper: (typeof MESSAGE_HELPERS)[keyof typeof MESSAGE_HELPERS] }[] = [
  { module: 'workerpool', call: 'pool', helper: MESSAGE_HELPERS.carryingPool },
  { module: 'workerpool', call: 'worker', helper: MESSAGE_HELPERS.carriedPoolWorker },
];

/** The constructor the `broadcastChannels` option is about (by name, as MESSAGE_CONSTRUCTORS). */
export const BROADCAST_CHANNEL = 'BroadcastChannel';

/** What compiled code imports its helpers from with `messages: true` (unless `runtimeModule` says otherwise). */
export const MESSAGES_RUNTIME_MODULE = 'otel-context-transformer/runtime/messages';

/** The words message rewrites are written with (for the boundary-word walk pruning). */
const MESSAGE_WORDS = [MESSAGE_POST_METHOD, ...MESSAGE_CONSTRUCTORS, BROADCAST_CHANNEL];

/**
 * The words every boundary is written with: a scheduler's, promise method's,
 * adopter's, constructor's or spawning function's name, `attach` (its caller gets a frame), `await`,
 * `yield`, `async`, a message rewrite's (MESSAGE_WORDS), or a `\u` escape that could spell
 * one (a promise executor's resolve, whatever its name, is marked by the planner).
 * Comments and strings may hold them too: that only costs a walk.
 */
const BOUNDARY_WORDS = [
  ...SCHEDULERS.map((b) => b.name),
  ...Object.keys(PROMISE_METHODS),
  ...ADOPTERS.map((b) => b.name),
  ...CONSTRUCTORS.map((b) => b.name),
  ...SPAWN_NAMES,
  CONTEXT_ATTACH,
  'await',
  'yield',
  'async',
  ...MESSAGE_WORDS,
];
// Listener methods, `send`, `src`, `on*` handler properties (issue 10: see the listeners block below). A function
// declaration is hoisted: the array is read when this module has loaded.
const boundaryWords = (): string[] => [...BOUNDARY_WORDS, ...listenerWords()];
export const BOUNDARY_WORDS_SOURCE = `\\b(?:${[...new Set(boundaryWords())].join('|')})\\b|\\\\u`;

/**
 * Where those words start, in order: a file or subtree whose text holds none
 * has nothing to rewrite (except `return` in an async generator, an implicit await
 * the backends look for themselves).
 */
export function boundaryWordOffsets(text: string, extraWords: readonly string[] = []): number[] {
  return boundaryWordOffsetsOf(text, extraWords.length === 0 ? new RegExp(BOUNDARY_WORDS_SOURCE, 'g') : extraWordsPattern(extraWords));
}

/** Whether one of the sorted offsets lies in [start, end). */
export function anyOffsetIn(offsets: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[mid]! < start) low = mid + 1;
    else high = mid;
  }
  return low < offsets.length && offsets[low]! < end;
}

/** Adds an offset to the sorted offsets (a boundary the planner found by analysis, not by its word). */
export function insertOffset(offsets: number[], offset: number): void {
  let low = 0;
  while (low < offsets.length && offsets[low]! < offset) low++;
  offsets.splice(low, 0, offset);
}

export function findScheduler(name: string, object: string | undefined): SchedulerBoundary | undefined {
  return SCHEDULERS.find((b) => b.name === name && b.object === object);
}
// ---------------------------------------------------------------------------
// Listeners, XHR and img/script (issue 10, items 1 and 2). The planner's listener block
// (planner.ts, "listeners") applies these entries; the runtime helpers are in src/runtime/listeners.ts.

/** The `listeners` option: what context an event listener runs in. */
export const LISTENER_MODES = ['dispatch', 'registration'] as const;
export type ListenerMode = (typeof LISTENER_MODES)[number];

/** Runtime helpers of this block (see src/runtime/listeners.ts). */
export const LISTENER_HELPERS = {
  /** `listen(R, "m").m(args)`: registration or removal, the listener bound to the registration's context. */
  listen: 'listen',
  /** The same on an XHR, img or script with dispatch semantics: the listener runs in the context of send() / src. */
  listenStarted: 'listenStarted',
  /** `R.onx = handler(fn)`: fn bound to the context of the assignment. */
  handler: 'handler',
  /** `R.onload = startedHandler(fn)` on an XHR, img or script: fn runs in the context of send() / src. */
  startedHandler: 'startedHandler',
  /** `starts(x, "send").send(body)`, `starts(img, "src").src = url`: records the context on the instance. */
  starts: 'starts',
} as const;

/** A method that registers or removes an event listener: the listener's position and the receiver type it belongs to. */
export interface ListenerMethod {
  name: string;
  /** Position of the listener; absent: the method removes every listener (of a type, if given). */
  listener?: number;
  /** The lib or @types/node type that declares it: what the type checker must find on the receiver. */
  receiver: 'EventTarget' | 'EventEmitter';
  removes: boolean;
}

export const LISTENER_METHODS: readonly ListenerMethod[] = listenerMethodTable();

// A function (hoisted): BOUNDARY_WORDS_SOURCE, above, reads it as this module loads.
function listenerMethodTable(): ListenerMethod[] {
  return [
    { name: 'addEventListener', listener: 1, receiver: 'EventTarget', removes: false },
    { name: 'removeEventListener', listener: 1, receiver: 'EventTarget', removes: true },
    { name: 'on', listener: 1, receiver: 'EventEmitter', removes: false },
    { name: 'once', listener: 1, receiver: 'EventEmitter', removes: false },
    { name: 'addListener', listener: 1, receiver: 'EventEmitter', removes: false },
    { name: 'prependListener', listener: 1, receiver: 'EventEmitter', removes: false },
    { name: 'prependOnceListener', listener: 1, receiver: 'EventEmitter', removes: false },
    { name: 'off', listener: 1, receiver: 'EventEmitter', removes: true },
    { name: 'removeListener', listener: 1, receiver: 'EventEmitter', removes: true },
    // Rewritten so that the wrappers it removes are forgotten too.
    { name: 'removeAllListeners', receiver: 'EventEmitter', removes: true },
  ];
}

export function findListenerMethod(name: string): ListenerMethod | undefined {
  return LISTENER_METHODS.find((m) => m.name === name);
}

/** `onclick`, `onload`: an event handler property (a plain `=` assignment to one registers its listener). */
export const HANDLER_PROPERTY = /^on[a-z]+$/;

/**
 * Objects whose events run in the context of the call that started them (the proposal's web
 * integration): an XHR's after `send()`, an img's or script's `load`/`error` after setting `src`.
 * Proven by the checker's type, or (without one) by a `const` initialised with the global
 * constructor or `document.createElement(tag)`.
 */
export interface StartedBoundary {
  /** Lib types of the receiver. */
  types: readonly string[];
  /** Global constructors whose `new` makes one. */
  constructors: readonly string[];
  /** `document.createElement(tag)` tags that make one. */
  tags: readonly string[];
  /** The method call (`send`) or property assignment (`src`) that starts it. */
  start: { method?: string; property?: string };
  /** The events that run in the start's context (a listener for another, e.g. an img's `click`, is left alone); absent: all. */
  events?: readonly string[];
  /** Properties holding objects whose events the same start runs (`xhr.upload`: the runtime's `starts` records them too). */
  parts?: Readonly<Record<string, StartedBoundary>>;
}

/** `xhr.upload`: its `progress`, `load`… run in the context of the XHR's `send()`. Started by its XHR only. */
const XHR_UPLOAD: StartedBoundary = { types: ['XMLHttpRequestUpload'], constructors: [], tags: [], start: {} };

export const STARTED_BOUNDARIES: readonly StartedBoundary[] = [
  { types: ['XMLHttpRequest'], constructors: ['XMLHttpRequest'], tags: [], start: { method: 'send' }, parts: { upload: XHR_UPLOAD } },
  XHR_UPLOAD,
  {
    types: ['HTMLImageElement', 'HTMLScriptElement'],
    constructors: ['Image'],
    tags: ['img', 'script'],
    start: { property: 'src' },
    events: ['load', 'error'],
  },
];

/** The words this block's boundaries are written with: listener methods, `send`, `src`, `on*` properties. */
function listenerWords(): string[] {
  return [...listenerMethodTable().map((m) => m.name), 'send', 'src', 'on[a-z]+'];
}

// ---------------------------------------------------------------------------
// Declared boundaries (issue 10): queues, pools and SDKs that hold a callback and call it later from
// a job of their own, named by where the callee comes from (transformer/origins.ts), not its spelling.

/** One entry of the `boundaries` option, as the user writes it. */
export interface BoundaryDeclaration {
  /** The module the callee comes from, as imported or required: `p-queue`. */
  module: string;
  /**
   * The callee, a path from the module's exports (see parseCallPath): `default.prototype.add` (or
   * `PQueue.prototype.add`, a default export named by its class), `default()`, `default.queue().push`.
   */
  call: string;
  /** Position of the callback argument (or positions). */
  callbackArg: number | readonly number[];
  /** The argument there is an array whose every element is a callback (`addAll([a, b])`); only an array literal says which. */
  each?: boolean;
}

/** A declaration made ready to match an origin. */
export interface DeclaredBoundary {
  module: string;
  /** The call path in origin segments (origins.ts: ORIGIN_NEW for `prototype`, ORIGIN_CALL for `()`), `default` left off. */
  path: readonly string[];
  /** The first segment as written, when it may name a default export by its declared name (`PQueue`). */
  defaultName?: string;
  callbacks: readonly number[];
  /** The callback arguments are arrays of callbacks (BoundaryDeclaration.each). */
  each?: boolean;
  /** For reports: `p-queue PQueue.prototype.add`. */
  label: string;
  category: Category;
  /** A message call (MESSAGE_CALLS): rewritten by planMessage into this helper, never bound. */
  message?: (typeof MESSAGE_HELPERS)[keyof typeof MESSAGE_HELPERS];
}

/** Path segments as origins.ts writes them (kept equal: a test compares the two). */
export const PATH_NEW = 'new()';
export const PATH_CALL = '()';

/**
 * The `call` notation: property names joined by dots; `prototype` stands for an instance the
 * export constructs (`PQueue.prototype.add`: `add` on `new PQueue()`), a name followed by `()`
 * for what calling it returns (`default()`: p-limit's `limit` in `const limit = pLimit(2)`).
 * `default` is the default export; a CommonJS module's `module.exports` counts as its default
 * export, so `default.` may always be left off. Returns a message when the notation is broken.
 */
export function parseCallPath(call: string): { path: string[]; defaultName?: string } | string {
  const path: string[] = [];
  let defaultName: string | undefined;
  const parts = call.split('.');
  for (const [i, part] of parts.entries()) {
    const match = /^([A-Za-z_$][\w$]*)((?:\(\))*)$/.exec(part);
    if (!match) return `"${part}" is not a property name, optionally followed by "()"`;
    const name = match[1]!;
    if (name === 'prototype') {
      if (i === 0) return '"prototype" needs an export before it';
      if (match[2]) return '"prototype()" is not allowed';
      path.push(PATH_NEW);
      continue;
    }
    if (i > 0 || name !== 'default') path.push(name);
    if (i === 0 && name !== 'default') defaultName = name;
    for (let k = 0; k < match[2]!.length / 2; k++) path.push(PATH_CALL);
  }
  if (path.length === 0) return 'it names the module itself, not something to call';
  if (path[path.length - 1] === PATH_NEW) return 'it ends with "prototype": name the method after it';
  return { path, defaultName };
}

/** A declaration as the planner matches it (validated by options.ts first). */
export function declaredBoundary(declaration: BoundaryDeclaration): DeclaredBoundary {
  const parsed = parseCallPath(declaration.call);
  if (typeof parsed === 'string') throw new Error(`invalid call path ${JSON.stringify(declaration.call)}: ${parsed}`);
  const callbacks = typeof declaration.callbackArg === 'number' ? [declaration.callbackArg] : [...declaration.callbackArg];
  return {
    module: declaration.module,
    path: parsed.path,
    defaultName: parsed.defaultName,
    callbacks,
    each: declaration.each === true || undefined,
    label: `${declaration.module} ${declaration.call}`,
    category: 'declared',
  };
}

/**
 * Popular libraries whose callbacks run later from the library's own jobs, so they run in the
 * context of whatever job the library happened to run them from (under AsyncLocalStorage too):
 * always on (category `declared`), tested against the real libraries in test/declared-boundaries.test.ts.
 */
export const LIBRARY_BOUNDARIES: readonly BoundaryDeclaration[] = [
  // p-queue: `new PQueue().add(task)`: the task runs when a slot frees, from the job that freed it.
  { module: 'p-queue', call: 'PQueue.prototype.add', callbackArg: 0 },
  // `addAll([taskA, taskB])`: each task, likewise.
  { module: 'p-queue', call: 'PQueue.prototype.addAll', callbackArg: 0, each: true },
  // p-limit: `const limit = pLimit(2); limit(task)`.
  { module: 'p-limit', call: 'default()', callbackArg: 0 },
  // bottleneck: `new Bottleneck().schedule(task)` (not the options-first overload).
  { module: 'bottleneck', call: 'Bottleneck.prototype.schedule', callbackArg: 0 },
  // async: its own schedulers, and a queue's completion callback `async.queue(worker).push(task, done)`.
  { module: 'async', call: 'default.setImmediate', callbackArg: 0 },
  { module: 'async', call: 'default.nextTick', callbackArg: 0 },
  { module: 'async', call: 'default.queue().push', callbackArg: 1 },
  // node-cron: `cron.schedule(expression, task)`: every tick in the context of the schedule call, as setInterval.
  { module: 'node-cron', call: 'default.schedule', callbackArg: 1 },
];

/** MESSAGE_CALLS as the planner matches them (with `messages: true`; category `threads`). */
export function messageCallBoundaries(): DeclaredBoundary[] {
  return MESSAGE_CALLS.map((entry) => ({
    ...declaredBoundary({ module: entry.module, call: entry.call, callbackArg: [] }),
    category: 'threads',
    message: entry.helper,
  }));
}

// ---------------------------------------------------------------------------
// Functions sent elsewhere as their source text: a function literal passed here is left exactly as
// written (planner: markSerialized), since our rewrites name `__otelCtx`, which the realm that
// evaluates the text does not have (a page, a worker's `new Function`).

/** By method name, on any receiver (only a function literal at `functionArg` is affected). */
export const SERIALIZING_METHODS: readonly { name: string; functionArg: number }[] = [
  // Puppeteer and Playwright: page, frame, worker, element handle, locator.
  { name: 'evaluate', functionArg: 0 },
  { name: 'evaluateHandle', functionArg: 0 },
  { name: 'evaluateAll', functionArg: 0 },
  { name: '$eval', functionArg: 1 },
  { name: '$$eval', functionArg: 1 },
  { name: 'waitForFunction', functionArg: 0 },
  { name: 'addInitScript', functionArg: 0 },
  { name: 'evaluateOnNewDocument', functionArg: 0 },
];

/** By origin (parseCallPath): workerpool sends `exec(fn, params)` to its worker as `String(fn)`. */
export const SERIALIZING_CALLS: readonly BoundaryDeclaration[] = [{ module: 'workerpool', call: 'pool().exec', callbackArg: 0 }];

/** The words a declared boundary's call is written with: its last property name (a method's name, `add`). */
export function declaredWords(boundaries: readonly DeclaredBoundary[]): string[] {
  return [...new Set(boundaries.flatMap((b) => b.path.filter((s) => s !== PATH_NEW && s !== PATH_CALL).slice(-1)))];
}

const extraPatterns = new Map<string, RegExp>();
/** The boundary words and `extraWords` (names found by analysis: aliases, declared methods). */
function extraWordsPattern(extraWords: readonly string[]): RegExp {
  const key = extraWords.join(' ');
  let pattern = extraPatterns.get(key);
  if (!pattern) {
    const escaped = extraWords.map((w) => w.replace(/\$/g, '\\$'));
    // `\b` does not see `$` as part of a word: lookarounds on [\w$] do.
    pattern = new RegExp(`${BOUNDARY_WORDS_SOURCE}|(?<![\\w$])(?:${escaped.join('|')})(?![\\w$])`, 'g');
    if (extraPatterns.size > 64) extraPatterns.clear();
    extraPatterns.set(key, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

/** Where `word` occurs as a whole name in `text`: a name the planner found to be a boundary's (an alias). */
export function wordOffsets(text: string, word: string): number[] {
  return boundaryWordOffsetsOf(text, new RegExp(`(?<![\\w$])${word.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'));
}

function boundaryWordOffsetsOf(text: string, words: RegExp): number[] {
  const offsets: number[] = [];
  for (let m = words.exec(text); m !== null; m = words.exec(text)) offsets.push(m.index);
  return offsets;
}

// ---------------------------------------------------------------------------
// Presets (issue 10): which categories a target runtime needs rewritten, as the categories it skips.
// A category added later (threads, processes) is rewritten under every preset unless listed here.

export const PRESETS = ['all', 'browser', 'react-native', 'node'] as const;
export type Preset = (typeof PRESETS)[number];

export const PRESET_SKIPS: Readonly<Record<Preset, readonly Category[]>> = {
  all: [],
  // Browsers and React Native (Hermes, JSC) have no AsyncLocalStorage: every boundary needs its rewrite.
  browser: [],
  'react-native': [],
  // AsyncLocalStorage (OTel's AsyncLocalStorageContextManager) carries timers, microtasks, promise
  // reactions, awaits and generator bodies by itself, and `bind` steps aside under it for FinalizationRegistry
  // callbacks; not what a library runs from its own jobs (declared boundaries: `bindAlways`), nor threads
  // and processes.
  node: ['timers', 'microtasks', 'frames', 'promises', 'await', 'generators', 'finalizers'],
};

/** Merges sorted `more` into sorted `offsets`, in place. */
export function mergeOffsets(offsets: number[], more: readonly number[]): void {
  if (more.length === 0) return;
  const merged = [...offsets, ...more].sort((a, b) => a - b);
  offsets.splice(0, offsets.length, ...merged);
}
