/**
 * The rewrite decisions, written once over the syntax interface (syntax.ts)
 * that each backend implements for its AST. A backend walks its tree, asks the
 * planner what a node needs, and emits that in its own way: decide once, emit
 * per node. The type checker, when there is one, answers through the oracle;
 * without it every decision takes the safe side, and both backends then
 * decide alike (test/backend-equivalence.test.ts).
 */
import {
  CARRIER_HELPERS,
  CONTEXT_ATTACH,
  EXECUTOR_RESOLVE,
  findAdopter,
  findConstructor,
  findScheduler,
  findSpawnBoundary,
  GLOBAL_OBJECTS,
  isSpawnName,
  HELPERS,
  BROADCAST_CHANNEL,
  MESSAGE_CONSTRUCTORS,
  MESSAGE_HELPERS,
  MESSAGE_POST_METHOD,
  INERT_ON_PRIMITIVES,
  INERT_OPERATORS,
  passesNoValues,
  promiseMethod,
  SITE_HELPERS,
  type CarrierHelper,
  ADOPTERS,
  SCHEDULERS,
  declaredBoundary,
  declaredWords,
  SERIALIZING_CALLS,
  SERIALIZING_METHODS,
  type AdoptionBoundary,
  type Category,
  type DeclaredBoundary,
  type SchedulerBoundary,
} from '../catalog.js';
import {
  findListenerMethod,
  HANDLER_PROPERTY,
  LISTENER_HELPERS,
  STARTED_BOUNDARIES,
  type ListenerMode,
  type StartedBoundary,
} from '../catalog.js';
import { lazyScope, originOf, sameModule, type Origin, type OriginContext, type Scope } from './origins.js';
import type { ObjectProperty, Oracle, Syntax } from './syntax.js';

/** What a decision needs besides the node: the user's `skip` categories, the scopes, the checker if any. */
export interface PlanContext<N> {
  syntax: Syntax<N>;
  skip: ReadonlySet<Category>;
  scopes: ReadonlyArray<Scope<N>>;
  oracle?: Oracle<N>;
  /** References to promise executors' resolve and reject that need no binding where a scheduler passes them no value. */
  settleRefs: Set<N>;
  /** Calls of a promise executor's own resolve: the value they resolve with is adopted (catalog: EXECUTOR_RESOLVE). */
  resolveCalls: Set<N>;
  /** The `messages` option: planMessage rewrites posts and channel constructors. */
  messages?: boolean;
  /** The `broadcastChannels` option: `new BroadcastChannel(name)` goes through declaredChannel with these names. */
  broadcastChannels?: readonly string[];
  /** The `listeners` option (issue 10); absent: `dispatch`. */
  listeners?: ListenerMode;
  /** The carrier helpers can be reached (not with `helpers: "global"`, whose prelude has none): spawn sites are rewritten. */
  carriers: boolean;
  /** Declared boundaries (the `boundaries` option and the catalog's library set), matched by origin. */
  boundaries?: readonly DeclaredBoundary[];
  /**
   * The names a callee must end with for its origin to be worth resolving (markAliasWords fills it: the
   * catalog's names, `call`/`apply`, declared methods, the file's aliases); undefined: every callee.
   */
  calleeNames?: Set<string>;
  /** Whether a callee that ends in no name (`pLimit(2)(task)`, `(0, m.default)(task)`) may be a declared boundary here. */
  declaredReachable?: boolean;
  /** Subtrees the backends leave exactly as written: functions sent elsewhere as source text (markSerialized). */
  asWritten: Set<N>;
}

/** Our own output declares the helper namespace at top level: a second run leaves it alone (idempotence). */
export function isProcessed<N>(syntax: Syntax<N>, statements: readonly N[]): boolean {
  return statements.some(
    (s) =>
      syntax.importBindings(s).some((i) => i.local === HELPERS.namespace) ||
      (syntax.kind(s) === 'variables' && syntax.declarators(s).some((d) => d.plainName && syntax.name(d.id) === HELPERS.namespace)),
  );
}

// --- functions -------------------------------------------------------------------

export interface FunctionPlan<N> {
  isAsync: boolean;
  isGenerator: boolean;
  /** Its suspension points are rewritten against a frame of its own. */
  framed: boolean;
  /** An unframed async function whose every await ends it: those awaits (`await tail(x)`). */
  tails?: Set<N>;
}

/**
 * Every function is its own frame: an async function or generator whose body
 * suspends gets one, unless each of its suspensions is an await that ends it.
 */
export function planFunction<N>(context: PlanContext<N>, fn: N): FunctionPlan<N> {
  const { syntax } = context;
  const isAsync = syntax.isAsync(fn);
  const isGenerator = syntax.isGenerator(fn);
  const body = syntax.body(fn);
  // An async generator is a generator: the `generators` category decides for it.
  const suspends =
    !!body && !context.skip.has(isGenerator ? 'generators' : 'await') && containsSuspension(syntax, body, isGenerator, isAsync);
  // `context.attach(ctx)` holds until its token is disposed, within this function only: the frame's
  // exit is what puts back what the caller had, so a function that attaches needs one, tail or not.
  const attaches = isAsync && !isGenerator && !!body && !context.skip.has('await') && callsAttach(syntax, body);
  const tails = suspends && isAsync && !isGenerator && !attaches ? tailAwaits(syntax, fn, context.oracle) : undefined;
  return { isAsync, isGenerator, framed: (suspends && !tails) || attaches, tails };
}

/**
 * A call of a method named `attach` anywhere in this body, nested functions included (a callback
 * run synchronously attaches in this function's context too). Any receiver: the API is reached
 * through `context`, an alias or a wrapper alike, and an extra frame changes nothing observable.
 */
function callsAttach<N>(syntax: Syntax<N>, root: N): boolean {
  let found = false;
  const walk = (node: N): void => {
    // `attach` is a boundary word: a subtree without one holds no such call.
    if (found || syntax.holdsNoBoundaryWord(node)) return;
    const kind = syntax.kind(node);
    if (kind === 'call' && syntax.member(syntax.callee(node))?.name === CONTEXT_ATTACH) found = true;
    else if (kind !== 'type') syntax.forEachChild(node, walk);
  };
  walk(root);
  return found;
}

/** Where a framed function makes its frame, and what its body does first (see planFrame). */
export interface FramePlan {
  /** The helper of the `const __otelFrame = <helper>()` that opens the body; undefined when the parameter list makes the frame. */
  declaredWith?: string;
  /** The frame is made in the parameter list: `...{ __otelFrame = genFrame() }` after the parameters. */
  inParameters: boolean;
  /** The body's try starts with `reenter(f)`: a generator's body first runs at the first next(), not when it was created. */
  reentersFirst: boolean;
}

/**
 * An async function makes its frame when called (`frame()`); a generator when
 * the generator object is created, in its parameter list where it can
 * (frameInParameters), else when its body first runs (`genFrame()`). Every
 * framed body runs in `try { … } finally { exit(f) }`.
 */
export function planFrame<N>(syntax: Syntax<N>, functionPlan: FunctionPlan<N>, fn: N, strict: boolean): FramePlan {
  if (!functionPlan.isGenerator) return { declaredWith: HELPERS.frame, inParameters: false, reentersFirst: false };
  const inParameters = frameInParameters(syntax, fn, strict);
  return { declaredWith: inParameters ? undefined : HELPERS.genFrame, inParameters, reentersFirst: true };
}

/**
 * Whether a generator's frame can be made in its parameter list (at creation,
 * `...{ __otelFrame = genFrame() }`), which makes the list non-simple: not
 * with a rest parameter, a "use strict" directive in the body, or (sloppy
 * code) where the body reads `arguments`, whose aliasing of parameters would
 * change. Otherwise the frame is made when the body first runs.
 */
function frameInParameters<N>(syntax: Syntax<N>, fn: N, strict: boolean): boolean {
  const body = syntax.body(fn);
  if (!body || syntax.parameters(fn).some((p) => p.rest)) return false;
  if (syntax.directives(body).includes('use strict')) return false;
  return strict || !mentionsArguments(syntax, body);
}

/** `arguments` read in this body, arrows included (they see the function's). */
function mentionsArguments<N>(syntax: Syntax<N>, root: N): boolean {
  let found = false;
  const walk = (node: N): void => {
    if (found) return;
    const kind = syntax.kind(node);
    if (kind === 'identifier' && syntax.name(node) === 'arguments') found = true;
    else if (kind !== 'type' && !(node !== root && kind === 'function' && !syntax.isArrow(node))) syntax.forEachChild(node, walk);
  };
  walk(root);
  return found;
}

/**
 * Whether a function body (or the module top level) has a suspension point of
 * its own: await, for await, yield, `await using`, or `return x` in an async
 * generator. Nested functions are their own business, but for the parts that
 * run where they are defined (decorators, computed keys). Text without a
 * boundary word holds none (but for that `return`).
 */
export function containsSuspension<N>(syntax: Syntax<N>, root: N, generator: boolean, async: boolean): boolean {
  let found = false;
  const prune = !(async && generator);
  const walk = (node: N): void => {
    if (found || (prune && syntax.holdsNoBoundaryWord(node))) return;
    const kind = syntax.kind(node);
    if (
      (async && kind === 'await') ||
      (async && kind === 'forOf' && syntax.isForAwait(node)) ||
      (generator && kind === 'yield') ||
      (async && generator && kind === 'return' && syntax.operand(node) !== undefined) ||
      (async && kind === 'variables' && syntax.declarationKind(node) === 'await using')
    ) {
      found = true;
    } else if (node !== root && (kind === 'function' || kind === 'classMember')) {
      for (const part of syntax.enclosingParts(node)) walk(part);
    } else if (kind !== 'type') {
      syntax.forEachChild(node, walk);
    }
  };
  walk(root);
  return found;
}

/**
 * The awaits of an async function when every suspension in it is an await that
 * ends it: `return await x`, `async () => await x`, or `await x;` as the body's
 * last statement. Such a function runs nothing of its own after its one await,
 * so it needs no frame (runtime `tail`). Not when a `return await` sits in a
 * try (its finally or catch would run after the await) or a for-of (the
 * iterator's return() would), nor with `using` declarations (disposal runs
 * after). The last statement's await may be followed by a `return` of
 * something inert (awaitEndingBody). Undefined when some suspension is not of
 * that kind.
 */
function tailAwaits<N>(syntax: Syntax<N>, fn: N, oracle: Oracle<N> | undefined): Set<N> | undefined {
  const body = syntax.body(fn)!;
  const inTailPosition = new Set<N>();
  const statements = syntax.statements(body);
  const ending = statements ? awaitEndingBody(syntax, statements, oracle) : syntax.unwrapTyped(body);
  if (ending && syntax.kind(ending) === 'await') inTailPosition.add(ending);
  const tails = new Set<N>();
  let allTails = true;
  const walk = (node: N, guarded: boolean): void => {
    if (!allTails) return;
    const kind = syntax.kind(node);
    if (kind === 'await') {
      if (!inTailPosition.has(node)) return void (allTails = false);
      tails.add(node);
    } else if (kind === 'return' && !guarded) {
      const value = syntax.operand(node);
      if (value && syntax.kind(syntax.unwrapTyped(value)) === 'await') inTailPosition.add(syntax.unwrapTyped(value));
    } else if ((kind === 'forOf' && syntax.isForAwait(node)) || (kind === 'variables' && syntax.declarationKind(node).endsWith('using'))) {
      return void (allTails = false);
    } else if (kind === 'try' || kind === 'forOf') {
      guarded = true;
    } else if (kind === 'type') {
      return;
    } else if (kind === 'function' || kind === 'classMember') {
      for (const part of syntax.enclosingParts(node)) walk(part, guarded);
      return;
    }
    syntax.forEachChild(node, (child) => walk(child, guarded));
  };
  walk(body, false);
  return allTails && tails.size > 0 ? tails : undefined;
}

/**
 * The expression of a function body's last await statement when nothing that
 * can run code follows it: `await x;` or `const v = await x;` (v a plain name,
 * so a local binding), as the last statement or followed only by a `return`
 * of an inert expression.
 */
function awaitEndingBody<N>(syntax: Syntax<N>, statements: readonly N[], oracle: Oracle<N> | undefined): N | undefined {
  let last: N | undefined = statements[statements.length - 1];
  if (last && syntax.kind(last) === 'return') {
    const value = syntax.operand(last);
    if (!value || isInert(syntax, value, oracle)) last = statements[statements.length - 2];
  }
  let value: N | undefined;
  if (last && syntax.kind(last) === 'expressionStatement') {
    value = syntax.operand(last);
  } else if (last && syntax.kind(last) === 'variables' && !syntax.declarationKind(last).endsWith('using')) {
    const declarators = syntax.declarators(last);
    if (declarators.length === 1 && declarators[0]!.plainName) value = declarators[0]!.init;
  }
  return value && syntax.unwrapTyped(value);
}

/**
 * Evaluating it runs no code that could read the context: names, literals and
 * the operators that never call into objects (no valueOf/toString, no
 * getters); with the type checker also arithmetic and comparisons whose
 * operands are primitives. A name is taken as a plain read (not a global
 * accessor or a sloppy `with` object's getter).
 */
function isInert<N>(syntax: Syntax<N>, node: N, oracle: Oracle<N> | undefined): boolean {
  const e = syntax.unwrapTyped(node);
  switch (syntax.kind(e)) {
    case 'identifier':
    case 'literal':
      return true;
    case 'conditional':
      return syntax.operands(e).every((o) => isInert(syntax, o, oracle));
    case 'operator': {
      const operator = syntax.operator(e);
      const operands = syntax.operands(e);
      if (INERT_OPERATORS.has(operator)) return operands.every((o) => isInert(syntax, o, oracle));
      return !!oracle && INERT_ON_PRIMITIVES.has(operator) && operands.every((o) => isInert(syntax, o, oracle) && oracle.isPrimitive(o));
    }
    default:
      return false;
  }
}

// --- suspension points -----------------------------------------------------------

/**
 * What an await becomes: `await tail(x)` when it ends an unframed function
 * (tailAwaits), `resume(f, await suspend(f, x))` in a framed one, else nothing.
 */
export function awaitHelper<N>(functionPlan: FunctionPlan<N>, node: N): string | undefined {
  if (functionPlan.tails?.has(node)) return HELPERS.tail;
  return functionPlan.framed ? HELPERS.suspend : undefined;
}

/**
 * The helper a framed generator's `yield` hands its operand to (`resume(f,
 * yield <helper>(f, x))`): in an async generator `yield x` awaits x, so
 * `suspend` (thenable adoption); `yield*` and plain generators `leave`.
 */
export function yieldHelper<N>(functionPlan: FunctionPlan<N>, delegate: boolean): string | undefined {
  if (!functionPlan.framed) return undefined;
  return functionPlan.isAsync && !delegate ? HELPERS.suspend : HELPERS.leave;
}

/** `return x` in a framed async generator awaits x before finally blocks run: `return suspend(f, x)`. */
export function returnSuspends<N>(functionPlan: FunctionPlan<N>): boolean {
  return functionPlan.framed && functionPlan.isAsync && functionPlan.isGenerator;
}

/** `for await` in a framed function: `forAwait(f, iterable)`, the body re-entering, the loop in a re-entering try. */
export function rewritesForAwait<N>(syntax: Syntax<N>, functionPlan: FunctionPlan<N>, loop: N): boolean {
  return functionPlan.framed && syntax.kind(loop) === 'forOf' && syntax.isForAwait(loop);
}

/**
 * The `await using` declarations among a framed async function's block's
 * statements: each disposal awaits when the block ends, so what follows each
 * goes into `try { … } finally { leave(f) }` and the block into a re-entering try.
 */
export function awaitUsingDeclarations<N>(syntax: Syntax<N>, functionPlan: FunctionPlan<N>, statements: readonly N[]): N[] {
  if (!functionPlan.framed || !functionPlan.isAsync) return [];
  return statements.filter((s) => syntax.kind(s) === 'variables' && syntax.declarationKind(s) === 'await using');
}

// --- try -------------------------------------------------------------------------

/**
 * A rejected await (or gen.throw/return at a yield) jumps into catch/finally
 * while still suspended: those blocks start with `reenter(f)`, only where the
 * protected block can suspend (the finally also after a catch that can). A
 * destructuring catch parameter would run its defaults and getters before
 * that: it is unpacked in the block instead, after the reenter.
 */
export function planTry<N>(
  syntax: Syntax<N>,
  functionPlan: { isAsync: boolean; isGenerator: boolean },
  tryBlock: N,
  catchClause: { parameter: N | undefined; body: N } | undefined,
): { reenterCatch: boolean; unpackCatchParameter: boolean; reenterFinally: boolean } {
  const { isAsync, isGenerator } = functionPlan;
  const tryCanSuspend = containsSuspension(syntax, tryBlock, isGenerator, isAsync);
  const catchCanSuspend = !!catchClause && containsSuspension(syntax, catchClause.body, isGenerator, isAsync);
  const parameter = catchClause?.parameter;
  return {
    reenterCatch: tryCanSuspend,
    unpackCatchParameter: tryCanSuspend && parameter !== undefined && syntax.kind(parameter) !== 'identifier',
    reenterFinally: tryCanSuspend || catchCanSuspend,
  };
}

// --- callbacks -------------------------------------------------------------------

export interface CallbackPlan<N> {
  /** Positions of the arguments to wrap (a literal, an ignored argument or a settle reference may still be left alone). */
  positions: readonly number[];
  /**
   * What wraps them: `bind` for callbacks, `bindAlways` for a declared boundary's (also under an
   * AsyncLocalStorage manager), `tail` for values a promise resolves with (a thenable adopted in the call's context).
   */
  helper: string;
  /** The scheduler, when the call is one (else a promise reaction or a declared boundary). */
  scheduler?: SchedulerBoundary;
  /** What it is, for reports: `setTimeout`, `process.nextTick`, `then`, `p-queue PQueue.prototype.add`. */
  kind: string;
  /** The node whose start reports it: the callee's name. */
  at: N;
  /** The call passes its callback no value of the caller's: a promise executor's resolve or reject needs no binding there. */
  settles: boolean;
  /** `scheduler.apply(thisArg, [cb, ms])`: positions index the elements of the array literal at this argument. */
  inArray?: number;
}

/**
 * `setTimeout(cb)`, `globalThis.queueMicrotask?.(cb)`, `later(cb)` (an alias), `setTimeout.call(t, cb)`,
 * `q.add(cb)` (a declared boundary), `p.then(a, b)`: the callback positions to bind;
 * `Promise.resolve(x)`, an executor's `resolve(x)`: the value to adopt. Undefined for any other call.
 * A callee is recognised by where it comes from (origins.ts), not by its spelling.
 */
export function planCall<N>(context: PlanContext<N>, call: N): CallbackPlan<N> | undefined {
  const { syntax, skip } = context;
  const callee = syntax.callee(call);
  if (context.resolveCalls.has(call)) return adoption(syntax, call, EXECUTOR_RESOLVE.values, syntax.name(callee), callee);
  const access = syntax.member(callee);
  const at = access ? access.nameNode : callee;
  const target = calleeBoundary(context, callee, access);
  if (target?.adopter) {
    const { adopter } = target;
    return skip.has(adopter.category) ? undefined : adoption(syntax, call, adopter.values, `${adopter.object}.${adopter.name}`, at);
  }
  if (target) return callbackPlan(context, call, target, at);
  if (
    access &&
    promiseMethod(access.name) &&
    !skip.has('promises') &&
    (context.oracle?.isPromiseReceiver(access.object, access.name) ?? true)
  ) {
    return callbackPlan(context, call, { callbacks: promiseMethod(access.name)!, kind: access.name, category: 'promises' }, at);
  }
  return undefined;
}

/** What a callee is, as the planner binds it. */
interface CalleeBoundary {
  callbacks: readonly number[];
  kind: string;
  category: Category;
  scheduler?: SchedulerBoundary;
  declared?: DeclaredBoundary;
  adopter?: AdoptionBoundary;
  /** `.call(thisArg, …)`: the arguments shift by one; `.apply(thisArg, [...])`: they are the array's elements. */
  via?: 'call' | 'apply';
}

/**
 * The boundary a callee is, by its origin; `f.call` / `f.apply` of one (a spelling whose callee is the
 * boundary's own `call`/`apply`: Function.prototype's, unless the boundary is shadowed, which its origin rules out).
 */
function calleeBoundary<N>(context: PlanContext<N>, callee: N, access: ReturnType<Syntax<N>['member']>): CalleeBoundary | undefined {
  if (!worthResolving(context, callee, access)) return undefined;
  const direct = originBoundary(context, originOf(context, callee), access?.nameNode);
  if (direct) return direct;
  if (access && (access.name === 'call' || access.name === 'apply')) {
    const inner = context.syntax.member(access.object);
    const target = originBoundary(context, originOf(context, access.object), inner?.nameNode);
    if (target && !target.adopter) return { ...target, kind: `${target.kind}.${access.name}`, via: access.name };
  }
  return undefined;
}

/** Resolving an origin walks the scopes: only for a callee whose name a boundary could have (calleeNames). */
function worthResolving<N>(context: PlanContext<N>, callee: N, access: ReturnType<Syntax<N>['member']>): boolean {
  const names = context.calleeNames;
  if (!names) return true;
  const { syntax } = context;
  if (access) {
    if (!names.has(access.name)) return false;
    if (access.name !== 'call' && access.name !== 'apply') return true;
    // `f.call(…)` is worth it when `f` is (`_super.call(this)` in ES5 output is not).
    const inner = syntax.member(access.object);
    if (inner) return names.has(inner.name);
    return syntax.kind(access.object) === 'identifier' ? names.has(syntax.name(access.object)) : !!context.declaredReachable;
  }
  return syntax.kind(callee) === 'identifier' ? names.has(syntax.name(callee)) : !!context.declaredReachable;
}

/** The names of the catalog's global boundaries and of `f.call` / `f.apply`. */
const CATALOG_CALLEE_NAMES: readonly string[] = [...SCHEDULERS.map((b) => b.name), ...ADOPTERS.map((b) => b.name), 'call', 'apply'];

/** A catalog boundary (scheduler, adopter, declared boundary) that `origin` is, unless its category is skipped. */
function originBoundary<N>(context: PlanContext<N>, origin: Origin | undefined, nameNode: N | undefined): CalleeBoundary | undefined {
  const { skip } = context;
  if (origin && origin.module === undefined) {
    // `window.window.setTimeout`, `globalThis.self.queueMicrotask`: still the global object.
    let path = origin.path;
    while (path.length > 1 && GLOBAL_OBJECTS.includes(path[0]!)) path = path.slice(1);
    if (path.length === 1 || path.length === 2) {
      const [object, name] = path.length === 1 ? [undefined, path[0]!] : [path[0]!, path[1]!];
      const scheduler = findScheduler(name, object);
      if (scheduler) {
        if (skip.has(scheduler.category)) return undefined;
        const kind = scheduler.object ? `${scheduler.object}.${scheduler.name}` : scheduler.name;
        return { callbacks: scheduler.callbacks, kind, category: scheduler.category, scheduler };
      }
      const adopter = object === undefined ? undefined : findAdopter(name, object);
      if (adopter) return { callbacks: adopter.values, kind: `${adopter.object}.${adopter.name}`, category: adopter.category, adopter };
    }
    return undefined;
  }
  const boundaries = context.boundaries ?? [];
  if (boundaries.length === 0 || skip.has('declared')) return undefined;
  let declared = origin && findDeclared(boundaries, origin);
  // With the checker: a method resolved to a declared class's (a subclass's instance, a typed receiver).
  if (!declared && nameNode !== undefined) {
    const member = context.oracle?.memberOrigin?.(nameNode);
    declared = member && findDeclared(boundaries, member);
  }
  return declared && { callbacks: declared.callbacks, kind: declared.label, category: declared.category, declared };
}

/**
 * The declared boundary an origin is: same module, same path with `default` left off, or with its first
 * segment left off when that names a default export by its declared name (`PQueue` of p-queue) or a
 * CommonJS module's exports (`const Bottleneck = require('bottleneck')`).
 */
export function findDeclared(boundaries: readonly DeclaredBoundary[], origin: Origin): DeclaredBoundary | undefined {
  if (origin.module === undefined) return undefined;
  const path = origin.path[0] === 'default' ? origin.path.slice(1) : origin.path;
  return boundaries.find(
    (b) =>
      sameModule(origin.module, b.module) && (samePath(path, b.path) || (b.defaultName !== undefined && samePath(path, b.path.slice(1)))),
  );
}

/** Whether `origin` leads to a declared boundary (a module, a class, a factory's result on the way to the call). */
function leadsToDeclared(boundaries: readonly DeclaredBoundary[], origin: Origin): boolean {
  if (origin.module === undefined) return false;
  const path = origin.path[0] === 'default' ? origin.path.slice(1) : origin.path;
  const prefixOf = (full: readonly string[]) => path.length <= full.length && path.every((s, i) => s === full[i]);
  return boundaries.some(
    (b) => sameModule(origin.module, b.module) && (prefixOf(b.path) || (b.defaultName !== undefined && prefixOf(b.path.slice(1)))),
  );
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The positions a boundary's callbacks are at in this call, `.call`/`.apply` and spreads taken into account. */
function callbackPlan<N>(context: PlanContext<N>, call: N, target: CalleeBoundary, at: N): CallbackPlan<N> | undefined {
  const { syntax } = context;
  let args = syntax.callArguments(call);
  let positions = target.callbacks;
  let inArray: number | undefined;
  if (target.via === 'call') {
    positions = positions.map((p) => p + 1);
  } else if (target.via === 'apply') {
    // Only an array literal says which argument lands where.
    const list = args[1] && syntax.arrayElements(args[1]);
    if (!list) return undefined;
    args = list;
    inArray = 1;
  }
  // A spread before a callback position hides which argument lands there.
  const firstSpread = args.findIndex((a) => syntax.isSpread(a));
  if (firstSpread !== -1) positions = positions.filter((p) => p < firstSpread);
  if (positions.length === 0) return undefined;
  if (target.declared?.each) {
    // `addAll([a, b])`: the elements of the (first) array literal there, up to a spread among them.
    const position = positions[0]!;
    const list = target.via === undefined ? syntax.arrayElements(args[position]!) : undefined;
    if (!list) return undefined;
    const spread = list.findIndex((e) => syntax.isSpread(e));
    const elements = list.map((_, i) => i).filter((i) => spread === -1 || i < spread);
    if (elements.length === 0) return undefined;
    return { positions: elements, helper: HELPERS.bindAlways, kind: target.kind, at, settles: false, inArray: position };
  }
  const { scheduler } = target;
  const shift = target.via === 'call' ? 1 : 0;
  const settles = !!scheduler && passesNoValues(scheduler, args.length - shift, firstSpread !== -1);
  const helper = target.declared ? HELPERS.bindAlways : HELPERS.bind;
  return { positions, helper, scheduler, kind: target.kind, at, settles, inArray };
}

// --- aliases (issue 10) ----------------------------------------------------------

/**
 * The words a file's declared boundaries are written with, when the file can reach them: a declared
 * method's name (`add`) and the module's name, where the file names the module in quotes (without the
 * checker nothing else can reach it); with the checker always (re-exports, subclasses, typed receivers).
 */
export function declaredFileWords(text: string, boundaries: readonly DeclaredBoundary[], checker: boolean): string[] {
  if (boundaries.length === 0) return [];
  if (checker) return declaredInfo(boundaries).words;
  const named = modulesNamedIn(text, boundaries);
  if (named.size === 0) return [];
  const reachable = boundaries.filter((b) => named.has(b.module));
  return [...declaredWords(reachable), ...named];
}

/** Per boundary list (one per set of options): its words, and a pattern for its module names in quotes. */
const declaredCache = new WeakMap<readonly DeclaredBoundary[], { words: string[]; modules: RegExp }>();
function declaredInfo(boundaries: readonly DeclaredBoundary[]): { words: string[]; modules: RegExp } {
  let info = declaredCache.get(boundaries);
  if (!info) {
    const modules = [...new Set(boundaries.map((b) => b.module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))];
    info = {
      words: [...declaredWords(boundaries), ...new Set(boundaries.map((b) => b.module))],
      modules: new RegExp(`['"](${modules.join('|')})['"]`, 'g'),
    };
    declaredCache.set(boundaries, info);
  }
  return info;
}

/** The declared modules `text` names in quotes (an import, a require): without the checker only those can be reached. */
function modulesNamedIn(text: string, boundaries: readonly DeclaredBoundary[]): Set<string> {
  const pattern = declaredInfo(boundaries).modules;
  const named = new Set<string>();
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) named.add(m[1]!);
  return named;
}

/** A `const` (or destructuring) that may take a boundary's value from the global object or a scheduler's name. */
const ALIAS_HINT = new RegExp(
  `\\bconst\\b[^;]{0,500}?=\\s*(?:${[...GLOBAL_OBJECTS, ...SCHEDULERS.map((b) => b.object ?? b.name)].join('|')})\\b`,
);

/**
 * The boundary-word prefilter (Syntax.holdsNoBoundaryWord) skips text without a boundary's word, and
 * `later(cb)` holds none when `const later = queueMicrotask` is declared elsewhere. Before the walk,
 * every name whose origin is a boundary (or leads to a declared one: `pLimit`, `PQueue`) becomes a word
 * of the file: `const` bindings anywhere (found through the words they hold, so repeated until no new
 * name appears: `const b = a` after `const a = setTimeout`) and, with the checker, imports of such names
 * from other files. Costs nothing in a file where no `const` is initialised from a global object or a
 * scheduler's name, that names no declared module, and (with the checker) imports nothing.
 */
export function markAliasWords<N>(context: PlanContext<N>, program: N, text: string): void {
  const { syntax, oracle } = context;
  const boundaries = context.boundaries ?? [];
  // Without the checker a declared boundary is reached only from a file that names its module.
  const named = boundaries.length > 0 ? modulesNamedIn(text, boundaries) : new Set<string>();
  const declaredModule = named.size > 0;
  const reachable = oracle ? boundaries : boundaries.filter((b) => named.has(b.module));
  context.calleeNames = new Set([...CATALOG_CALLEE_NAMES, ...declaredWords(reachable)]);
  context.declaredReachable = boundaries.length > 0 && (declaredModule || !!oracle);
  const statements = syntax.scopeParts(program)?.statements ?? [];
  const imports = !!oracle && statements.some((s) => syntax.importBindings(s).length > 0);
  // `import { spawn as run } from 'child_process'`: spawning functions under names of the file's own.
  const spawnModule = SPAWN_MODULE_NAMES.some((m) => text.includes(m));
  if (!ALIAS_HINT.test(text) && !declaredModule && !imports && !spawnModule) return;
  const marked = context.calleeNames;
  const isBoundary = (origin: Origin | undefined) =>
    !!origin &&
    (!!originBoundary(context, origin, undefined) ||
      leadsToDeclared(boundaries, origin) ||
      !!(findSpawnBoundary(origin, true) ?? findSpawnBoundary(origin, false)));
  const aliases = new Set<string>();
  const mark = (name: string) => {
    if (aliases.has(name)) return false;
    aliases.add(name);
    marked.add(name);
    syntax.markWord(name);
    return true;
  };
  for (let pass = 0, added = true; added && pass < MAX_ALIAS_PASSES; pass++) {
    added = false;
    const scopes: Array<Scope<N>> = [];
    const origins: PlanContext<N> = { ...context, scopes };
    // Imports (top level only), whatever words they hold: with the checker they may bring a boundary from another file.
    for (const statement of statements) {
      for (const binding of syntax.importBindings(statement)) {
        if (aliases.has(binding.local)) continue;
        const id = oracle && localIdentifier(syntax, statement, binding.local);
        const checked = id ? oracle!.origin?.(id) : undefined;
        if (isBoundary(checked || importOrigin(binding))) added = mark(binding.local) || added;
      }
    }
    const walk = (node: N): void => {
      const kind = syntax.kind(node);
      if (kind === 'type' || syntax.holdsNoBoundaryWord(node)) return;
      if (kind === 'variables' && syntax.declarationKind(node) === 'const') {
        for (const d of syntax.declarators(node)) {
          if (d.init === undefined) continue;
          const base = originOf(origins, d.init);
          for (const { name, path } of base ? syntax.bindingPaths(d.id) : []) {
            if (path && !aliases.has(name) && isBoundary({ module: base!.module, path: [...base!.path, ...path] })) {
              added = mark(name) || added;
            }
          }
        }
      }
      const opens = syntax.scopeParts(node) !== undefined;
      if (opens) scopes.push(lazyScope(syntax, node));
      syntax.forEachChild(node, walk);
      if (opens) scopes.pop();
    };
    walk(program);
  }
}

const MAX_ALIAS_PASSES = 4;

function importOrigin(binding: { module: string; imported: string }): Origin {
  return { module: binding.module, path: binding.imported === '*' ? [] : [binding.imported] };
}

/** The identifier an import statement binds `local` to (its last identifier of that name). */
function localIdentifier<N>(syntax: Syntax<N>, statement: N, local: string): N | undefined {
  let found: N | undefined;
  const walk = (node: N): void => {
    if (syntax.kind(node) === 'identifier' && syntax.name(node) === local) found = node;
    syntax.forEachChild(node, walk);
  };
  walk(statement);
  return found;
}

/** A call that resolves a promise with the values at `positions`: each goes through `tail`. */
function adoption<N>(syntax: Syntax<N>, call: N, positions: readonly number[], kind: string, at: N): CallbackPlan<N> | undefined {
  const firstSpread = syntax.callArguments(call).findIndex((a) => syntax.isSpread(a));
  const values = firstSpread === -1 ? positions : positions.filter((p) => p < firstSpread);
  return values.length > 0 ? { positions: values, helper: HELPERS.tail, kind, at, settles: false } : undefined;
}

/**
 * Whether the argument at a planned position is wrapped: not a literal or
 * `undefined` (no function, no thenable: the helpers pass those through
 * anyway, so they are left as written), not wrapped already, and not a promise
 * executor's resolve or reject where the call passes it no value (executorReferences).
 */
export function wrapsArgument<N>(context: PlanContext<N>, plan: CallbackPlan<N>, argument: N): boolean {
  const { syntax } = context;
  return (
    mayBeObject(syntax, argument) &&
    !helperCallName(syntax, argument) &&
    !(plan.settles && context.settleRefs.has(syntax.unwrapTyped(argument)))
  );
}

function mayBeObject<N>(syntax: Syntax<N>, node: N): boolean {
  const e = syntax.unwrapTyped(node);
  const kind = syntax.kind(e);
  return !(
    kind === 'literal' ||
    syntax.isTemplate(e) ||
    (kind === 'operator' && syntax.operator(e) === 'void') ||
    (kind === 'identifier' && syntax.name(e) === 'undefined')
  );
}

/** `__otelCtx.<helper>(…)`: the helper's name; how output shows a rewrite it carries already. */
export function helperCallName<N>(syntax: Syntax<N>, node: N): string | undefined {
  if (syntax.kind(node) !== 'call') return undefined;
  const access = syntax.member(syntax.callee(node));
  const ours = access && syntax.kind(access.object) === 'identifier' && syntax.name(access.object) === HELPERS.namespace;
  return ours ? access.name : undefined;
}

/**
 * Whether an identifier refers to the real global: no enclosing scope
 * declares the name, and the checker (when there is one) agrees.
 */
export function isGlobal<N>(context: PlanContext<N>, identifier: N): boolean {
  const name = context.syntax.name(identifier);
  if (context.scopes.some((scope) => scope.has(name))) return false;
  return context.oracle?.isGlobal(identifier) ?? true;
}

/**
 * `new FinalizationRegistry(cb)` with the global constructor: the callback to
 * bind (catalog: CONSTRUCTORS). `new Promise(executor)` with the global Promise:
 * notes the executor's resolve and reject references that need no binding, and
 * the calls of its resolve, whose value is adopted (they count as boundaries
 * from now on); nothing to wrap at the `new` itself.
 */
export function planNew<N>(context: PlanContext<N>, newExpression: N): CallbackPlan<N> | undefined {
  const { syntax } = context;
  const callee = syntax.callee(newExpression);
  if (syntax.kind(callee) === 'identifier') {
    const boundary = findConstructor(syntax.name(callee));
    if (boundary && !context.skip.has(boundary.category) && isGlobal(context, callee)) {
      const args = syntax.callArguments(newExpression);
      const firstSpread = args.findIndex((a) => syntax.isSpread(a));
      const positions = firstSpread === -1 ? boundary.callbacks : boundary.callbacks.filter((p) => p < firstSpread);
      return positions.length > 0
        ? { positions, helper: HELPERS.bind, kind: `new ${boundary.name}`, at: callee, settles: false }
        : undefined;
    }
  }
  planExecutor(context, newExpression);
  return undefined;
}

function planExecutor<N>(context: PlanContext<N>, newExpression: N): void {
  const executor = promiseExecutor(context, newExpression);
  if (!executor) return;
  const references = executorReferences(context.syntax, executor);
  for (const ref of references.passed) context.settleRefs.add(ref);
  if (context.skip.has(EXECUTOR_RESOLVE.category)) return;
  for (const call of references.resolveCalls) {
    context.resolveCalls.add(call);
    context.syntax.markBoundary(call);
  }
}

/** `new Promise(executor)` with the global Promise: the executor, when it is a function written there. */
function promiseExecutor<N>(context: PlanContext<N>, newExpression: N): N | undefined {
  const { syntax } = context;
  const callee = syntax.callee(newExpression);
  const first = syntax.callArguments(newExpression)[0];
  const executor = first && syntax.unwrapTyped(first);
  if (syntax.kind(callee) !== 'identifier' || syntax.name(callee) !== 'Promise') return undefined;
  if (!executor || syntax.kind(executor) !== 'function') return undefined;
  return isGlobal(context, callee) ? executor : undefined;
}

/**
 * Where a promise executor passes its resolve or reject on as a call's
 * argument (passed), and where it calls its resolve (resolveCalls), when the
 * executor does nothing else with that name but call it or pass it on: no
 * assignment, no declaration of the same name anywhere inside (so every use is
 * the parameter), no `with`, `eval` or `arguments` (which could reach it
 * unseen). Anything else, and nothing is returned for that name.
 */
function executorReferences<N>(syntax: Syntax<N>, executor: N): { passed: N[]; resolveCalls: N[] } {
  const parameters = syntax.parameters(executor);
  const names = parameters.slice(0, 2).flatMap((p) => (p.plainName === undefined ? [] : [p.plainName]));
  if (names.length === 0) return { passed: [], resolveCalls: [] };
  const resolveName = parameters[EXECUTOR_RESOLVE.parameter]?.plainName;
  const resolveCalls: N[] = [];
  const passed = new Map<string, N[]>(names.map((n) => [n, []]));
  const disqualified = new Set<string>();
  let opaque = false;
  const walk = (node: N, parent: N | undefined): void => {
    if (opaque) return;
    const kind = syntax.kind(node);
    if (kind === 'with') opaque = true;
    if (kind === 'type') return;
    if (kind === 'identifier') {
      const name = syntax.name(node);
      if (name === 'eval' || name === 'arguments') opaque = true;
      const uses = passed.get(name);
      if (uses && parent !== undefined) {
        const role = syntax.referenceRole(node, parent);
        if (role === 'argument') uses.push(node);
        else if (role === 'callee' && name === resolveName) resolveCalls.push(parent);
        // A call reads the parameter, a property name is no use of it; anything else (a write, a declaration,
        // a label, a JSX tag, another kind of read) could let it escape.
        else if (role !== 'callee' && role !== 'propertyName') disqualified.add(name);
      }
      return;
    }
    syntax.forEachChild(node, (child) => walk(child, node));
  };
  const body = syntax.body(executor);
  if (body) walk(body, undefined);
  for (const parameter of parameters) if (parameter.plainName === undefined) walk(parameter.node, executor);
  if (opaque) return { passed: [], resolveCalls: [] };
  return {
    passed: names.filter((n) => !disqualified.has(n)).flatMap((n) => passed.get(n)!),
    resolveCalls: resolveName === undefined || disqualified.has(resolveName) ? [] : resolveCalls,
  };
}

// --- what a call or `new` needs --------------------------------------------------

/** The rewrites of one call or `new` (at most one of them; listener rewrites compose with any: planListenerCall). */
export interface InvocationPlan<N> {
  /** The whole call becomes a message helper's (its arguments keep their own rewrites). */
  message?: MessagePlan<N>;
  /** Its callbacks are bound, or the value it resolves with adopted. */
  callbacks?: CallbackPlan<N>;
  /** A worker or process spawned: its options carry the context. */
  spawn?: SpawnPlan<N>;
}

/**
 * Which rewrite a call or `new` gets, decided here for both backends: a message rewrite first (with
 * `messages: true` it applies the spawn carrier itself), else a boundary's callbacks, else a spawn site.
 */
export function planInvocation<N>(context: PlanContext<N>, node: N): InvocationPlan<N> {
  const isNew = context.syntax.isConstruct(node);
  const message = planMessage(context, node, isNew);
  if (message) return { message };
  const callbacks = isNew ? planNew(context, node) : planCall(context, node);
  if (callbacks) return { callbacks };
  const spawn = planSpawn(context, node);
  return spawn ? { spawn } : {};
}

// --- functions sent as source text (catalog: SERIALIZING_METHODS, SERIALIZING_CALLS) ---

const serializingMethods = new Map(SERIALIZING_METHODS.map((m) => [m.name, m.functionArg]));
const serializingCalls = SERIALIZING_CALLS.map(declaredBoundary);
/** The module a call must come from to be one of serializingCalls (the only file that can reach it names it). */
const SERIALIZING_MODULES = [...new Set(SERIALIZING_CALLS.map((c) => c.module))];

/**
 * `page.evaluate(async () => { await x })`, `page.evaluate(check)`, workerpool's `pool.exec(fn, [a])`: the
 * function is sent elsewhere as its source text and run where `__otelCtx` does not exist, so it is left
 * exactly as written (context.asWritten), rewrites inside it included: a literal at the call, or the
 * declaration a name passed there resolves to in this file (`function check() {}`, `const check = () =>
 * {}`). Before the walk, since a declaration is usually visited before the call that sends it; costs a
 * walk only where the file spells a serializing method (or names a module of serializingCalls).
 */
export function markSerializedFunctions<N>(context: PlanContext<N>, program: N, text: string): void {
  const { syntax, oracle } = context;
  const words = [...serializingMethods.keys()].filter((name) => text.includes(name));
  const modules = SERIALIZING_MODULES.some((m) => text.includes(m));
  if (modules) words.push(...new Set(serializingCalls.map((b) => b.path[b.path.length - 1]!)));
  if (words.length === 0) return;
  // The calls are worth a walk now, and count as boundary words for the one after (they may hold none).
  for (const word of words) syntax.markWord(word);
  // The scopes around the node (for origins), and the functions each declares (found when first asked).
  const scopes: Array<Scope<N>> = [];
  const declaring: Array<{ node: N; functions?: Map<string, N> }> = [];
  const origins = modules ? { syntax, oracle, scopes } : undefined;
  const walk = (node: N): void => {
    if (syntax.kind(node) === 'type' || syntax.holdsNoBoundaryWord(node)) return;
    if (syntax.kind(node) === 'call' && !syntax.isConstruct(node)) {
      const arg = serializedArgument(syntax, node, origins);
      const sent = arg && syntax.unwrapTyped(arg);
      if (sent && syntax.kind(sent) === 'function') context.asWritten.add(sent);
      else if (sent && syntax.kind(sent) === 'identifier') {
        const declared = declaredFunction(syntax, scopes, declaring, syntax.name(sent));
        if (declared) context.asWritten.add(declared);
      }
    }
    const opens = syntax.scopeParts(node) !== undefined;
    if (opens) {
      scopes.push(lazyScope(syntax, node));
      declaring.push({ node });
    }
    syntax.forEachChild(node, walk);
    if (opens) {
      scopes.pop();
      declaring.pop();
    }
  };
  walk(program);
}

/** The argument a serializing call sends as source text (none behind a spread); `origins` resolves workerpool's. */
function serializedArgument<N>(syntax: Syntax<N>, call: N, origins: OriginContext<N> | undefined): N | undefined {
  const callee = syntax.callee(call);
  const access = syntax.member(callee);
  if (!access) return undefined;
  let position = serializingMethods.get(access.name);
  if (position === undefined && origins && serializingCalls.some((b) => b.path[b.path.length - 1] === access.name)) {
    const origin = originOf(origins, callee);
    position = origin && findDeclared(serializingCalls, origin)?.callbacks[0];
  }
  if (position === undefined) return undefined;
  const args = syntax.callArguments(call);
  return args.slice(0, position + 1).some((a) => syntax.isSpread(a)) ? undefined : args[position];
}

/** The function `name` is declared as, in the innermost scope that declares it: a function declaration or a `const`/`let`/`var` set to a function. */
function declaredFunction<N>(
  syntax: Syntax<N>,
  scopes: ReadonlyArray<Scope<N>>,
  declaring: Array<{ node: N; functions?: Map<string, N> }>,
  name: string,
): N | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) {
    if (!scopes[i]!.has(name)) continue;
    const s = declaring[i]!;
    if (!s.functions) {
      s.functions = new Map();
      for (const statement of syntax.scopeParts(s.node)?.statements ?? []) {
        const declaration = syntax.unwrapExport(statement);
        const kind = syntax.kind(declaration);
        const declared = kind === 'function' ? syntax.declaredName(declaration) : undefined;
        if (declared !== undefined) s.functions.set(declared, declaration);
        if (kind !== 'variables') continue;
        for (const d of syntax.declarators(declaration)) {
          const init = d.init && syntax.unwrapTyped(d.init);
          if (d.plainName && init && syntax.kind(init) === 'function') s.functions.set(syntax.name(d.id), init);
        }
      }
    }
    return s.functions.get(name);
  }
  return undefined;
}

// --- messages (issue 9, opt-in) ----------------------------------------------------

/**
 * A message rewrite: the call or `new` becomes a call of `helper` with `receiver` (when there is
 * one) before the original arguments, which keep their order and their own rewrites:
 *   target.postMessage(a, b)  →  postMessage(target, a, b)
 *   postMessage(a)            →  postGlobalMessage(a)
 *   new Worker(a, b)          →  messageConstruct(Worker, a, b)
 * Every operand is evaluated in the same order as before; only the read of the `postMessage`
 * property moves after the arguments (inside the helper).
 */
export interface MessagePlan<N> {
  helper: (typeof MESSAGE_HELPERS)[keyof typeof MESSAGE_HELPERS];
  /** The post's target or the constructor, as unwrapped by the syntax (the backends emit the node that holds it). */
  receiver?: N;
  /** The receiver is a call's callee itself (a message call), not the object of its member access. */
  callee?: boolean;
  /** Strings passed, as an array literal, before the receiver (declaredChannel's declared names). */
  leading?: readonly string[];
  kind: string;
  at: N;
}

/**
 * With `messages: true`: `x.postMessage(...)` (not in an optional chain, not on `super`), a bare
 * global `postMessage(...)`, and `new C(...)` where C is named like a channel constructor
 * (catalog: MESSAGE_CONSTRUCTORS). The runtime decides, per target and per constructor, whether
 * anything is carried; everything else runs exactly as written.
 */
export function planMessage<N>(context: PlanContext<N>, node: N, isNew: boolean): MessagePlan<N> | undefined {
  if (!context.messages) return undefined;
  const { syntax } = context;
  const callee = syntax.callee(node);
  if (isNew) {
    const access = syntax.member(callee);
    const name = syntax.kind(callee) === 'identifier' ? syntax.name(callee) : access?.name;
    if (name === BROADCAST_CHANNEL && context.broadcastChannels?.length) {
      const names = context.broadcastChannels;
      // A name written as a literal that is not declared: nothing to decide at run time.
      const written = syntax.callArguments(node)[0];
      const literal = written && syntax.stringValue(written);
      if (literal !== undefined && !names.includes(literal)) return undefined;
      return {
        helper: MESSAGE_HELPERS.declaredChannel,
        leading: names,
        receiver: callee,
        kind: `new ${name}`,
        at: access?.nameNode ?? callee,
      };
    }
    if (name === undefined || !MESSAGE_CONSTRUCTORS.includes(name)) return undefined;
    return { helper: MESSAGE_HELPERS.messageConstruct, receiver: callee, kind: `new ${name}`, at: access?.nameNode ?? callee };
  }
  if (syntax.isOptionalChain(node)) return undefined;
  const opening = messageCall(context, callee);
  if (opening) return opening;
  if (syntax.kind(callee) === 'identifier') {
    if (syntax.name(callee) !== MESSAGE_POST_METHOD || !isGlobal(context, callee)) return undefined;
    return { helper: MESSAGE_HELPERS.postGlobalMessage, kind: MESSAGE_POST_METHOD, at: callee };
  }
  const access = syntax.member(callee);
  if (!access || access.name !== MESSAGE_POST_METHOD || syntax.kind(access.object) === 'super') return undefined;
  // Our own output (`__otelCtx.postMessage(target, ...)`) is never rewritten again.
  if (syntax.kind(access.object) === 'identifier' && syntax.name(access.object) === HELPERS.namespace) return undefined;
  return { helper: MESSAGE_HELPERS.postMessage, receiver: access.object, kind: MESSAGE_POST_METHOD, at: access.nameNode };
}

/** A function that opens a carried channel (catalog: MESSAGE_CALLS), by origin: `f(a)` → `helper(f, a)`. */
function messageCall<N>(context: PlanContext<N>, callee: N): MessagePlan<N> | undefined {
  const access = context.syntax.member(callee);
  if (!worthResolving(context, callee, access)) return undefined;
  const origin = originOf(context, callee);
  const declared = origin && findDeclared(context.boundaries ?? [], origin);
  if (!declared?.message || context.skip.has(declared.category)) return undefined;
  return { helper: declared.message, receiver: callee, callee: true, kind: declared.label, at: access?.nameNode ?? callee };
}

// --- listeners (issue 10, items 1 and 2) -------------------------------------------
// Catalog: LISTENER_METHODS, HANDLER_PROPERTY, STARTED_BOUNDARIES. Runtime: src/runtime/listeners.ts.

/**
 * A rewrite of a member access's receiver: `R.m(args)` becomes `helper(R, "m").m(args)` and
 * `R.p = v` becomes `helper(R, "p").p = v` (R evaluated once, the chain and `this` kept); or, with
 * `value`, the assigned value is wrapped: `R.onx = helper(v)`.
 */
export interface ReceiverPlan<N> {
  helper: string;
  /** The member's name, passed to the helper. */
  name: string;
  /** Wrap the assigned value instead of the receiver. */
  value?: boolean;
  kind: string;
  at: N;
}

/**
 * `el.addEventListener(t, fn)`, `ee.on(t, fn)`, their removals, `xhr.send(body)`. Registration
 * mode: a receiver the checker types as EventTarget / EventEmitter; untyped or without a checker,
 * only the unambiguous shapes (isListenerShape). Either mode: an XHR, img or script proven so
 * (startedKind) has its listeners run in the context of `send()` / `src`.
 */
export function planListenerCall<N>(context: PlanContext<N>, call: N): ReceiverPlan<N> | undefined {
  const { syntax } = context;
  const access = syntax.member(syntax.writtenCallee(call));
  if (!access || syntax.kind(access.object) === 'super' || syntax.isOptionalChain(access.object)) return undefined;
  const args = syntax.callArguments(call);
  const method = findListenerMethod(access.name);
  const started = startedKind(context, access.object);
  if (started?.start.method === access.name) {
    return { helper: LISTENER_HELPERS.starts, name: access.name, kind: access.name, at: access.nameNode };
  }
  if (!method || args.some((a) => syntax.isSpread(a))) return undefined;
  if (method.listener === undefined ? args.length > 1 : args.length <= method.listener) return undefined;
  const registration = context.listeners === 'registration';
  const eventType = args[0] && syntax.stringValue(syntax.unwrapTyped(args[0]));
  if (started && method.receiver === 'EventTarget' && (!started.events || started.events.includes(eventType!))) {
    const helper = registration ? LISTENER_HELPERS.listen : LISTENER_HELPERS.listenStarted;
    return { helper, name: access.name, kind: access.name, at: access.nameNode };
  }
  if (!registration) return undefined;
  const typed = context.oracle?.receiverIs(access.object, [method.receiver]);
  if (typed === false || (typed === undefined && !isListenerShape(syntax, method.receiver, args))) return undefined;
  return { helper: LISTENER_HELPERS.listen, name: access.name, kind: access.name, at: access.nameNode };
}

/**
 * Without a type for the receiver, `.on(` could be any library's: rewritten only in the shapes
 * EventTarget and EventEmitter are called with, whatever the receiver (the helper passes a
 * listener that is not a function through unchanged, and calls the receiver's own method):
 * addEventListener / removeEventListener with 2 or 3 arguments; the emitter methods with exactly
 * 2, the first a string (or a name), the second not a literal; removeAllListeners with 0 or 1.
 */
function isListenerShape<N>(syntax: Syntax<N>, receiver: 'EventTarget' | 'EventEmitter', args: readonly N[]): boolean {
  // removeAllListeners() or removeAllListeners(type): the name is the emitter's.
  if (args.length < 2) return true;
  const listener = args[1]!;
  if (!mayBeObject(syntax, listener)) return false;
  if (receiver === 'EventTarget') return args.length <= 3;
  const type = syntax.unwrapTyped(args[0]!);
  return args.length === 2 && (syntax.stringValue(type) !== undefined || syntax.kind(type) === 'identifier');
}

/**
 * `el.onclick = fn` (registration mode, any receiver the checker does not type as something else
 * than an EventTarget), `xhr.onload = fn` on a proven XHR, img or script (both modes): the value is
 * wrapped. `img.src = url` on a proven img or script: the receiver.
 */
export function planListenerAssignment<N>(context: PlanContext<N>, assignment: N): ReceiverPlan<N> | undefined {
  const { syntax } = context;
  const parts = syntax.assignment(assignment);
  const access = parts && syntax.member(parts.target);
  if (!access || syntax.kind(access.object) === 'super' || syntax.isOptionalChain(access.object)) return undefined;
  const started = startedKind(context, access.object);
  if (started?.start.property === access.name) {
    return { helper: LISTENER_HELPERS.starts, name: access.name, kind: access.name, at: access.nameNode };
  }
  if (!HANDLER_PROPERTY.test(access.name) || !mayBeObject(syntax, parts.value)) return undefined;
  const registration = context.listeners === 'registration';
  if (started && (!started.events || started.events.includes(access.name.slice(2)))) {
    const helper = registration ? LISTENER_HELPERS.handler : LISTENER_HELPERS.startedHandler;
    return { helper, name: access.name, value: true, kind: access.name, at: access.nameNode };
  }
  if (!registration || context.oracle?.receiverIs(access.object, ['EventTarget']) === false) return undefined;
  return { helper: LISTENER_HELPERS.handler, name: access.name, value: true, kind: access.name, at: access.nameNode };
}

/**
 * An XHR, img or script: the checker's type says so, or (checker or not) the receiver is a name
 * whose innermost declaration is a `const` initialised with `new XMLHttpRequest()`, `new Image()`
 * or `document.createElement("img" | "script")`, those globals not shadowed here.
 */
function startedKind<N>(context: PlanContext<N>, object: N): StartedBoundary | undefined {
  const { syntax, oracle } = context;
  if (oracle) {
    const typed = STARTED_BOUNDARIES.find((b) => oracle.receiverIs(object, b.types) === true);
    if (typed) return typed;
  }
  // `xhr.upload`: a part of a proven one.
  const part = syntax.member(object);
  if (part && !syntax.isOptionalChain(object)) {
    const whole = startedKind(context, part.object);
    return whole?.parts && Object.hasOwn(whole.parts, part.name) ? whole.parts[part.name] : undefined;
  }
  if (syntax.kind(object) !== 'identifier') return undefined;
  const name = syntax.name(object);
  let init: N | undefined;
  for (let i = context.scopes.length - 1; i >= 0; i--) {
    const binding = context.scopes[i]!.binding(name);
    if (binding) {
      init = binding.kind === 'const' && binding.path.length === 0 ? binding.init : undefined;
      break;
    }
  }
  const value = init && syntax.unwrapTyped(init);
  if (!value || !(syntax.isConstruct(value) || syntax.kind(value) === 'call')) return undefined;
  const callee = syntax.callee(value);
  if (syntax.isConstruct(value)) {
    if (syntax.kind(callee) !== 'identifier' || !isGlobal(context, callee)) return undefined;
    return STARTED_BOUNDARIES.find((b) => b.constructors.includes(syntax.name(callee)));
  }
  const access = syntax.member(callee);
  const tag = syntax.callArguments(value)[0];
  const tagName = tag && syntax.stringValue(tag)?.toLowerCase();
  if (!access || access.name !== 'createElement' || tagName === undefined) return undefined;
  if (syntax.kind(access.object) !== 'identifier' || syntax.name(access.object) !== 'document' || !isGlobal(context, access.object)) {
    return undefined;
  }
  return STARTED_BOUNDARIES.find((b) => b.tags.includes(tagName));
}

// --- debug mode (issue 10, item 6) -----------------------------------------------------------------

/**
 * In a debug build (`debug: true`), the node whose start is a helper call's site (catalog:
 * SITE_HELPERS): a bound callback's boundary name (`setTimeout`, `then`: the plan's `at`), an await or
 * yield itself, a frame's function body. Undefined for a helper that takes no site.
 */
export function siteNode<N>(syntax: Syntax<N>, helper: string, node: N, plan?: CallbackPlan<N>): N | undefined {
  if (!SITE_HELPERS.has(helper)) return undefined;
  if (helper === HELPERS.bind) return plan?.at;
  if (helper === HELPERS.frame || helper === HELPERS.genFrame) return syntax.body(node);
  return node;
}

/** A site as debug builds pass it: `file:line:col` (1-based, the original source's). */
export function siteText(file: string, line: number, column: number): string {
  return `${file}:${line}:${column}`;
}
// --- end debug mode --------------------------------------------------------------------------------

// --- threads and processes ---------------------------------------------------------

/**
 * How a spawn site hands its options to a carrier helper (catalog: SPAWN_BOUNDARIES):
 * - `wrap`: the argument at `position` goes through `helper`: `spawn(cmd, args, spawnOptions(options))`;
 * - `insert`: `helper()` is inserted as the argument at `position` (options were left out): `new Worker(file,
 *   workerOptions())`, `exec(cmd, spawnOptions(), callback)`; for `webWorkerName`, `{ name: webWorkerName() }`;
 * - `name`: the object literal at `position` keeps every property as written, its `name` property's `value` goes
 *   through `helper` (`webWorkerName`), or, without one, `name: webWorkerName()` is added at its end: bundlers
 *   read that literal (Vite its `type`, webpack its `type` and `name`);
 * - `arguments`: where the options are is known only at run time (an argv or a callback that may be left out,
 *   a spread): `spawn(...spawnArgs([a, b, c], withArgv, withCallback))`.
 */
export interface SpawnPlan<N> {
  how: 'wrap' | 'insert' | 'name' | 'arguments';
  helper: CarrierHelper;
  position: number;
  /** `name`: the name property's value, when the literal has one, and whether it is written `{ name }`. */
  value?: N;
  shorthand?: boolean;
  withArgv: boolean;
  withCallback: boolean;
  /** What it is, for reports: `new Worker`, `spawn`. */
  kind: string;
  /** The node whose start reports it: the callee. */
  at: N;
  /** The input carries this rewrite already (a processed file): nothing to change. */
  rewritten: boolean;
}

/**
 * A call or `new` that starts a worker or a process, by where its callee comes
 * from (origins.ts): `new Worker` of `node:worker_threads`, the spawning
 * functions of `node:child_process`, the global `Worker` on a module of this
 * build. The options it will be given carry the context at the call.
 */
export function planSpawn<N>(context: PlanContext<N>, node: N): SpawnPlan<N> | undefined {
  const { syntax } = context;
  if (!context.carriers) return undefined;
  const construct = syntax.isConstruct(node);
  const callee = syntax.callee(node);
  // `(0, cp.spawn)(…)`: compilers' CommonJS output calls imports that way.
  const direct = syntax.unwrapTyped(syntax.sequenceValue(callee) ?? callee);
  // Only a callee spelt like one is looked up (resolving an origin collects the scopes' names).
  const spelt = syntax.kind(direct) === 'identifier' ? syntax.name(direct) : syntax.member(direct)?.name;
  if (spelt === undefined || !(isSpawnName(spelt) || context.calleeNames?.has(spelt))) return undefined;
  const origin = originOf(context, direct);
  const boundary = origin && findSpawnBoundary(origin, construct);
  if (!boundary || context.skip.has(boundary.category)) return undefined;
  const args = syntax.callArguments(node);
  if (args.length === 0) return undefined;
  if (boundary.sameBuildOnly && !isModuleOfThisBuild(context, args[0]!)) return undefined;
  const plan = (how: SpawnPlan<N>['how'], position: number, helper: CarrierHelper = boundary.helper, value?: N): SpawnPlan<N> => ({
    how,
    helper,
    position,
    value,
    withArgv: !!boundary.argv,
    withCallback: !!boundary.callback,
    kind: construct ? `new ${boundary.name}` : boundary.name,
    at: callee,
    rewritten: false,
  });
  // A processed file: the helper is there already (around an argument, or spreading them all).
  const only = args.length === 1 && syntax.isSpread(args[0]!) ? syntax.operand(args[0]!) : undefined;
  const spreading = only && helperCallName(syntax, only);
  if (spreading === CARRIER_HELPERS.spawnArgs || spreading === CARRIER_HELPERS.workerArgs) {
    return { ...plan('arguments', 0, spreading), rewritten: true };
  }
  const carrying = args.findIndex((a) => isCarrierHelper(helperCallName(syntax, a)));
  if (carrying !== -1) return { ...plan('wrap', carrying), rewritten: true };
  const firstSpread = args.findIndex((a) => syntax.isSpread(a));
  if (boundary.options === 1 && !boundary.callback) {
    // Worker: the options are the second argument or absent; behind a spread, workerArgs finds them
    // (a browser Worker's first argument must be seen to be a module of this build).
    if (firstSpread !== -1 && firstSpread <= 1) return boundary.helper === 'workerOptions' ? plan('arguments', 0, 'workerArgs') : undefined;
    if (boundary.helper === 'webWorkerOptions') return planWebWorker(context, plan, args[1]);
    return args.length === 1 ? plan('insert', 1) : alreadyOrWrap(syntax, plan, args, 1);
  }
  if (firstSpread !== -1) return plan('arguments', 0, 'spawnArgs');
  // child_process: find the options as Node does, where the written arguments say; else at run time.
  let at = 1;
  if (boundary.argv) {
    const argv = args[1];
    const shape = argv && argumentShape(syntax, argv);
    if (shape === 'array' || shape === 'null') at = 2;
    else if (shape === undefined && argv !== undefined) return plan('arguments', 0, 'spawnArgs');
  }
  const options = args[at];
  if (options === undefined) return plan('insert', at);
  const shape = argumentShape(syntax, options);
  if (shape === 'object' || shape === 'null') return alreadyOrWrap(syntax, plan, args, at);
  if (shape === 'function') return boundary.callback ? plan('insert', at) : undefined;
  if (shape === 'array') return undefined; // Node rejects it: left as written
  // A callback may stand there; without one, spawnOptions passes anything but a dictionary on as it is.
  return boundary.callback ? plan('arguments', 0, 'spawnArgs') : plan('wrap', at);
}

/** Where spawning functions come from: a file that names neither may still alias the browser `Worker` (a const, found by its words). */
const SPAWN_MODULE_NAMES = ['child_process', 'worker_threads'];

const isCarrierHelper = (name: string | undefined): boolean => name !== undefined && Object.hasOwn(CARRIER_HELPERS, name);

type MakePlan<N> = (how: SpawnPlan<N>['how'], position: number, helper?: CarrierHelper, value?: N) => SpawnPlan<N>;

function alreadyOrWrap<N>(syntax: Syntax<N>, plan: MakePlan<N>, args: readonly N[], position: number): SpawnPlan<N> {
  const done = helperCallName(syntax, args[position]!) !== undefined;
  return { ...plan('wrap', position), rewritten: done };
}

/**
 * A browser Worker of this build: an options object literal keeps its
 * properties (bundlers read it) and gets its name through webWorkerName;
 * other options go through webWorkerOptions; absent ones become `{ name: webWorkerName() }`.
 */
function planWebWorker<N>(context: PlanContext<N>, plan: MakePlan<N>, options: N | undefined): SpawnPlan<N> | undefined {
  const { syntax } = context;
  if (options === undefined) return plan('insert', 1, 'webWorkerName');
  if (helperCallName(syntax, options) !== undefined) return { ...plan('wrap', 1), rewritten: true };
  // Written as a literal, not wrapped (`{ … } as WorkerOptions` is wrapped whole): the shape bundlers read.
  if (syntax.literalShape(options) !== 'object') return plan('wrap', 1);
  const properties = syntax.objectProperties(options);
  if (properties.some((p) => !p.plain)) return plan('wrap', 1);
  // The last `name` is the one the object holds.
  const named = properties.filter((p) => p.plain && p.name === 'name').pop() as Extract<ObjectProperty<N>, { plain: true }> | undefined;
  const value = named?.value;
  const rewritten = value !== undefined && helperCallName(syntax, value) !== undefined;
  return { ...plan('name', 1, 'webWorkerName', value), shorthand: !!named?.shorthand, rewritten };
}

/** `new URL('./w.ts', import.meta.url)` with the global URL: a module bundlers build with this one. */
function isModuleOfThisBuild<N>(context: PlanContext<N>, node: N): boolean {
  const { syntax } = context;
  const url = syntax.unwrapTyped(node);
  if (!syntax.isConstruct(url)) return false;
  const callee = syntax.callee(url);
  const [specifier, base] = syntax.callArguments(url);
  if (syntax.kind(callee) !== 'identifier' || syntax.name(callee) !== 'URL' || !isGlobal(context, callee)) return false;
  if (!specifier || syntax.stringValue(specifier) === undefined || !base) return false;
  const meta = syntax.member(syntax.unwrapTyped(base));
  return !!meta && meta.name === 'url' && syntax.isImportMeta(meta.object);
}

/** What an argument is, as far as Node's argument shuffling goes; undefined when only the run time knows. */
function argumentShape<N>(syntax: Syntax<N>, node: N): 'array' | 'object' | 'null' | 'function' | undefined {
  const e = syntax.unwrapTyped(node);
  if (syntax.kind(e) === 'function') return 'function';
  if (syntax.kind(e) === 'identifier' && syntax.name(e) === 'undefined') return 'null';
  return syntax.literalShape(e);
}
