/**
 * Seeded generator of random async programs for differential fuzzing (see
 * fuzz/run.ts). A program is a tree of statement lists, so that a failing one
 * can be shrunk by deleting statements and unwrapping blocks, and renders to
 * JavaScript or TypeScript source text.
 *
 * Every program is deterministic by construction: it logs events with
 * `log(...)`, and the order of those events depends only on the order of jobs,
 * never on wall-clock time:
 *  - it uses ONE macrotask family: setTimeout/setInterval with one fixed delay
 *    (timers of one duration fire in the order they were scheduled), or
 *    setImmediate only, or no macrotasks at all; microtasks (promise jobs,
 *    queueMicrotask, process.nextTick) mix freely with any family;
 *  - loops and generators are bounded, functions only call functions made for
 *    a deeper level (no recursion), and every timer it starts it also awaits
 *    (the runner drains whatever is left, and a watchdog stops a hang);
 *  - synchronous timer and microtask callbacks never throw (an uncaught
 *    exception would end the job early).
 *
 * Context checks: every function takes the context it is expected to run in as
 * its first parameter `ct` (the caller passes the value it is running in), and
 * `chk(expected, tag)` compares `V.get()` (an AsyncContext.Variable) with it at
 * points where the target semantics (/work/shared/semantics.md) fix the value:
 * after awaits, in catch/finally, in callbacks (registration context), in
 * generator bodies (creation context), in the `then` of an awaited thenable.
 * `V.run('cN', ...)` switches the context. The checks never log events, so the
 * event log is the same whether the context is right or not.
 */

// ---------------------------------------------------------------------------
// Program tree

/** One statement (possibly compound): text parts and nested statement lists. */
export interface Stmt {
  parts: Part[];
}
export type Part = string | Stmt[];

export type Lang = 'js' | 'ts';
export type TimerFamily = 'none' | 'timeout' | 'immediate';

export interface Program {
  seed: number;
  lang: Lang;
  timers: TimerFamily;
  /** The one setTimeout/setInterval delay used (timeout family). */
  delay: number;
  /** Top-level declarations (functions, classes, objects), before the body. */
  decls: Stmt[];
  /** Top-level statements (sections in `try { } catch`), in the root context. */
  body: Stmt[];
  /** Rendered without semicolons at line ends (automatic semicolon insertion). */
  asi?: boolean;
}

export interface GenerateOptions {
  /** Force the language; default: random (about one in three programs is TypeScript). */
  lang?: Lang;
  /** Statement budget; default: random 20..100. */
  size?: number;
  /** Shapes of known, reported transform bugs not to generate (see KNOWN_ISSUES). Default: none. */
  avoid?: readonly KnownIssue[];
}

/**
 * Known differences the fuzzer finds and that stay: documented limits of the transform (README.md,
 * "Limits" and "What is the real global?"; minimal repros in fuzz/known-issues/, see fuzz/README.md),
 * each with why it stays. Neither the fixed test set nor `npm run fuzz` generates them;
 * `npm run fuzz -- --include-known` does.
 * A bug that gets fixed leaves this list (with the generator's avoid-logic for it), and its repro
 * moves to test/fuzz-regressions/.
 */
export const KNOWN_ISSUES = [
  /**
   * A generator whose parameter list cannot take the frame (it has a rest parameter, or its body
   * starts with a 'use strict' directive) gets it at the first next() instead of at creation: the
   * body runs in the context of the first next() call.
   * Stays: capturing at creation needs code that runs when the generator object is made, and only the
   * parameter list does; a parameter after a rest one is a syntax error, and so is a non-simple list
   * with a 'use strict' body (in sloppy code that reads `arguments` it would change the aliasing).
   * Wrapping the function instead would change its identity, name, length and prototype.
   */
  'generator-frame-in-body',
  /**
   * Awaiting a Proxy: suspend() inspects the value (instanceof Promise, property descriptors up the
   * prototype chain) before `await` does, and the Proxy's traps see those operations instead of the
   * one `get then` of a plain await.
   * Stays: suspend() has to tell a promise (awaited as it is, to keep __awaiter's timing) from a
   * thenable (whose then must run in the await's context), and find a data `then` without calling a
   * getter twice: that takes inspecting the value first. Only a Proxy's traps can tell.
   */
  'exotic-awaitables',
  /**
   * `.then(cb)` on an object that is not a promise (no type checker: every .then is rewritten) passes
   * a wrapper instead of `cb`: another identity, `length` 0 and another `name`.
   * Stays: without a checker a `.then` cannot be told from a promise's, and a missed promise loses the
   * trace; keeping `length` and `name` would cost two defineProperty calls per bound callback on the
   * hot path, and the identity would differ anyway. With a checker (tspc) such calls are not rewritten.
   */
  'non-promise-then-callback',
] as const;
export type KnownIssue = (typeof KNOWN_ISSUES)[number];

/** mulberry32: small, fast, well-distributed 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------
// Rendering

/** What the runner provides on globalThis.__fuzz (see fuzz/runner.mjs). */
const ENV_NAMES = '{ log, tap, chk, err, obj, V, T, ticks }';

export function render(p: Program): string {
  const lines: string[] = [];
  lines.push(
    `// otel-context-transformer fuzz program: seed ${p.seed}, ${p.lang}, timers ${p.timers}${p.timers === 'timeout' ? ` (${p.delay} ms)` : ''}${p.asi ? ', no semicolons' : ''}`,
  );
  // First, as imports are in real modules (see fuzz/README.md: the text backend cannot parse a .js/.ts file whose
  // top-level `await {` comes before any import/export).
  lines.push('export {};');
  lines.push(p.lang === 'ts' ? `const ${ENV_NAMES} = (globalThis as any).__fuzz;` : `const ${ENV_NAMES} = globalThis.__fuzz;`);
  lines.push(renderList(p.decls, ''));
  lines.push(renderList(p.body, ''));
  lines.push('for (let q; (q = T.take()).length; ) await Promise.allSettled(q);');
  lines.push("log('end');");
  const text = lines.filter((l) => l !== '').join('\n') + '\n';
  return p.asi ? withoutSemicolons(text) : text;
}

/** Drops the semicolons at line ends, except where the next line would continue the statement (ASI hazards). */
function withoutSemicolons(text: string): string {
  const rows = text.split('\n');
  return rows
    .map((row, i) => {
      const next = (rows[i + 1] ?? '').trimStart();
      return /^[([`+\-*/]/.test(next) ? row : row.replace(/;[ \t]*$/, '');
    })
    .join('\n');
}

function renderList(list: Stmt[], indent: string): string {
  return list.map((s) => renderStmt(s, indent)).join('\n');
}

function renderStmt(s: Stmt, indent: string): string {
  let out = indent;
  for (const part of s.parts) {
    if (typeof part === 'string') out += part;
    else if (part.length > 0) out += '\n' + renderList(part, indent + '  ') + '\n' + indent;
  }
  return out;
}

/** Number of statements in the tree (a size measure for shrinking reports). */
export function countStatements(p: Program): number {
  const count = (list: Stmt[]): number =>
    list.reduce((n, s) => n + 1 + s.parts.reduce<number>((m, part) => m + (typeof part === 'string' ? 0 : count(part)), 0), 0);
  return count(p.decls) + count(p.body);
}

// ---------------------------------------------------------------------------
// Generation

interface Ctx {
  /** `await` allowed (async function, async arrow, module top level). */
  async: boolean;
  /** `yield` allowed; `agen`: in an async generator. */
  gen: 'no' | 'sync' | 'async';
  /** Expression for the context this code must run in. */
  ct: string;
  /** The context checks are meaningful here (false: e.g. inside a then getter). */
  checkable: boolean;
  /** A synchronous throw here is caught or becomes a rejection (false in sync timer callbacks). */
  mayThrow: boolean;
  /** `return` allowed. */
  canReturn: boolean;
  /** Enclosing loop labels (this function only); `loop`: unlabelled break/continue allowed. */
  labels: string[];
  loop: boolean;
  /** Inside a switch (unlabelled break allowed). */
  inSwitch: boolean;
  /** Function nesting level: code at level L only calls functions made for a deeper level. */
  level: number;
  /** Block nesting depth. */
  depth: number;
  /** Loop nesting depth (execution cost). */
  loopDepth: number;
  /** Numeric variables in scope. */
  vars: string[];
  /** Variables holding promises in scope. */
  proms: string[];
  /** `arguments` refers to a function's arguments. */
  argsOk: boolean;
  /** `this.k` is a number (methods, class-field arrows). */
  thisK: boolean;
  /** Name of the numeric parameter in scope, if any. */
  param?: string;
  /** Module-level code (not inside any function). */
  topLevel: boolean;
}

type FnKind = 'async' | 'sync' | 'gen' | 'agen';

interface FnInfo {
  kind: FnKind;
  level: number;
  /** Call expression with CT and ARG placeholders. */
  call: string;
  /** May throw synchronously when called (sync) or iterated (generators). */
  throws: boolean;
  /** An identifier whose .length/.name can be logged. */
  ref?: string;
}

const MAX_LEVEL = 3;
const MAX_DEPTH = 4;

/** Schedulers under names of their own: `const`, destructured, from the global object (origins.ts follows each). */
const ALIASES: Readonly<Record<string, string>> = {
  fzSt: 'const { setTimeout: fzSt } = globalThis;',
  fzTimeout: 'const fzTimeout = setTimeout;',
  fzImmediate: 'const fzImmediate = globalThis.setImmediate;',
  fzLater: 'const fzLater = queueMicrotask;',
  fzTick: 'const { nextTick: fzTick } = process;',
};

class Generator {
  private readonly r: () => number;
  private id = 0;
  private budget: number;
  readonly decls: Stmt[] = [];
  private readonly aliases = new Set<string>();
  private readonly fns: FnInfo[] = [];
  readonly lang: Lang;
  readonly timers: TimerFamily;
  readonly delay: number;
  readonly asi: boolean;
  private readonly avoid: ReadonlySet<KnownIssue>;
  private readonly exotic: boolean;
  private readonly foreignThen: boolean;

  constructor(
    readonly seed: number,
    options: GenerateOptions,
  ) {
    this.r = mulberry32(seed);
    this.lang = options.lang ?? (this.r() < 0.35 ? 'ts' : 'js');
    const t = this.r();
    this.timers = t < 0.3 ? 'none' : t < 0.62 ? 'immediate' : 'timeout';
    this.delay = this.pick([0, 1, 2]);
    this.budget = options.size ?? 20 + this.int(81);
    this.asi = this.chance(0.15);
    this.avoid = new Set(options.avoid ?? []);
    this.exotic = !this.avoid.has('exotic-awaitables');
    this.foreignThen = !this.avoid.has('non-promise-then-callback');
  }

  /** Bodies of functions written inside expressions (callbacks, IIFEs, executors), by marker id. */
  readonly bodies = new Map<string, Stmt[]>();

  /**
   * A function with a statement body inside an expression: the expression text holds a marker that
   * generate() replaces by the body as a statement list, so that shrinking can delete statements
   * inside callbacks too.
   */
  private inline(head: string, body: Stmt[], tail: string): string {
    const id = `b${this.bodies.size}`;
    this.bodies.set(id, body);
    return `${head}${MARK}${id}${MARK}${tail}`;
  }

  // -- randomness ----------------------------------------------------------

  private int(n: number): number {
    return Math.floor(this.r() * n);
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  private weighted<T>(options: [number, () => T][]): T {
    const live = options.filter(([w]) => w > 0);
    const total = live.reduce((s, [w]) => s + w, 0);
    let x = this.r() * total;
    for (const [w, f] of live) {
      if ((x -= w) < 0) return f();
    }
    return live[live.length - 1]![1]();
  }
  private uid(prefix: string): string {
    return `${prefix}${++this.id}`;
  }
  private small(): number {
    return this.int(5);
  }

  // -- TypeScript sugar (empty in JS) -------------------------------------

  private get ts(): boolean {
    return this.lang === 'ts';
  }
  private ty(annotation: string): string {
    return this.ts ? annotation : '';
  }
  private params(withA = true, shape: 'simple' | 'default' | 'rest' | 'restPattern' = 'simple'): string {
    const ctType = this.ts ? `: ${this.pick(['string | undefined', 'any', 'string'])}` : '';
    if (!withA) return `ct${ctType}`;
    switch (shape) {
      case 'default':
        return `ct${ctType}, a${this.ty(': number')} = ${this.small()}`;
      case 'rest':
        return `ct${ctType}, a${this.ty(': number')}, ...rest${this.ty(': any[]')}`;
      case 'restPattern':
        return `ct${ctType}, ...[a, b]${this.ty(': any[]')}`;
      default:
        return `ct${ctType}, a${this.ts && this.chance(0.3) ? '?' : ''}${this.ty(': number')}`;
    }
  }
  private cast(expr: string): string {
    if (!this.ts || !this.chance(0.25)) return expr;
    return this.pick([`(${expr} as number)`, `(${expr} as any)`, `(<number>${expr})`, `${expr}!`, `(${expr} satisfies number)`]);
  }

  // -- small expressions ---------------------------------------------------

  private num(c: Ctx): string {
    const options: [number, () => string][] = [
      [3, () => String(this.small())],
      [c.vars.length ? 2 : 0, () => this.cast(this.pick(c.vars))],
      [c.param ? 2 : 0, () => `(${c.param} ?? 0)`],
      [c.vars.length ? 1 : 0, () => `${this.pick(c.vars)} + ${this.small()}`],
      [c.thisK ? 1 : 0, () => 'this.k'],
    ];
    return this.weighted(options);
  }
  private cond(c: Ctx): string {
    return `${this.num(c)} ${this.pick(['>', '<', '===', '!==', '>='])} ${this.small()}`;
  }
  private errExpr(): string {
    return this.weighted([
      [6, () => `err('${this.uid('E')}')`],
      [1, () => `obj('${this.uid('O')}')`],
      [1, () => `'${this.uid('s')}'`],
      [1, () => String(100 + this.small())],
    ]);
  }
  private tag(prefix: string): string {
    return `'${this.uid(prefix)}'`;
  }
  private chk(c: Ctx): Stmt {
    return { parts: [`chk(${c.ct}, ${this.tag('k')});`] };
  }
  private maybeChk(c: Ctx, p = 0.5): Stmt[] {
    return c.checkable && this.chance(p) ? [this.chk(c)] : [];
  }

  // -- scheduling spellings ------------------------------------------------

  private timeoutName(): string {
    return this.aliased(
      this.pick(['setTimeout', 'setTimeout', 'setTimeout', 'globalThis.setTimeout', 'setTimeout?.', 'fzSt', 'fzTimeout?.']),
    );
  }
  private immediateName(): string {
    return this.aliased(this.pick(['setImmediate', 'setImmediate', 'globalThis.setImmediate', 'setImmediate?.', 'fzImmediate']));
  }
  private microName(): string {
    return this.aliased(
      this.pick([
        'queueMicrotask',
        'queueMicrotask',
        'process.nextTick',
        'process.nextTick',
        'globalThis.queueMicrotask',
        'globalThis.process.nextTick',
        'fzLater?.',
        'fzTick',
      ]),
    );
  }
  /** A scheduler reached through a const alias (issue 10): its declaration goes first, once. */
  private aliased(spelling: string): string {
    const name = spelling.replace(/\?\.$/, '');
    const declaration = ALIASES[name];
    if (declaration && !this.aliases.has(name)) {
      this.aliases.add(name);
      this.decls.unshift({ parts: [declaration] });
    }
    return spelling;
  }
  /** Schedules a callback on the program's macrotask family (a microtask when it has none). */
  private macro(cb: string): string {
    switch (this.timers) {
      case 'timeout':
        return `${this.timeoutName()}(${cb}, ${this.delay})`;
      case 'immediate':
        return `${this.immediateName()}(${cb})`;
      default:
        return `${this.microName()}(${cb})`;
    }
  }
  /** A promise resolved with `value` after one macrotask of the family. */
  private delayed(value: string): string {
    const P = this.ts ? 'new Promise<number>' : 'new Promise';
    if (this.chance(0.25)) {
      // The executor's resolve scheduled with no value (the transform leaves it unbound), then the value.
      const V = this.ts ? 'new Promise<void>' : 'new Promise';
      const schedule =
        this.timers === 'timeout'
          ? `${this.timeoutName()}(res, ${this.delay})`
          : this.timers === 'immediate'
            ? `${this.immediateName()}(res)`
            : `${this.microName()}(res)`;
      return `${V}((res) => ${schedule}).then(() => (${value}))`;
    }
    switch (this.timers) {
      case 'timeout':
        return this.chance(0.5)
          ? `${P}((res) => ${this.timeoutName()}(res, ${this.delay}, ${value}))`
          : `${P}((res) => ${this.timeoutName()}(() => res(${value}), ${this.delay}))`;
      case 'immediate':
        return this.chance(0.5)
          ? `${P}((res) => setImmediate(res, ${value}))`
          : `${P}((res) => ${this.immediateName()}(() => res(${value})))`;
      default:
        return `${P}((res) => ${this.microName()}(() => res(${value})))`;
    }
  }

  // -- contexts ------------------------------------------------------------

  private top(): Ctx {
    return {
      async: true,
      gen: 'no',
      ct: 'undefined',
      checkable: true,
      mayThrow: true,
      canReturn: false,
      labels: [],
      loop: false,
      inSwitch: false,
      level: 0,
      depth: 0,
      loopDepth: 0,
      vars: [],
      proms: [],
      argsOk: false,
      thisK: false,
      topLevel: true,
    };
  }
  /**
   * The module body: one to three sections, each in its own try/catch (so that an early
   * throw does not end the whole program), in the root context with top-level await.
   */
  topLevel(): Stmt[] {
    const c = this.top();
    const sections: Stmt[] = [];
    const n = 1 + this.int(3);
    for (let i = 0; i < n; i++) {
      sections.push({
        parts: ['try {', this.block(this.inner(c), 7, 2), `} catch (e${this.ty(': any')}) {`, [{ parts: ["log('top-catch', e);"] }], '}'],
      });
    }
    return sections;
  }

  /** A nested block of the same function. */
  private inner(c: Ctx, patch: Partial<Ctx> = {}): Ctx {
    return { ...c, depth: c.depth + 1, vars: [...c.vars], proms: [...c.proms], ...patch };
  }
  /** The body of an arrow callback defined here (lexical ct, this, arguments). */
  private arrow(c: Ctx, patch: Partial<Ctx>): Ctx {
    return {
      ...c,
      gen: 'no',
      canReturn: true,
      labels: [],
      loop: false,
      inSwitch: false,
      depth: c.depth + 1,
      vars: [...c.vars],
      proms: [...c.proms],
      topLevel: false,
      ...patch,
    };
  }
  /** The body of a function declared for `level` (its own ct parameter). */
  private fnCtx(kind: FnKind, level: number, patch: Partial<Ctx> = {}): Ctx {
    return {
      async: kind === 'async' || kind === 'agen',
      gen: kind === 'gen' ? 'sync' : kind === 'agen' ? 'async' : 'no',
      ct: 'ct',
      checkable: true,
      mayThrow: true,
      canReturn: true,
      labels: [],
      loop: false,
      inSwitch: false,
      level,
      depth: 0,
      loopDepth: 0,
      vars: [],
      proms: [],
      argsOk: true,
      thisK: false,
      param: 'a',
      topLevel: false,
      ...patch,
    };
  }

  // -- statement lists -----------------------------------------------------

  block(c: Ctx, max = 4, min = 1): Stmt[] {
    const out: Stmt[] = [];
    const n = min + this.int(Math.max(1, max - min + 1));
    for (let i = 0; i < n; i++) {
      if (this.budget <= 0 && out.length >= min) break;
      this.budget--;
      out.push(...this.stmt(c));
    }
    return out;
  }

  private stmt(c: Ctx): Stmt[] {
    const deep = c.depth >= MAX_DEPTH || this.budget <= 0;
    const canCall = c.level < MAX_LEVEL;
    const A = c.async;
    return this.weighted<Stmt[]>([
      [4, () => [this.logStmt(c)]],
      [c.checkable ? 3 : 0, () => [this.chk(c)]],
      [A ? 6 : 0, () => this.awaitStmt(c)],
      [A ? 2 : 0, () => [this.evalOrder(c), ...this.maybeChk(c)]],
      [4, () => [this.spawn(c)]],
      [2, () => [{ parts: [`T(ticks(${this.tag('tk')}, ${2 + this.int(8)}));`] }]],
      [A ? 2 : 0, () => this.promVar(c)],
      [A && c.proms.length ? 2 : 0, () => [this.awaitProm(c)]],
      [deep ? 0 : 4, () => [this.timerStmt(c)]],
      [deep ? 0 : 3, () => [this.microStmt(c)]],
      [deep ? 0 : 3, () => [this.thenStmt(c)]],
      [deep ? 0 : 3, () => [this.tryStmt(c)]],
      [c.mayThrow ? 1 : 0, () => [this.throwStmt(c)]],
      [deep ? 0 : 2, () => [this.ifStmt(c)]],
      [deep || c.loopDepth >= 2 ? 0 : 3, () => [this.loopStmt(c)]],
      [deep || !A || c.loopDepth >= 2 ? 0 : 3, () => [this.forAwaitStmt(c)]],
      [deep || !canCall ? 0 : 2, () => [this.syncGenUse(c)]],
      [deep || !A || !canCall ? 0 : 2, () => this.asyncGenUse(c)],
      [deep || !A ? 0 : 2, () => [this.combinatorStmt(c)]],
      [deep ? 0 : 2, () => [this.vrunStmt(c)]],
      [canCall ? 1 : 0, () => [this.syncCallStmt(c)]],
      [deep || !canCall ? 0 : 1, () => this.localFn(c)],
      [deep || !A ? 0 : 1, () => [this.iifeStmt(c)]],
      [c.gen !== 'no' ? 5 : 0, () => [this.yieldStmt(c)]],
      [c.canReturn ? 1 : 0, () => [this.returnStmt(c)]],
      [c.loop || c.labels.length || c.inSwitch ? 2 : 0, () => [this.jumpStmt(c)]],
      [deep ? 0 : 1, () => [this.switchStmt(c)]],
      [deep ? 0 : 1, () => [this.labelledBlock(c)]],
      [1, () => [this.clearedTimer(c)]],
      [
        1,
        () => [
          {
            parts: [
              `try { ${this.pick(['queueMicrotask', 'process.nextTick', this.macroName()])}(${this.pick(['null', '5', "'x'", 'undefined'])}); } catch (e) { log(${this.tag('bad')}, e); }`,
            ],
          },
        ],
      ],
      [this.fns.some((f) => f.ref) ? 1 : 0, () => [this.fnShape()]],
      [c.argsOk ? 1 : 0, () => [{ parts: [`log(${this.tag('args')}, arguments.length);`] }]],
      [c.thisK ? 1 : 0, () => [{ parts: [`log(${this.tag('this')}, this.k);`] }]],
      [A ? 1 : 0, () => [this.destructure(c)]],
    ]);
  }

  private logStmt(c: Ctx): Stmt {
    return { parts: [`log(${this.tag('L')}, ${this.num(c)});`] };
  }

  // -- awaits ----------------------------------------------------------------

  /** An expression that is awaited: a value, promise or thenable. */
  awaitable(c: Ctx, opts: { checkThenable?: boolean; noReject?: boolean } = {}): string {
    const canCall = c.level < MAX_LEVEL;
    const check = opts.checkThenable !== false && c.checkable;
    return this.weighted<string>([
      [2, () => this.num(c)],
      [3, () => `Promise.resolve(${this.num(c)})`],
      [opts.noReject ? 0 : 1, () => `Promise.reject(${this.errExpr()})`],
      [canCall ? 5 : 0, () => this.callAsync(c)],
      [3, () => this.thenable(c, check, opts.noReject)],
      [2, () => this.delayed(this.num(c))],
      [c.depth < MAX_DEPTH && this.budget > 0 ? 2 : 0, () => this.thenChain(c)],
      [c.depth < MAX_DEPTH && this.budget > 0 ? 1 : 0, () => this.iife(c)],
      [c.proms.length ? 1 : 0, () => this.pick(c.proms)],
      [c.depth < MAX_DEPTH ? 1 : 0, () => this.executor(c)],
    ]);
  }

  private awaitStmt(c: Ctx): Stmt[] {
    const x = this.awaitable(c);
    const after = this.maybeChk(c, 0.6);
    return this.weighted<Stmt[]>([
      [3, () => [{ parts: [`log(${this.tag('A')}, await ${x});`] }, ...after]],
      [2, () => [{ parts: [`await ${x};`] }, ...after]],
      [
        3,
        () => {
          const v = this.uid('v');
          c.vars.push(v);
          return [{ parts: [`const ${v}${this.ty(': any')} = await ${x};`] }, ...after, { parts: [`log(${this.tag('V')}, ${v});`] }];
        },
      ],
      [
        1,
        () => {
          const v = this.uid('v');
          c.vars.push(v);
          return [{ parts: [`let ${v} = ${this.small()};`] }, { parts: [`${v} += await ${x};`] }, ...after];
        },
      ],
      [1, () => [{ parts: [`if (${this.cond(c)}) await ${x};`] }, ...after]],
      [1, () => [{ parts: [`log(${this.tag('AA')}, await await ${x});`] }]],
      [1, () => [{ parts: [`log(${this.tag('AN')}, await ${this.callAsyncWithArg(c, `await ${this.awaitable(c)}`)});`] }]],
    ]);
  }

  /** Evaluation order and receivers around awaits. */
  private evalOrder(c: Ctx): Stmt {
    const x = () => this.awaitable(c, { checkThenable: true });
    const t = () => `tap(${this.tag('t')}, ${this.small()})`;
    const expr = this.weighted<string>([
      [2, () => `${t()} + await ${x()}`],
      [2, () => `[${t()}, await ${x()}, ${t()}]`],
      [1, () => `({ k: ${this.small()}, m(v${this.ty(': any')}) { return [this.k, v]; } }).m(await ${x()})`],
      [1, () => `${this.pick(['null', 'undefined', '0', '1'])} ?? await ${x()}`],
      [1, () => `${this.pick(['0', '1', "''"])} || await ${x()}`],
      [1, () => `${this.pick(['0', '1'])} && await ${x()}`],
      [1, () => `${this.cond(c)} ? await ${x()} : await ${x()}`],
      [1, () => `\`t\${await ${x()}}-\${${t()}}\``],
      [1, () => `({ [await ${x()}]: ${t()}, k: await ${x()} })`],
      [1, () => `[...await Promise.resolve([${t()}, ${this.small()}])]`],
      [1, () => `(await ${x()}, await ${x()})`],
      [1, () => `typeof await ${x()}`],
      [1, () => `-(await ${x()})`],
      [1, () => `(await Promise.resolve({ k: ${this.small()} }))?.k`],
      [1, () => `Math.max(${t()}, ...[await ${x()}], await ${x()})`],
      [1, () => `tap?.(${this.tag('t')}, await ${x()})`],
      [1, () => `Object.keys(new (class { [await ${x()}]${this.ty(': any')} = ${t()}; })())`],
      [1, () => `new (class extends (await Promise.resolve(Object)) { k = ${t()}; })().k`],
      [1, () => `String.raw\`a\${await ${x()}}b\${${t()}}\``],
      [1, () => `[${t()}, ${t()}][await Promise.resolve(${this.int(2)})]`],
      [1, () => `new Array(await ${x()}, ${t()}).length`],
      [
        this.ts ? 2 : 0,
        () =>
          this.pick([
            `(await ${x()}) as any`,
            `await (${x()} as any)`,
            `(await ${x()})!`,
            `await <any>${x()}`,
            `(await ${x()} satisfies unknown)`,
          ]),
      ],
    ]);
    return { parts: [`log(${this.tag('O')}, ${expr});`] };
  }

  private destructure(c: Ctx): Stmt {
    const v = this.uid('v');
    const w = this.uid('v');
    const x = this.awaitable(c);
    const stmt = this.pick([
      { parts: [`const { ${v} = await ${x}, ${w} = ${this.small()} }${this.ty(': any')} = { ${w}: ${this.small()} };`] },
      { parts: [`const [${v} = await ${x}, ${w} = ${this.small()}] = [undefined, ${this.small()}];`] },
      { parts: [`let ${v}${this.ty(': any')}, ${w}${this.ty(': any')}; [${v}, ${w} = await ${x}] = [${this.small()}];`] },
    ]);
    // Declared after the initialisers are generated: they must not refer to themselves.
    c.vars.push(v, w);
    return stmt;
  }

  private promVar(c: Ctx): Stmt[] {
    const p = this.uid('p');
    const expr = this.weighted<string>([
      [4, () => (c.level < MAX_LEVEL ? this.callAsync(c) : `Promise.resolve(${this.small()})`)],
      [2, () => `Promise.reject(${this.errExpr()})`],
      [2, () => this.delayed(this.num(c))],
      [1, () => this.thenChain(c)],
    ]);
    c.proms.push(p);
    return [{ parts: [`const ${p} = ${this.chance(0.8) ? `T(${expr})` : expr};`] }];
  }

  private awaitProm(c: Ctx): Stmt {
    const p = this.pick(c.proms);
    return this.weighted<Stmt>([
      [3, () => ({ parts: [`log(${this.tag('P')}, await ${p});`] })],
      [
        2,
        () => ({
          parts: [
            `try {`,
            [{ parts: [`log(${this.tag('P')}, await ${p});`] }, ...this.maybeChk(c)],
            `} catch (e) {`,
            [{ parts: [`log(${this.tag('PC')}, e);`] }, ...this.maybeChk(c)],
            `}`,
          ],
        }),
      ],
      [1, () => ({ parts: [`log(${this.tag('PS')}, await Promise.allSettled([${p}, ${p}]));`] })],
    ]);
  }

  // -- calls to generated functions ---------------------------------------

  /** A call of an async function made (or reused) for a deeper level. */
  callAsync(c: Ctx): string {
    return this.callAsyncWithArg(c, this.num(c));
  }
  private callAsyncWithArg(c: Ctx, arg: string): string {
    if (c.level >= MAX_LEVEL) return `Promise.resolve(${arg})`;
    const f = this.fnFor('async', c.level + 1);
    return this.callIn(c, f, arg);
  }
  /** The call, sometimes made in a new context: V.run('cN', () => f('cN', arg)). */
  private callIn(c: Ctx, f: FnInfo, arg: string): string {
    if (!/\b(await|yield)\b/.test(arg) && this.chance(0.25)) {
      const ctx = `'${this.uid('c')}'`;
      return `V.run(${ctx}, () => ${f.call.replace('CT', ctx).replace('ARG', arg)})`;
    }
    return f.call.replace('CT', c.ct).replace('ARG', arg);
  }
  private fnFor(kind: FnKind, level: number, mayThrow = true): FnInfo {
    const existing = this.fns.filter((f) => f.kind === kind && f.level >= level && (mayThrow || !f.throws));
    if (existing.length && this.chance(0.35)) return this.pick(existing);
    return this.makeFn(kind, Math.min(level, MAX_LEVEL), mayThrow);
  }

  /** Declares a new top-level function of `kind` for `level` and returns how to call it. */
  private makeFn(kind: FnKind, level: number, mayThrow: boolean): FnInfo {
    const name = this.uid(kind === 'async' ? 'f' : kind === 'sync' ? 's' : kind === 'gen' ? 'g' : 'ag');
    const info: FnInfo = { kind, level, call: '', throws: false };
    // Parameter lists: simple, with a default, with a rest (the generator frame goes into the parameter list).
    const frameInBody = (kind === 'gen' || kind === 'agen') && this.avoid.has('generator-frame-in-body');
    const shape = this.weighted<'simple' | 'default' | 'rest' | 'restPattern'>([
      [6, () => 'simple'],
      [1, () => 'default'],
      [frameInBody ? 0 : 1, () => 'rest'],
      [frameInBody ? 0 : 1, () => 'restPattern'],
    ]);
    const simple = shape === 'simple';
    const strict = this.chance(0.1) && simple && !frameInBody ? [{ parts: ["'use strict';"] }] : [];
    const body = (patch: Partial<Ctx> = {}) => {
      const c = this.fnCtx(kind, level, { mayThrow, ...patch });
      const stmts = this.block(c, 5, 1);
      if (shape === 'rest') stmts.unshift({ parts: [`log(${this.tag('rest')}, rest.length);`] });
      if (kind === 'async' || kind === 'sync') stmts.push({ parts: [`return ${this.returnValue(c)};`] });
      if (kind === 'gen' || kind === 'agen') {
        // A generator always yields something; the ones that only log are less interesting.
        stmts.unshift({ parts: [`yield ${this.num(c)};`] });
        if (this.chance(0.5))
          stmts.push({ parts: [`yield ${kind === 'agen' && this.chance(0.5) ? `await ${this.awaitable(c)}` : this.num(c)};`] });
      }
      return [...strict, ...stmts];
    };
    const P = this.params(true, shape);
    const ret = (t: string) => this.ty(`: ${t}`);
    const retType =
      kind === 'async'
        ? ret('Promise<any>')
        : kind === 'sync'
          ? ret('any')
          : kind === 'gen'
            ? ret('Generator<any, any, any>')
            : ret('AsyncGenerator<any, any, any>');
    const star = kind === 'gen' || kind === 'agen' ? '*' : '';
    const asyncKw = kind === 'async' || kind === 'agen' ? 'async ' : '';
    const form = this.weighted<string>([
      [4, () => 'declaration'],
      [kind === 'async' || kind === 'sync' ? 2 : 0, () => 'arrow'],
      [kind === 'async' ? 1 : 0, () => 'exprArrow'],
      [1, () => 'expression'],
      [2, () => 'object'],
      [2, () => 'class'],
    ]);
    switch (form) {
      case 'declaration':
        this.decls.push({ parts: [`${asyncKw}function${star} ${name}(${P})${retType} {`, body(), '}'] });
        info.call = `${name}(CT, ARG)`;
        info.ref = name;
        break;
      case 'arrow':
        // `arguments` in an arrow is the enclosing function's: at module level there is none.
        this.decls.push({ parts: [`const ${name} = ${asyncKw}(${P})${retType} => {`, body({ argsOk: false }), '};'] });
        info.call = `${name}(CT, ARG)`;
        info.ref = name;
        break;
      case 'exprArrow': {
        const c = this.fnCtx(kind, level, { mayThrow, argsOk: false });
        this.decls.push({
          parts: [`const ${name} = async (${P})${retType} => ${this.pick(['', '1 + ', '(a ?? 0) + '])}await ${this.awaitable(c)};`],
        });
        info.call = `${name}(CT, ARG)`;
        info.ref = name;
        break;
      }
      case 'expression':
        this.decls.push({
          parts: [`const ${name} = ${asyncKw}function${star} ${this.chance(0.5) ? name + 'x' : ''}(${P})${retType} {`, body(), '};'],
        });
        info.call = `${name}(CT, ARG)`;
        info.ref = name;
        break;
      case 'object': {
        const k = this.small();
        this.decls.push({
          parts: [
            `const ${name} = {`,
            [{ parts: [`k: ${k},`] }, { parts: [`${asyncKw}${star}m(${P})${retType} {`, body({ thisK: true }), '},'] }],
            '};',
          ],
        });
        info.call = `${name}.m(CT, ARG)`;
        break;
      }
      case 'class': {
        const member = this.weighted<string>([
          [3, () => 'method'],
          [2, () => 'static'],
          [kind === 'async' || kind === 'sync' ? 2 : 0, () => 'field'],
          [kind === 'async' ? 1 : 0, () => 'staticField'],
          [2, () => 'private'],
          [kind === 'async' || kind === 'agen' ? 2 : 0, () => 'super'],
        ]);
        const mod = this.ts ? this.pick(['', 'public ', 'protected ', 'private ']) : '';
        const members: Stmt[] = [
          { parts: [`${this.ts ? this.pick(['', 'readonly ', 'public ']) : ''}k${this.ty(': number')} = ${this.small()};`] },
        ];
        if (member === 'method') {
          members.push({
            parts: [
              `${mod === 'private ' || mod === 'protected ' ? '' : mod}${asyncKw}${star}m(${P})${retType} {`,
              body({ thisK: true }),
              '}',
            ],
          });
          info.call = `new ${name}().m(CT, ARG)`;
        } else if (member === 'static') {
          members.push({ parts: [`static ${asyncKw}${star}m(${P})${retType} {`, body(), '}'] });
          info.call = `${name}.m(CT, ARG)`;
        } else if (member === 'field') {
          members.push({ parts: [`m = ${asyncKw}(${P})${retType} => {`, body({ thisK: true, argsOk: false }), '};'] });
          info.call = `new ${name}().m(CT, ARG)`;
        } else if (member === 'staticField') {
          members.push({ parts: [`static m = async (${P})${retType} => {`, body({ argsOk: false }), '};'] });
          info.call = `${name}.m(CT, ARG)`;
        } else if (member === 'super') {
          // An overriding method that awaits (or delegates to) super's, and an async arrow that calls super.
          const base = `${name}Base`;
          const A = this.ts ? 'ct: any, a: any' : 'ct, a';
          this.decls.push({
            parts: [
              `class ${base} {`,
              [
                { parts: [`k${this.ty(': number')} = ${this.small()};`] },
                {
                  parts: [
                    `${asyncKw}${star}m(${A}) {`,
                    [
                      { parts: [`log(${this.tag('base')}, a, this.k);`] },
                      ...(star ? [{ parts: ['yield a;'] }] : [{ parts: ['return a;'] }]),
                    ],
                    '}',
                  ],
                },
              ],
              '}',
            ],
          });
          const viaSuper: Stmt =
            kind === 'agen'
              ? { parts: [`log(${this.tag('sup')}, yield* super.m(ct, a));`] }
              : this.pick([
                  { parts: [`log(${this.tag('sup')}, await super.m(ct, a));`] },
                  { parts: [`log(${this.tag('sup')}, await (async () => super.m(ct, a))());`] },
                ]);
          const b = body({ thisK: true });
          b.splice(Math.min(b.length - 1, this.int(b.length)), 0, viaSuper);
          members.push({ parts: [`${asyncKw}${star}m(${P})${retType} {`, b, '}'] });
          this.decls.push({ parts: [`class ${name} extends ${base} {`, members, '}'] });
          info.call = `new ${name}().m(CT, ARG)`;
          break;
        } else {
          members.push({ parts: [`${asyncKw}${star}#m(${P})${retType} {`, body({ thisK: true }), '}'] });
          members.push({ parts: [`m(${this.ts ? 'ct: any, a: any' : 'ct, a'}) {`, [{ parts: ['return this.#m(ct, a);'] }], '}'] });
          info.call = `new ${name}().m(CT, ARG)`;
        }
        this.decls.push({ parts: [`class ${name} {`, members, '}'] });
        break;
      }
    }
    // Generators and sync functions throw synchronously when their body has a throw outside a catch;
    // without tracking that precisely, a function made where throwing is allowed counts as throwing.
    info.throws = mayThrow && kind !== 'async';
    this.fns.push(info);
    return info;
  }

  private returnValue(c: Ctx): string {
    if (!c.async) return this.num(c);
    return this.weighted<string>([
      [3, () => this.num(c)],
      [2, () => `await ${this.awaitable(c)}`],
      [1, () => this.awaitable(c, { checkThenable: false })],
    ]);
  }

  private syncCallStmt(c: Ctx): Stmt {
    const f = this.fnFor('sync', c.level + 1, c.mayThrow);
    return { parts: [`log(${this.tag('S')}, ${this.callIn(c, f, this.num(c))});`] };
  }

  private fnShape(): Stmt {
    const f = this.pick(this.fns.filter((x) => x.ref));
    return { parts: [`log(${this.tag('fn')}, ${f.ref}.length, ${f.ref}.name);`] };
  }

  /** A nested function (closure) declared in the current block, then called. */
  private localFn(c: Ctx): Stmt[] {
    const name = this.uid('h');
    const kind = this.pick<FnKind>(c.async ? ['async', 'async', 'sync', 'agen', 'gen'] : ['async', 'sync', 'gen']);
    const P = this.params();
    const asArrow = kind === 'async' && this.chance(0.5);
    const inner = this.fnCtx(kind, c.level + 1, {
      vars: [...c.vars],
      mayThrow: c.mayThrow || kind === 'async',
      thisK: false,
      argsOk: !asArrow || c.argsOk,
    });
    const stmts = this.block(inner, 3, 1);
    if (kind === 'async' || kind === 'sync') stmts.push({ parts: [`return ${this.returnValue(inner)};`] });
    else stmts.unshift({ parts: [`yield ${this.num(inner)};`] });
    const star = kind === 'gen' || kind === 'agen' ? '*' : '';
    const asyncKw = kind === 'async' || kind === 'agen' ? 'async ' : '';
    const decl: Stmt = asArrow
      ? { parts: [`const ${name} = async (${P}) => {`, stmts, '};'] }
      : { parts: [`${asyncKw}function${star} ${name}(${P}) {`, stmts, '}'] };
    const arg = this.num(c);
    let use: string;
    switch (kind) {
      case 'async':
        use = c.async && this.chance(0.6) ? `log(${this.tag('H')}, await ${name}(${c.ct}, ${arg}));` : `T(${name}(${c.ct}, ${arg}));`;
        break;
      case 'sync':
        use = `log(${this.tag('H')}, ${name}(${c.ct}, ${arg}));`;
        break;
      case 'gen':
        use = `log(${this.tag('H')}, [...${name}(${c.ct}, ${arg})]);`;
        break;
      default:
        use = `for await (const x of ${name}(${c.ct}, ${arg})) log(${this.tag('H')}, x);`;
    }
    return [decl, { parts: [use] }];
  }

  private iife(c: Ctx): string {
    const inner = this.arrow(c, { async: true, mayThrow: true });
    const body = this.block(inner, 2, 1);
    body.push({ parts: [`return ${this.num(inner)};`] });
    return this.inline(`(async () => {`, body, '})()');
  }
  private iifeStmt(c: Ctx): Stmt {
    const inner = this.arrow(c, { async: true, mayThrow: true });
    const body = this.block(inner, 3, 1);
    return this.pick([{ parts: ['await (async () => {', body, '})();'] }, { parts: ['T((async () => {', body, '})());'] }]);
  }

  /** `new Promise((res, rej) => { ... })`: the executor runs synchronously. */
  private executor(c: Ctx): string {
    const inner = this.arrow(c, { async: false, mayThrow: true, canReturn: false });
    const body = this.block(inner, 2, 0);
    body.push(
      this.pick([
        { parts: [`res(${this.num(inner)});`] },
        { parts: [`rej(${this.errExpr()});`] },
        { parts: [`${this.macro(`() => res(${this.small()})`)};`] },
        { parts: [`res(${this.num(inner)}); rej(${this.errExpr()});`] },
      ]),
    );
    return this.inline(`new Promise((res${this.ty(': any')}, rej${this.ty(': any')}) => {`, body, '})');
  }

  // -- thenables -----------------------------------------------------------

  /** A thenable; `check`: its `then` runs in the await's context (directly awaited). */
  thenable(c: Ctx, check: boolean, noReject = false): string {
    const t = this.thenableRaw(c, check, noReject);
    // TypeScript (5.9 and 6.0) misparses a module-level `await {` (it re-parses top-level awaits and duplicates
    // the file's last statements), so there the object literal is parenthesized; see fuzz/README.md.
    return c.topLevel && t.startsWith('{') ? `(${t})` : t;
  }
  private thenableRaw(c: Ctx, check: boolean, noReject = false): string {
    const v = this.num(c);
    const k = check && c.checkable ? `chk(${c.ct}, ${this.tag('kt')}); ` : '';
    const l = `log(${this.tag('th')}); `;
    const R = this.ty(': any');
    return this.weighted<string>([
      [4, () => `{ then(res${R}) { ${k}${l}res(${v}); } }`],
      [noReject ? 0 : 2, () => `{ then(res${R}, rej${R}) { ${k}rej(${this.errExpr()}); } }`],
      [noReject ? 0 : 2, () => `{ then() { ${k}throw ${this.errExpr()}; } }`],
      [2, () => `{ then(res${R}, rej${R}) { ${k}res(${v}); res(${this.small()}); rej(${this.errExpr()}); } }`],
      [1, () => `{ then(res${R}) { ${k}res(${v}); throw ${this.errExpr()}; } }`],
      [2, () => `{ then(res${R}) { ${k}${this.macro(`() => { ${k}res(${v}); }`)}; } }`],
      [1, () => `{ then(res${R}) { ${k}${this.microName()}(() => res(${v})); } }`],
      [1, () => `{ get then() { ${l}return (res${R}) => res(${v}); } }`],
      [1, () => `new (class { then(res${R}) { ${k}res(${v}); } })()`],
      [1, () => `{ then: ${this.small()} }`],
      [1, () => `Object.assign(() => ${this.small()}, { then(res${R}) { ${k}res(${v}); } })`],
      [1, () => `{ then(res${R}) { ${k}res({ then(res2${R}) { res2(${v}); } }); } }`],
      [1, () => `{ then(res${R}) { ${k}res(Promise.resolve(${v})); } }`],
      // A Promise subclass with its own then: await calls it in a job, like a thenable's. Promises
      // (subclasses too) are awaited as they are, so that then runs in no particular context: no check.
      [
        1,
        () =>
          `new (class extends Promise${this.ty('<any>')} { then(f${R}, r${R}) { log(${this.tag('sub')}, typeof f, typeof r); return super.then(f, r); } })((res${R}) => res(${v}))`,
      ],
      // Exotic objects whose inspection is observable (await reads `then` once, `constructor` of a promise once).
      [1, () => `Object.defineProperty(Promise.resolve(${v}), 'constructor', { get() { log(${this.tag('ctor')}); return Promise; } })`],
      [
        this.exotic ? 1 : 0,
        () =>
          `new Proxy({ then(res${R}) { res(${v}); } }, { get(t${R}, k${R}, r${R}) { log(${this.tag('px')}, 'get', String(k)); return Reflect.get(t, k, r); }, getPrototypeOf(t${R}) { log(${this.tag('px')}, 'getPrototypeOf'); return Reflect.getPrototypeOf(t); }, getOwnPropertyDescriptor(t${R}, k${R}) { log(${this.tag('px')}, 'getOwnPropertyDescriptor', String(k)); return Reflect.getOwnPropertyDescriptor(t, k); } })`,
      ],
      // `.then` on an object that is not a promise: the callback it receives must be the one passed (length, name).
      [
        this.foreignThen ? 1 : 0,
        () => `({ then(f${R}) { log(${this.tag('recv')}, typeof f, f.length, f.name); return f(${v}); } }).then((y${R}) => y)`,
      ],
    ]);
  }

  // -- then-chains -----------------------------------------------------------

  private thenChain(c: Ctx): string {
    const base = this.weighted<string>([
      [3, () => `Promise.resolve(${this.num(c)})`],
      [c.level < MAX_LEVEL ? 3 : 0, () => this.callAsync(c)],
      [1, () => `Promise.reject(${this.errExpr()})`],
      [1, () => this.delayed(this.num(c))],
      [c.proms.length ? 1 : 0, () => this.pick(c.proms)],
      [1, () => `Promise.resolve(${this.thenable(c, false)})`],
    ]);
    let expr = base;
    const n = 1 + this.int(3);
    for (let i = 0; i < n; i++) {
      const dot = this.chance(0.1) ? '?.' : '.';
      expr += this.weighted<string>([
        [5, () => `${dot}then(${this.callback(c, 'v')})`],
        [2, () => `${dot}then(${this.callback(c, 'v')}, ${this.callback(c, 'e')})`],
        [1, () => `${dot}then(${this.pick(['undefined', 'null', '5'])}, ${this.callback(c, 'e')})`],
        [1, () => `${dot}then(${this.pick(['undefined', 'null', '5'])})`],
        [3, () => `${dot}catch(${this.callback(c, 'e')})`],
        [2, () => `${dot}finally(${this.callback(c, 'finally')})`],
      ]);
    }
    return expr;
  }

  /** A promise reaction: runs in the registration context. */
  private callback(c: Ctx, role: 'v' | 'e' | 'finally'): string {
    const name = this.uid('x');
    const param = role === 'finally' ? '' : `${name}${this.ty(': any')}`;
    const asyncCb = c.depth < MAX_DEPTH && this.chance(0.2);
    const inner = this.arrow(c, { async: asyncCb, mayThrow: true, vars: role === 'v' ? [...c.vars, name] : [...c.vars] });
    const head = `${asyncCb ? 'async ' : ''}(${param}) =>`;
    const logIt = `log(${this.tag(role === 'e' ? 'TE' : role === 'v' ? 'TV' : 'TF')}${role === 'finally' ? '' : `, ${name}`});`;
    return this.weighted<string>([
      [
        2,
        () =>
          `${head} ${role === 'v' ? `${name} + ${this.small()}` : role === 'e' ? `(log('TE', ${name}), ${this.small()})` : `log(${this.tag('TF')})`}`,
      ],
      [
        4,
        () => {
          const body: Stmt[] = [{ parts: [logIt] }, ...this.maybeChk(inner, 0.7)];
          if (c.depth < MAX_DEPTH && this.budget > 0 && this.chance(0.5)) body.push(...this.block(inner, 2, 1));
          body.push(
            this.weighted<Stmt>([
              [4, () => ({ parts: [`return ${this.num(inner)};`] })],
              [role === 'e' ? 2 : 1, () => ({ parts: [`throw ${role === 'e' ? name : this.errExpr()};`] })],
              [1, () => ({ parts: [`return ${this.thenable(inner, false)};`] })],
              [1, () => ({ parts: [`return Promise.reject(${this.errExpr()});`] })],
              [1, () => ({ parts: [] })],
            ]),
          );
          return this.inline(`${head} {`, body, '}');
        },
      ],
    ]);
  }

  private thenStmt(c: Ctx): Stmt {
    const chain = this.thenChain(c);
    if (c.async && this.chance(0.4)) return { parts: [`log(${this.tag('TA')}, await ${chain});`] };
    return { parts: [`T(${chain});`] };
  }

  // -- timers and microtasks -----------------------------------------------

  /** A callback body for a timer or microtask: synchronous ones must not throw. */
  private timerBody(c: Ctx, asyncCb: boolean): Stmt[] {
    const inner = this.arrow(c, { async: asyncCb, mayThrow: asyncCb, canReturn: false, vars: [...c.vars] });
    return [{ parts: [`log(${this.tag('cb')});`] }, ...this.maybeChk(inner, 0.7), ...(this.budget > 0 ? this.block(inner, 2, 0) : [])];
  }

  private timerStmt(c: Ctx): Stmt {
    if (this.chance(0.15)) {
      // Untracked: the runner drains it.
      return {
        parts: [`${this.macroName()}(() => {`, this.timerBody(c, false), `}${this.timers === 'timeout' ? `, ${this.delay}` : ''});`],
      };
    }
    const P = this.ts ? 'new Promise<void>' : 'new Promise';
    if (this.timers === 'timeout' && this.chance(0.2)) {
      const body = this.timerBody(c, false);
      // setInterval: every tick runs in the context it was started in.
      const n = this.uid('n');
      const id = this.uid('t');
      const k = 1 + this.int(3);
      return {
        parts: [
          `T(${P}((done) => {`,
          [
            { parts: [`let ${n} = 0;`] },
            {
              parts: [
                `const ${id} = ${this.pick(['setInterval', 'globalThis.setInterval'])}(() => {`,
                [...body, { parts: [`if (++${n} === ${k}) { clearInterval(${id}); done(); }`] }],
                `}, ${this.delay});`,
              ],
            },
          ],
          `}));`,
        ],
      };
    }
    const asyncCb = this.chance(0.25);
    const body = this.timerBody(c, asyncCb);
    const withArg = this.chance(0.2);
    const arg = withArg ? `y${this.ty(': any')}` : '';
    const cbBody = withArg ? [{ parts: [`log(${this.tag('arg')}, y);`] }, ...body] : body;
    const cb = asyncCb ? `async (${arg}) => {` : `(${arg}) => {`;
    const tail = asyncCb
      ? [{ parts: ['try {', cbBody, '} finally {', [{ parts: ['done();'] }], '}'] }]
      : [...cbBody, { parts: ['done();'] }];
    const extra = withArg ? `, ${this.small()}` : '';
    let schedule: Part[];
    switch (this.timers) {
      case 'timeout':
        schedule = [`${this.timeoutName()}(${cb}`, tail, `}, ${this.delay}${extra});`];
        break;
      case 'immediate':
        schedule = [`${this.immediateName()}(${cb}`, tail, `}${extra});`];
        break;
      default:
        schedule = [
          `${withArg ? this.pick(['process.nextTick', 'globalThis.process.nextTick']) : this.microName()}(${cb}`,
          tail,
          `}${extra});`,
        ];
    }
    return { parts: [`T(${P}((done) => {`, [{ parts: schedule }], `}));`] };
  }
  private macroName(): string {
    return this.timers === 'timeout' ? this.timeoutName() : this.timers === 'immediate' ? this.immediateName() : this.microName();
  }

  private microStmt(c: Ctx): Stmt {
    const name = this.microName();
    const withArg = name.endsWith('nextTick') && this.chance(0.3);
    const body = this.timerBody(c, false);
    if (withArg)
      return {
        parts: [`${name}((y${this.ty(': any')}) => {`, [{ parts: [`log(${this.tag('arg')}, y);`] }, ...body], `}, ${this.small()});`],
      };
    return { parts: [`${name}(() => {`, body, '});'] };
  }

  private clearedTimer(c: Ctx): Stmt {
    const id = this.uid('t');
    if (this.timers === 'immediate') return { parts: [`const ${id} = setImmediate(() => log('never')); clearImmediate(${id});`] };
    if (this.timers === 'timeout')
      return {
        parts: [`const ${id} = ${this.pick(['setTimeout', 'setInterval'])}(() => log('never'), ${this.delay}); clearTimeout(${id});`],
      };
    return this.logStmt(c);
  }

  // -- control flow --------------------------------------------------------

  private tryStmt(c: Ctx): Stmt {
    const shape = this.pick(['catch', 'finally', 'both', 'both', 'catch-nobind', 'return-finally']);
    if (shape === 'return-finally' && c.canReturn && c.async && c.gen === 'no') {
      // return await x inside try/finally; awaits inside finally while the return is pending.
      const fin = this.inner(c);
      return {
        parts: [
          'try {',
          [{ parts: [`if (${this.cond(c)}) return await ${this.awaitable(c)};`] }, ...this.block(this.inner(c), 2, 0)],
          '} finally {',
          [
            { parts: [`log(${this.tag('F')});`] },
            ...this.maybeChk(fin, 0.8),
            { parts: [`await ${this.awaitable(fin)};`] },
            ...this.maybeChk(fin, 0.8),
          ],
          '}',
        ],
      };
    }
    const hasCatch = shape !== 'finally' && shape !== 'return-finally';
    const tryBody = this.block(this.inner(c, { mayThrow: hasCatch || c.mayThrow }), 3, 1);
    if (hasCatch && this.chance(0.5)) tryBody.push(this.throwStmt(this.inner(c, { mayThrow: true })));
    // try/finally with a throw pending while the finally block runs (and awaits).
    else if (!hasCatch && c.mayThrow && this.chance(0.3)) tryBody.push(this.throwStmt(c));
    const parts: Part[] = ['try {', tryBody];
    if (hasCatch) {
      const cc = this.inner(c);
      const catchBody = [
        { parts: [shape === 'catch-nobind' ? `log(${this.tag('C')});` : `log(${this.tag('C')}, e);`] },
        ...this.maybeChk(cc, 0.7),
        ...this.block(cc, 2, 0),
      ];
      if (c.mayThrow && shape !== 'catch-nobind' && this.chance(0.15)) catchBody.push({ parts: ['throw e;'] });
      const binding =
        c.async && !this.ts && this.chance(0.1)
          ? `{ message: e = await ${this.awaitable(c, { noReject: true })} }`
          : `e${this.ts && this.chance(0.3) ? ': any' : ''}`;
      parts.push(shape === 'catch-nobind' ? '} catch {' : `} catch (${binding}) {`, catchBody);
    }
    if (shape !== 'catch' && shape !== 'catch-nobind') {
      const fc = this.inner(c);
      parts.push('} finally {', [{ parts: [`log(${this.tag('F')});`] }, ...this.maybeChk(fc, 0.7), ...this.block(fc, 2, 0)]);
    }
    parts.push('}');
    return { parts };
  }

  private throwStmt(c: Ctx): Stmt {
    return this.pick([
      { parts: [`if (${this.cond(c)}) throw ${this.errExpr()};`] },
      { parts: [`if (${this.cond(c)}) throw ${this.errExpr()};`] },
      { parts: [`throw ${this.errExpr()};`] },
    ]);
  }

  private ifStmt(c: Ctx): Stmt {
    const cond =
      c.async && this.chance(0.3)
        ? `(await ${this.awaitable(c, { noReject: true })}) ${this.pick(['>', '<', '==='])} ${this.small()}`
        : this.cond(c);
    if (this.chance(0.2)) {
      return { parts: [`if (${cond}) ${this.oneLiner(c)}${this.chance(0.5) ? ` else ${this.oneLiner(c)}` : ''}`] };
    }
    const parts: Part[] = [`if (${cond}) {`, this.block(this.inner(c), 3, 1)];
    if (this.chance(0.5)) parts.push('} else {', this.block(this.inner(c), 2, 1));
    parts.push('}');
    return { parts };
  }
  private oneLiner(c: Ctx): string {
    if (c.async && this.chance(0.6)) return `log(${this.tag('I')}, await ${this.awaitable(c)});`;
    return `log(${this.tag('I')}, ${this.num(c)});`;
  }

  private loopStmt(c: Ctx): Stmt {
    const label = this.chance(0.3) ? this.uid('lb') : undefined;
    const i = this.uid('i');
    const A = c.async;
    const body = (vars: string[]) =>
      this.block(
        this.inner(c, {
          loop: true,
          inSwitch: false,
          labels: label ? [...c.labels, label] : c.labels,
          loopDepth: c.loopDepth + 1,
          vars: [...c.vars, ...vars],
        }),
        3,
        1,
      );
    const k = 1 + this.int(3);
    const head = this.weighted<[string, string[]]>([
      [3, () => [`for (let ${i} = 0; ${i} < ${k}; ${i}++)`, [i]]],
      [
        A ? 2 : 0,
        () => [
          `for (let ${i} = await ${this.pick(['0', 'Promise.resolve(0)', this.delayed('0')])}; ${i} < (await ${this.pick([String(k), `Promise.resolve(${k})`, `{ then(r${this.ty(': any')}) { r(${k}); } }`])}); ${i} += await ${this.pick(['1', 'Promise.resolve(1)', this.delayed('1')])})`,
          [i],
        ],
      ],
      [2, () => [`for (const ${i} of [${Array.from({ length: k }, () => this.small()).join(', ')}])`, [i]]],
      [A ? 1 : 0, () => [`for (const ${i} of await Promise.resolve([${Array.from({ length: k }, () => this.small()).join(', ')}]))`, [i]]],
      [1, () => [`for (const ${i} in { a: 1, b: 2 })`, []]],
      [
        A ? 1 : 0,
        () => [
          `for (const { ${i} = await ${this.awaitable(c, { noReject: true })} } of [{}, { ${i}: ${this.small()} }]${this.ts ? ' as any[]' : ''})`,
          [i],
        ],
      ],
      [2, () => [`let ${i} = 0; while (${i}++ < ${k})`, [i]]],
      [A ? 1 : 0, () => [`let ${i} = 0; while (await Promise.resolve(${i}++ < ${k}))`, [i]]],
      [1, () => [`let ${i} = 0; do`, [i]]],
    ]);
    const [h, vars] = head;
    const prefix = label ? `${label}: ` : '';
    if (h.endsWith(' do')) {
      const pre = h.slice(0, -3);
      return { parts: [`${pre} ${prefix}do {`, body(vars), `} while (++${i} < ${k});`] };
    }
    const semi = h.indexOf('; while');
    if (semi >= 0 && h.startsWith('let ')) {
      return { parts: [`${h.slice(0, semi + 1)} ${prefix}${h.slice(semi + 2)} {`, body(vars), '}'] };
    }
    return { parts: [`${prefix}${h} {`, body(vars), '}'] };
  }

  private jumpStmt(c: Ctx): Stmt {
    const options: string[] = [];
    if (c.loop) options.push('break', 'continue');
    else if (c.inSwitch) options.push('break');
    for (const l of c.labels) options.push(`break ${l}`, `continue ${l}`);
    const jump = this.pick(options);
    return { parts: [`if (${this.cond(c)}) ${jump};`] };
  }

  private switchStmt(c: Ctx): Stmt {
    const inner = this.inner(c, { inSwitch: true });
    const cases: Stmt[] = [];
    // Cases share one scope: each gets its own variable list, so none refers to another's (TDZ) declarations.
    for (let i = 0; i < 1 + this.int(2); i++) {
      const body = [...this.block(this.inner(inner), 2, 1), ...(this.chance(0.7) ? [{ parts: ['break;'] }] : [])];
      cases.push(this.chance(0.3) ? { parts: [`case ${i}: {`, body, '}'] } : { parts: [`case ${i}:`, body] });
    }
    cases.push({ parts: ['default:', this.block(this.inner(inner), 1, 1)] });
    const on = c.async && this.chance(0.4) ? `await ${this.awaitable(c, { noReject: true })}` : this.num(c);
    return { parts: [`switch (${on}) {`, cases, '}'] };
  }

  private labelledBlock(c: Ctx): Stmt {
    const label = this.uid('blk');
    const inner = this.inner(c);
    const body = this.block(inner, 2, 1);
    body.splice(this.int(body.length + 1), 0, { parts: [`if (${this.cond(c)}) break ${label};`] });
    return { parts: [`${label}: {`, body, '}'] };
  }

  // -- generators ------------------------------------------------------------

  private yieldStmt(c: Ctx): Stmt {
    const after = c.checkable ? ` chk(${c.ct}, ${this.tag('ky')});` : '';
    const A = c.gen === 'async';
    const canCall = c.level < MAX_LEVEL;
    return this.weighted<Stmt>([
      [4, () => ({ parts: [`yield ${this.num(c)};${after}`] })],
      [3, () => ({ parts: [`log(${this.tag('Y')}, yield ${this.num(c)});${after}`] })],
      [A ? 3 : 0, () => ({ parts: [`yield await ${this.awaitable(c)};${after}`] })],
      [A ? 2 : 0, () => ({ parts: [`yield ${this.awaitable(c)};${after}`] })],
      [1, () => ({ parts: [`yield* [${this.small()}, ${this.small()}];${after}`] })],
      [
        canCall ? 2 : 0,
        () => ({
          parts: [`log(${this.tag('YD')}, yield* ${this.callIn(c, this.fnFor('gen', c.level + 1, c.mayThrow), this.num(c))});${after}`],
        }),
      ],
      [
        A && canCall ? 2 : 0,
        () => ({ parts: [`log(${this.tag('YD')}, yield* ${this.callIn(c, this.fnFor('agen', c.level + 1), this.num(c))});${after}`] }),
      ],
      [
        1,
        () => ({
          parts: [
            'try {',
            [{ parts: [`yield ${this.num(c)};${after}`] }],
            '} finally {',
            [{ parts: [`log(${this.tag('GF')});${after}`] }, { parts: [`yield ${this.num(c)};`] }],
            '}',
          ],
        }),
      ],
    ]);
  }

  private syncGenUse(c: Ctx): Stmt {
    const g = this.fnFor('gen', c.level + 1, c.mayThrow);
    const it = this.uid('it');
    const call = this.callIn(c, g, this.num(c));
    const x = this.uid('x');
    return this.weighted<Stmt>([
      [
        3,
        () => ({
          parts: [
            `for (const ${x} of ${call}) {`,
            [
              { parts: [`log(${this.tag('G')}, ${x});`] },
              ...this.maybeChk(c),
              ...(this.chance(0.4) ? [{ parts: [`if (${x} ${this.pick(['>', '===', '<'])} ${this.small()}) break;`] }] : []),
            ],
            '}',
          ],
        }),
      ],
      [
        2,
        () => ({
          parts: [
            `const ${it} = ${call};`,
            ...Array.from({ length: 1 + this.int(3) }, () =>
              this.pick([` log(${this.tag('GN')}, ${it}.next(${this.small()}));`, ` log(${this.tag('GN')}, ${it}.next());`]),
            ),
            this.pick([
              ` log(${this.tag('GR')}, ${it}.return(${this.small()}));`,
              '',
              c.mayThrow ? ` try { log(${this.tag('GT')}, ${it}.throw(${this.errExpr()})); } catch (e) { log(${this.tag('GC')}, e); }` : '',
            ]),
          ],
        }),
      ],
      [1, () => ({ parts: [`log(${this.tag('GS')}, [...${call}]);`] })],
      [1, () => ({ parts: [`log(${this.tag('GS')}, Array.from(${call}));`] })],
      [1, () => ({ parts: [`{ const [${x}, ${x}b] = ${call}; log(${this.tag('GD')}, ${x}, ${x}b); }`] })],
    ]);
  }

  private asyncGenUse(c: Ctx): Stmt[] {
    const g = this.fnFor('agen', c.level + 1);
    const it = this.uid('it');
    const call = this.callIn(c, g, this.num(c));
    const after = this.maybeChk(c);
    return this.weighted<Stmt[]>([
      [
        3,
        () => [
          { parts: [`const ${it} = ${call};`] },
          ...Array.from({ length: 1 + this.int(3) }, () => ({ parts: [`log(${this.tag('AN')}, await ${it}.next(${this.small()}));`] })),
          ...after,
          ...(this.chance(0.5) ? [{ parts: [`log(${this.tag('AR')}, await ${it}.return(${this.small()}));`] }] : []),
        ],
      ],
      [
        1,
        () => [
          { parts: [`const ${it} = ${call};`] },
          { parts: [`log(${this.tag('AQ')}, await Promise.all([${it}.next(), ${it}.next(), ${it}.return(${this.small()})]));`] },
        ],
      ],
      [
        1,
        () => [
          { parts: [`const ${it} = ${call};`] },
          { parts: [`log(${this.tag('AN')}, await ${it}.next());`] },
          {
            parts: [
              'try {',
              [{ parts: [`log(${this.tag('AT')}, await ${it}.throw(${this.errExpr()}));`] }],
              '} catch (e) {',
              [{ parts: [`log(${this.tag('AC')}, e);`] }],
              '}',
            ],
          },
          ...after,
        ],
      ],
    ]);
  }

  private forAwaitStmt(c: Ctx): Stmt {
    const canCall = c.level < MAX_LEVEL;
    const R = this.ty(': any');
    const source = this.weighted<string>([
      [canCall ? 4 : 0, () => this.callIn(c, this.fnFor('agen', c.level + 1), this.num(c))],
      [canCall ? 1 : 0, () => this.callIn(c, this.fnFor('gen', c.level + 1), this.num(c))],
      [
        2,
        () =>
          `[${this.small()}, Promise.resolve(${this.small()}), ${this.thenable(c, false, true)}, ${this.delayed(String(this.small()))}]`,
      ],
      [
        1,
        () =>
          `{ [Symbol.asyncIterator]() { let n = 0; return { next: async () => { log(${this.tag('nx')}); return { value: n, done: n++ >= ${1 + this.small()} }; }, return: async () => { log(${this.tag('rt')}); return { done: true }; } }; } }`,
      ],
      [
        1,
        () =>
          `{ [Symbol.asyncIterator]()${R} { let n = 0; return { next() { log(${this.tag('nx')}); return ${this.delayed(`{ value: n, done: n++ >= ${1 + this.small()} }`)}; } }; } }`,
      ],
      [
        1,
        () =>
          `{ [Symbol.asyncIterator]()${R} { let n = 0; return { next: async () => { if (n === ${1 + this.small()}) throw ${this.errExpr()}; return { value: n, done: n++ >= 4 }; }, return: async () => { log(${this.tag('rt')}); throw ${this.errExpr()}; } }; } }`,
      ],
    ]);
    const x = this.uid('x');
    const label = this.chance(0.3) ? this.uid('lb') : undefined;
    const inner = this.inner(c, {
      loop: true,
      inSwitch: false,
      labels: label ? [...c.labels, label] : c.labels,
      loopDepth: c.loopDepth + 1,
      vars: [...c.vars, x],
    });
    const body: Stmt[] = [{ parts: [`log(${this.tag('FA')}, ${x});`] }, ...this.maybeChk(inner)];
    if (this.chance(0.5)) {
      const jump = this.pick(['break', 'continue', label ? `break ${label}` : 'break']);
      body.push({ parts: [`if (${x} ${this.pick(['>=', '==='])} ${this.small()}) ${jump};`] });
    }
    if (this.budget > 0 && this.chance(0.6)) body.push(...this.block(inner, 2, 1));
    if (this.chance(0.3)) body.push({ parts: [`T(ticks(${this.tag('tk')}, ${1 + this.int(4)}));`] });
    if (c.canReturn && this.chance(0.1)) body.push({ parts: [`if (${x} === ${this.small()}) return ${this.num(c)};`] });
    if (this.chance(0.2))
      return { parts: [`let ${x}${this.ty(': any')}; ${label ? label + ': ' : ''}for await (${x} of ${source}) {`, body, '}'] };
    return { parts: [`${label ? label + ': ' : ''}for await (const ${x} of ${source}) {`, body, '}'] };
  }

  // -- combinators -----------------------------------------------------------

  private combinatorStmt(c: Ctx): Stmt {
    const method = this.pick(['all', 'allSettled', 'race', 'any']);
    const x = this.uid('x');
    const iterable = this.weighted<string>([
      [
        3,
        () => {
          const inner = this.arrow(c, { async: true, mayThrow: true, vars: [...c.vars, x], level: c.level });
          const body: Stmt[] = [...this.maybeChk(inner, 0.6), ...this.block(inner, 2, 1)];
          if (this.chance(0.4)) body.push({ parts: [`if (${x} === ${this.small()}) throw ${this.errExpr()};`] });
          body.push({ parts: [`return ${x} * 10;`] });
          return this.inline(`[${this.small()}, ${this.small()}, ${this.small()}].map(async (${x}${this.ty(': number')}) => {`, body, '})');
        },
      ],
      [
        2,
        () =>
          `[${Array.from({ length: 1 + this.int(3) }, () =>
            this.weighted<string>([
              [2, () => this.num(c)],
              [3, () => (c.level < MAX_LEVEL ? this.callAsync(c) : `Promise.resolve(${this.small()})`)],
              [2, () => this.thenable(c, false)],
              [1, () => `Promise.reject(${this.errExpr()})`],
              [2, () => this.delayed(this.num(c))],
            ]),
          ).join(', ')}]`,
      ],
      [method === 'race' ? 0 : 1, () => '[]'],
    ]);
    const call = `Promise.${method}(${iterable})`;
    const rejectable = method !== 'allSettled';
    if (rejectable && this.chance(0.6)) {
      return {
        parts: [
          'try {',
          [{ parts: [`log(${this.tag('PA')}, await ${call});`] }, ...this.maybeChk(c)],
          '} catch (e) {',
          [{ parts: [`log(${this.tag('PE')}, e);`] }, ...this.maybeChk(c)],
          '}',
        ],
      };
    }
    return { parts: [`log(${this.tag('PA')}, await ${call});`] };
  }

  // -- contexts --------------------------------------------------------------

  private vrunStmt(c: Ctx): Stmt {
    const ctx = `'${this.uid('c')}'`;
    const asyncRun = c.async && this.chance(0.5);
    const inner = this.arrow(c, { async: asyncRun, ct: ctx, checkable: true, mayThrow: c.mayThrow || asyncRun });
    const body = [this.chk(inner), ...this.block(inner, 3, 1)];
    if (!asyncRun) return { parts: [`V.run(${ctx}, () => {`, body, '});'] };
    return this.pick([
      { parts: [`await V.run(${ctx}, async () => {`, body, '});'] },
      { parts: [`T(V.run(${ctx}, async () => {`, body, '}));'] },
      {
        parts: [
          `log(${this.tag('R')}, await V.run(${ctx}, async (z${this.ty(': any')}) => {`,
          [...body, { parts: ['return z;'] }],
          `}, ${this.small()}));`,
        ],
      },
    ]);
  }

  private spawn(c: Ctx): Stmt {
    if (c.level >= MAX_LEVEL) return this.logStmt(c);
    const call = this.callAsync(c);
    return this.pick([{ parts: [`T(${call});`] }, { parts: [`T(${call});`] }, { parts: [`${call};`] }]);
  }

  private returnStmt(c: Ctx): Stmt {
    // In an async generator `return x` awaits x (an implicit await): a thenable's then runs in the generator's context.
    const value = c.gen === 'no' ? this.returnValue(c) : c.gen === 'async' && this.chance(0.5) ? this.awaitable(c) : this.num(c);
    return this.pick([{ parts: [`if (${this.cond(c)}) return ${value};`] }, { parts: [`if (${this.cond(c)}) return;`] }]);
  }
}

/** Marks an inline function body inside an expression string (see Generator.inline). */
const MARK = '\u0000';

/** Replaces the body markers in a statement tree by the bodies, as statement lists (recursively). */
function expandBodies(list: Stmt[], bodies: Map<string, Stmt[]>): Stmt[] {
  return list.map((stmt) => ({
    parts: stmt.parts.flatMap((part): Part[] => {
      if (typeof part !== 'string') return [expandBodies(part, bodies)];
      if (!part.includes(MARK)) return [part];
      // "head \0id\0 tail": odd pieces are body ids.
      return part.split(MARK).map((piece, i) => (i % 2 === 0 ? piece : expandBodies(bodies.get(piece)!, bodies)));
    }),
  }));
}

export function generate(seed: number, options: GenerateOptions = {}): Program {
  const g = new Generator(seed, options);
  const body = g.topLevel();
  return {
    seed,
    lang: g.lang,
    timers: g.timers,
    delay: g.delay,
    body: expandBodies(body, g.bodies),
    decls: [...expandBodies(g.decls, g.bodies), ...spawnShapes(seed, g.lang), ...messageShapes(seed, g.lang)],
    asi: g.asi,
  };
}

/**
 * Spawn sites (issue 9) for the backends' decisions: in about one program in four, a function that is
 * never called spawns workers and processes in random call shapes (a spawn cannot run in a fuzz
 * program, but both backends must rewrite it alike and idempotently). Drawn from a generator of its
 * own, so that every seed's runnable program stays the one it was.
 */
function spawnShapes(seed: number, lang: Lang): Stmt[] {
  const r = mulberry32(seed ^ 0x5b1d3a7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  if (r() >= 0.25) return [];
  const any = lang === 'ts' ? ': any' : '';
  const argument = ['[cmd]', 'argv', 'null', 'undefined', '{ cwd: cmd }', 'opts', '() => cb()', 'cb', '...rest'];
  const calls: string[] = [];
  for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
    const shape = Math.floor(r() * 4);
    const args = Array.from({ length: Math.floor(r() * 4) }, () => pick(argument));
    if (shape === 0) {
      const name = pick(['spawn', 'spawnSync', 'fork', 'execFile', 'execFileSync', 'exec', 'execSync']);
      calls.push(`${pick(['cp.', "require('child_process')."])}${name}(${['cmd', ...args].join(', ')});`);
    } else if (shape === 1) {
      const options = pick(['', ', opts', ', { workerData: 1 }', ', ...rest']);
      calls.push(`new (require('node:worker_threads').Worker)(${pick(['cmd', '...rest'])}${options});`);
    } else {
      const options = pick(['', ", { type: 'module' }", ", { name: cmd, type: 'module' }", ', { name }', ', opts', ', { ...opts }']);
      calls.push(`new Worker(new URL('./w.js', import.meta.url)${options});`);
    }
  }
  const params = ['cmd', 'argv', 'opts', 'cb', 'name'].map((p) => `${p}${any}`).join(', ');
  return [
    {
      parts: [
        `function spawnShapes(${params}, ...rest${any}) {`,
        [{ parts: ["const cp = require('node:child_process');"] }, ...calls.map((c) => ({ parts: [c] }))],
        '}',
      ],
    },
  ];
}

/**
 * Message sites (issue 9, rewritten with `messages: true`) and functions sent as source text (rewritten
 * never, in any mode): in about one program in four, an async function that is never called posts, opens
 * channels and pools and hands functions to `evaluate` / workerpool's `exec` in random shapes, for the
 * backends' decisions (test/backend-equivalence.test.ts compiles them with the option too). Drawn from a
 * generator of its own, so that every seed's runnable program stays the one it was.
 */
function messageShapes(seed: number, lang: Lang): Stmt[] {
  const r = mulberry32(seed ^ 0x3e55a9e);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  if (r() >= 0.25) return [];
  const cast = lang === 'ts' ? ' as any' : '';
  const message = ['m', '{ n: 1 }', 'await f()', 'p.then((v) => v)', '...rest', '[m, t]'];
  const target = ['w', 'port', `(w${cast})`, 'self', 'parent', 'w.port', 'this.w'];
  const fn = [
    'async () => { await f(); setTimeout(f, 1); }',
    'function (a) { return a; }',
    'async (el) => (await el).id',
    'f',
    '(a, b) => a + b',
  ];
  const calls: string[] = [];
  for (let n = 1 + Math.floor(r() * 5); n > 0; n--) {
    const shape = Math.floor(r() * 7);
    const args = Array.from({ length: Math.floor(r() * 3) }, () => pick(message));
    if (shape === 0) calls.push(`${pick(target)}${pick(['.', '?.'])}postMessage(${args.join(', ')});`);
    else if (shape === 1) calls.push(`postMessage(${args.join(', ')});`);
    else if (shape === 2) calls.push(`w = new ${pick(['Worker', 'SharedWorker', 'Piscina', 'threads.Worker'])}(${args.join(', ')});`);
    else if (shape === 3) calls.push(`q = ${pick(['wp.pool', 'wp.worker', '(0, wp.pool)', 'pool'])}(${args.join(', ')});`);
    else if (shape === 4) calls.push(`await page.${pick(['evaluate', '$eval', 'waitForFunction'])}(${pick(fn)}, ${pick(message)});`);
    else if (shape === 5) calls.push(`await q.exec(${pick(fn)}, [${pick(message)}]);`);
    else calls.push(`setTimeout(() => ${pick(target)}.postMessage(${pick(message.filter((m) => !m.startsWith('await')))}), 1);`);
  }
  const any = lang === 'ts' ? ': any' : '';
  const params = ['w', 'port', 'm', 't', 'p', 'f', 'page', 'q'].map((name) => `${name}${any}`).join(', ');
  return [
    {
      parts: [
        `async function messageShapes(${params}, ...rest${any}) {`,
        [
          { parts: ["const wp = require('workerpool'), threads = require('node:worker_threads');"] },
          { parts: ["const { pool } = require('workerpool');"] },
          ...calls.map((c) => ({ parts: [c] })),
        ],
        '}',
      ],
    },
  ];
}
