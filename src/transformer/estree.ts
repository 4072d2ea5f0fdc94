/**
 * The text backend: parses with oxc (JS, TS, JSX, TSX; no `typescript`
 * needed, so it serves TypeScript 7 builds too), walks the ESTree once and
 * records its edits as data (src/text/edits.ts), which magic-string applies.
 * Original text is only ever added to (and, once, moved), never rewritten, so
 * the source map is exact for every original token.
 *
 * The boundaries come from the catalog and the emitted shapes are the same as
 * the TypeScript backend's (see src/runtime/slot.ts for what each helper does).
 */
import { parseSync } from 'oxc-parser';
import type MagicString from 'magic-string';
import { applyEdits, type TextEdit } from '../text/edits.js';
import type { OriginalPositionOf } from '../text/input-map-position.js';
import { LineIndex } from '../text/line-index.js';
import { boundaryWordOffsets, globalHelpersLookup, HELPERS, IGNORE_FILE_MARKER, IGNORE_MARKER } from '../catalog.js';
import type { ResolvedOptions } from '../options.js';
import { childKeys, estreeSyntax, TYPE_ONLY, type Node } from './estree-syntax.js';
import {
  awaitHelper,
  awaitUsingDeclarations,
  containsSuspension,
  helperCallName,
  isProcessed,
  markAliasWords,
  markSerializedFunctions,
  declaredFileWords,
  planListenerAssignment,
  planListenerCall,
  planFrame,
  planInvocation,
  planFunction,
  planTry,
  returnSuspends,
  rewritesForAwait,
  siteNode,
  siteText,
  wrapsArgument,
  yieldHelper,
  type MessagePlan,
  type CallbackPlan,
  type FunctionPlan,
  type PlanContext,
  type ReceiverPlan,
  type SpawnPlan,
} from './planner.js';
import { lazyScope, type Scope } from './origins.js';
import type { Syntax } from './syntax.js';
import { isMarkerText, skipTrivia } from './text.js';

export type { Node } from './estree-syntax.js';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** One async boundary the walk met (see TextTransformInput.onBoundary). */
export interface Boundary {
  /**
   * What it is: a scheduler from the catalog (`setTimeout`, `process.nextTick`,
   * `scheduler.postTask`), a promise method (`then`, `catch`, `finally`), a
   * call that resolves a promise with a value (`Promise.resolve`, an executor's
   * `resolve` under its own name), a spawn site (`new Worker`, `spawn`, `exec`, … of
   * child_process), or `await`, `yield`, `yield*`, `for-await`, `return` (the implicit await of
   * `return x` in an async generator).
   */
  kind: string;
  /** 1-based line and column of the boundary's keyword or callee name. */
  line: number;
  column: number;
  /**
   * True when the input already carries the rewrite (a file processed before);
   * false when this call rewrites it.
   */
  rewritten: boolean;
}

export interface TextTransformInput {
  code: string;
  filename: string;
  options: ResolvedOptions;
  /**
   * Called with each boundary the options ask to rewrite (outer calls before
   * the calls in their receiver: sort by line and column for source order).
   * With it, a file already transformed is walked too (nothing is changed) so
   * that its boundaries are reported, each with `rewritten` telling whether the
   * rewrite is there.
   */
  onBoundary?: (boundary: Boundary) => void;
  /** Debug builds: where a position of `code` comes from in the original source (the input source map), when known. */
  originalPosition?: OriginalPositionOf;
}

export interface TextTransformOutput {
  /** The edited file, or undefined when nothing needed rewriting (or the file could not be). */
  magic?: MagicString;
  /** The edits that made `magic`, in the order they were applied (the Babel plugin maps positions with them). */
  edits?: readonly TextEdit[];
  diagnostics: Diagnostic[];
}

const NS = HELPERS.namespace;
const FRAME = HELPERS.frameVar;
const call = (helper: string, ...args: string[]) => `${NS}.${helper}(${args.join(', ')})`;

/**
 * Type annotations added in .ts/.tsx files only, so that a type-checking loader after us (ts-loader,
 * `tsc --noEmit` on what a bundler saw) reports what it reported on the user's own code and nothing more:
 * - the generator frame parameter: without a type TS infers `{ __otelFrame?: Frame }` as the rest type,
 *   and every call without extra arguments fails (TS2559). `[] & …` keeps the caller's arity check.
 * - `resume(f, yield x)` used as a statement: the yield result becomes an argument of a generic call,
 *   which noImplicitAny rejects in an unannotated generator (TS7057); `resume<unknown>` gives it a
 *   contextual type. A yield whose result is used keeps the plain generic call (its type flows through).
 * (`forAwait` is typed as the identity in the runtime, so the loop variable keeps its type.)
 */
const tsTypes = {
  frameParameter: `: [] & { ${FRAME}?: ReturnType<typeof ${NS}.${HELPERS.genFrame}> }`,
};

/** Per-file state, like the TypeScript backend's FileContext. */
interface FileContext {
  code: string;
  /** What the walk changes, as data (src/text/edits.ts); applied with magic-string at the end. */
  edits: TextEdit[];
  options: ResolvedOptions;
  scopes: Array<Scope<Node>>;
  /** The syntax interface over this file, for the planner (planner.ts): decisions are made there. */
  syntax: Syntax<Node>;
  plan: PlanContext<Node>;
  /** What the function being visited needs: the planner's plan for it (the module top level's, outside any). */
  functionState: FunctionPlan<Node>;
  /** Start offsets of nodes preceded by an `otel-context-ignore` comment. */
  ignored: Set<number>;
  /** ES module code and classes are strict: no parameter aliasing through `arguments`. */
  strict: boolean;
  /** A .ts/.tsx file: what we add must type-check wherever the file did (see tsTypes). */
  typed: boolean;
  /** Set when the caller asked for boundaries (input.onBoundary). */
  report?: (at: number, kind: string, rewritten: boolean) => void;
  /** Debug builds: the site literal a helper call ends with (planner: siteNode). */
  site?: (helper: string, node: Node, plan?: CallbackPlan<Node>) => string | undefined;
}

export function transformEstree(input: TextTransformInput): TextTransformOutput {
  const { code, filename, options } = input;
  const diagnostics: Diagnostic[] = [];
  if (!options.matches(filename)) return { diagnostics };
  // Positions as editors count lines (every line terminator), for diagnostics and onBoundary alike.
  const lines = new LineIndex(code);
  let parsed: ReturnType<typeof parseSync>;
  try {
    parsed = parseSync(filename, code, { sourceType: sourceTypeOf(filename), lang: langOf(filename) });
  } catch (error) {
    diagnostics.push({ file: filename, line: 1, column: 1, message: `could not parse: ${(error as Error).message}` });
    return { diagnostics };
  }
  if (parsed.errors.length > 0) {
    for (const error of parsed.errors) {
      const at = error.labels?.[0]?.start ?? 0;
      const { line, column } = lines.position(at);
      diagnostics.push({ file: filename, line, column, message: `syntax error, file left unchanged: ${error.message}` });
    }
    return { diagnostics };
  }
  const program = parsed.program as unknown as Node;
  const comments = parsed.comments as Array<{ type: string; value: string; start: number; end: number }>;
  const firstStatement = program.body[0] as Node | undefined;
  if (comments.some((c) => (!firstStatement || c.end <= firstStatement.start) && isMarkerText(c.value, IGNORE_FILE_MARKER))) {
    return { diagnostics };
  }
  const processed = isProcessed(estreeSyntax([]), program.body);
  if (processed && !input.onBoundary) return { diagnostics };

  const words = boundaryWordOffsets(code, declaredFileWords(code, options.boundaries, false));
  const syntax = estreeSyntax(words, code);
  const scopes: Array<Scope<Node>> = [];
  const file: FileContext = {
    code,
    edits: [],
    options,
    scopes,
    syntax,
    plan: {
      syntax,
      skip: options.skip,
      scopes,
      settleRefs: new Set(),
      resolveCalls: new Set(),
      asWritten: new Set(),
      messages: options.messages,
      broadcastChannels: options.broadcastChannels,
      listeners: options.listeners,
      carriers: options.helpers !== 'global',
      boundaries: options.boundaries,
    },
    functionState: { framed: false, isAsync: false, isGenerator: false },
    ignored: ignoredStarts(code, comments),
    strict: parsed.module.hasModuleSyntax || /\.m[jt]sx?$/.test(filename),
    typed: /\.[cm]?tsx?$/.test(filename) && !/\.d\.[cm]?ts$/.test(filename),
    report: input.onBoundary && boundaryReporter(lines, input.onBoundary),
    site: options.debug ? siteLiterals(syntax, code, lines, options.siteFile(filename), input.originalPosition) : undefined,
  };
  const isModule = parsed.module.hasModuleSyntax || /\.m[jt]sx?$/.test(filename);
  let topLevelAwait = false;
  try {
    markAliasWords(file.plan, program, code);
    markSerializedFunctions(file.plan, program, code);
    file.scopes.push(lazyScope(syntax, program));
    topLevelAwait = isModule && !file.plan.skip.has('await') && containsSuspension(syntax, program, false, true);
    if (topLevelAwait) file.functionState = { framed: true, isAsync: true, isGenerator: false };
    for (const statement of program.body) visit(statement, file);
  } catch (error) {
    // The walks recurse with the tree; nesting thousands of levels deep exhausts the stack.
    if (!(error instanceof RangeError)) throw error;
    diagnostics.push({
      file: filename,
      line: 1,
      column: 1,
      message: `nesting too deep to transform (${error.message}); file left unchanged`,
    });
    return { diagnostics };
  }
  // A processed file was only walked to report its boundaries: its edits are discarded.
  if (file.edits.length === 0 || processed) return { diagnostics };

  const reference = options.helpers === 'auto' ? (isModule || !looksCommonJs(code, filename) ? 'import' : 'require') : options.helpers;
  let header =
    reference === 'import'
      ? `import * as ${NS} from ${JSON.stringify(options.runtimeModule)};`
      : reference === 'require'
        ? `const ${NS} = require(${JSON.stringify(options.runtimeModule)});`
        : `var ${NS} = ${globalHelpersLookup(file.typed)};`;
  if (topLevelAwait) header += ` const ${FRAME} = ${call(HELPERS.rootFrame)};`;
  file.edits.push({ kind: 'insert', at: headerPosition(program, code), text: header + '\n', first: true });
  return { magic: applyEdits(code, file.edits), edits: file.edits, diagnostics };
}

/**
 * Debug builds: `"file:line:col"` of a helper call's site node, as a literal (planner: siteNode, siteText):
 * in the original source when the input map knows the position, else in the code as given.
 */
function siteLiterals(
  syntax: Syntax<Node>,
  code: string,
  lines: LineIndex,
  file: string,
  originalPosition: OriginalPositionOf | undefined,
): NonNullable<FileContext['site']> {
  const mapLines = originalPosition && new LineIndex(code, 'lf');
  return (helper, node, plan) => {
    const at = siteNode(syntax, helper, node, plan);
    if (!at) return undefined;
    if (mapLines) {
      const generated = mapLines.position(at.start);
      const original = originalPosition!(generated.line - 1, generated.column - 1);
      if (original) return JSON.stringify(siteText(original.file, original.line, original.column));
    }
    const { line, column } = lines.position(at.start);
    return JSON.stringify(siteText(file, line, column));
  };
}

/** `, "site"` for a helper call's argument list in a debug build; nothing otherwise. */
function siteSuffix(file: FileContext, helper: string, node: Node, plan?: CallbackPlan<Node>): string {
  const site = file.site?.(helper, node, plan);
  return site === undefined ? '' : `, ${site}`;
}

function sourceTypeOf(filename: string): 'module' | 'script' | 'unambiguous' {
  if (/\.m[jt]sx?$/.test(filename)) return 'module';
  if (/\.c[jt]sx?$/.test(filename)) return 'script';
  return 'unambiguous';
}

function langOf(filename: string): 'js' | 'jsx' | 'ts' | 'tsx' | 'dts' {
  if (/\.d\.[cm]?ts$/.test(filename)) return 'dts';
  if (/\.[cm]?tsx$/.test(filename)) return 'tsx';
  if (/\.[cm]?ts$/.test(filename)) return 'ts';
  if (filename.endsWith('.jsx')) return 'jsx';
  return 'jsx'; // plain .js may hold JSX (React projects); JSX parsing accepts all of JS
}

/**
 * A file without module syntax: CommonJS markers, or sloppy-only syntax (`with`) that an
 * `import` would break by making the file a strict module, mean `require`.
 */
function looksCommonJs(code: string, filename: string): boolean {
  return /\.c[jt]s$/.test(filename) || /\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w|\bwith\s*\(/.test(code);
}

/** After a hashbang and the directive prologue ("use strict", "use client"). */
function headerPosition(program: Node, code: string): number {
  let position = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ExpressionStatement' && typeof statement.directive === 'string') position = statement.end;
    else break;
  }
  if (position > 0 && code[position] !== '\n') return position;
  return position === 0 ? 0 : position + 1;
}

/** 1-based line and column; every ECMAScript line terminator counts (\\r\\n as one). */
function boundaryReporter(lines: LineIndex, onBoundary: (boundary: Boundary) => void): FileContext['report'] {
  return (at, kind, rewritten) => onBoundary({ kind, ...lines.position(at), rewritten });
}

/**
 * Offsets of the first token after each `otel-context-ignore` comment. A
 * comment after code on the same line counts only as `/* … *\/` directly
 * before the node, never as the end-of-line comment of the previous statement.
 */
function ignoredStarts(code: string, comments: Array<{ type: string; value: string; start: number; end: number }>): Set<number> {
  const starts = new Set<number>();
  for (const comment of comments) {
    if (!isMarkerText(comment.value, IGNORE_MARKER)) continue;
    const next = skipTrivia(code, comment.end);
    const lineStart = code.lastIndexOf('\n', comment.start - 1) + 1;
    const trailing = code.slice(lineStart, comment.start).trim() !== '';
    if (trailing && (comment.type === 'Line' || /[\r\n]/.test(code.slice(comment.end, next)))) continue;
    starts.add(next);
  }
  return starts;
}

// ---------------------------------------------------------------------------

type Handler = (node: Node, file: FileContext) => void;

const SCOPE_TYPES = new Set(['StaticBlock', 'SwitchStatement', 'ForStatement', 'ForInStatement', 'CatchClause', 'TSModuleBlock']);
const IGNORABLE = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'MethodDefinition',
  'PropertyDefinition',
  'Property',
  'ClassDeclaration',
  'ExportNamedDeclaration',
  'ExportDefaultDeclaration',
]);

const HANDLERS: Record<string, Handler> = {
  CallExpression: visitCall,
  NewExpression: visitNew,
  AwaitExpression: visitAwait,
  YieldExpression: visitYield,
  ForOfStatement: visitForOf,
  LabeledStatement: visitLabeled,
  TryStatement: visitTry,
  ReturnStatement: visitReturn,
  ExpressionStatement: visitExpressionStatement,
  BlockStatement: visitBlock,
  FunctionDeclaration: visitFunction,
  FunctionExpression: visitFunction,
  ArrowFunctionExpression: visitFunction,
  ClassDeclaration: visitClass,
  ClassExpression: visitClass,
  AssignmentExpression: visitAssignment,
};

function visit(node: Node | null | undefined, file: FileContext): void {
  if (!node || typeof node.type !== 'string') return;
  // Nothing to rewrite in text without a boundary's word. Not in an async generator's body: its
  // `return x` awaits x without saying so.
  if (!(file.functionState.isAsync && file.functionState.isGenerator) && file.syntax.holdsNoBoundaryWord(node)) return;
  if (TYPE_ONLY.has(node.type) || node.declare === true || file.plan.asWritten.has(node)) return;
  if (
    file.ignored.size > 0 &&
    file.ignored.has(node.start) &&
    (IGNORABLE.has(node.type) || node.type.endsWith('Statement') || node.type.endsWith('Declaration'))
  ) {
    return;
  }
  const handler = HANDLERS[node.type];
  if (handler) return handler(node, file);
  if (SCOPE_TYPES.has(node.type)) return withScope(node, file, () => visitChildren(node, file));
  visitChildren(node, file);
}

function visitChildren(node: Node, file: FileContext): void {
  for (const key of childKeys(node)) {
    const value = node[key];
    if (Array.isArray(value)) for (const item of value) visit(item, file);
    else if (value && typeof value === 'object') visit(value, file);
  }
  // Decorators run; visit them after the rest so keys stay per type.
  if (node.decorators?.length) for (const d of node.decorators) visit(d, file);
}

function withScope(node: Node, file: FileContext, body: () => void): void {
  file.scopes.push(lazyScope(file.syntax, node));
  try {
    body();
  } finally {
    file.scopes.pop();
  }
}

function insert(file: FileContext, at: number, text: string): void {
  // `await(x)`, `yield(x)`, `return(x)`: a call inserted right after a keyword would run into it.
  if (at > 0 && /^[\w$]/.test(text) && /[\w$]/.test(file.code[at - 1]!)) text = ` ${text}`;
  file.edits.push({ kind: 'insert', at, text });
}

// --- callbacks -------------------------------------------------------------

/** Bind a boundary's callbacks, adopt the value a promise resolves with (planner: planCall); listeners (see below); spawns. */
function visitCall(node: Node, file: FileContext): void {
  const { message, callbacks, spawn } = planInvocation(file.plan, node);
  if (message) return visitMessage(node, file, message);
  const listener = planListenerCall(file.plan, node);
  const receiver = listener && (node.callee.object as Node);
  if (receiver) openReceiver(file, receiver, listener!);
  if (spawn) visitSpawn(node, file, spawn);
  else visitPlanned(node, file, callbacks);
  if (receiver) closeReceiver(file, receiver, listener!);
}

// --- listeners (issue 10; planner: planListenerCall, planListenerAssignment) ---

/** `el.onclick = fn` → `el.onclick = handler(fn)`; `img.src = url` → `starts(img, "src").src = url`. */
function visitAssignment(node: Node, file: FileContext): void {
  const plan = planListenerAssignment(file.plan, node);
  const at = plan && ((plan.value ? node.right : node.left.object) as Node);
  if (at) openReceiver(file, at, plan!);
  visitChildren(node, file);
  if (at) closeReceiver(file, at, plan!);
}

/** `R.m(…)` → `helper(R, "m").m(…)`: R evaluated once, the chain kept; a value wrapped is `helper(v)`. */
function openReceiver(file: FileContext, at: Node, plan: ReceiverPlan<Node>): void {
  file.report?.(plan.at.start, plan.kind, false);
  insert(file, at.start, `${NS}.${plan.helper}(`);
}
function closeReceiver(file: FileContext, at: Node, plan: ReceiverPlan<Node>): void {
  insert(file, at.end, plan.value ? ')' : `, ${JSON.stringify(plan.name)})`);
}

/** `new FinalizationRegistry(cb)`: bound like a scheduler's callback; `new Promise(executor)`: see planNew; `new Worker`: planSpawn. */
function visitNew(node: Node, file: FileContext): void {
  const { message, callbacks, spawn } = planInvocation(file.plan, node);
  if (message) return visitMessage(node, file, message);
  if (spawn) visitSpawn(node, file, spawn);
  else visitPlanned(node, file, callbacks);
}

/**
 * A message rewrite (planner: planMessage), in place: `x.postMessage(a)` → `__otelCtx.postMessage(x, a)`,
 * `postMessage(a)` → `__otelCtx.postGlobalMessage(a)`, `new Worker(a)` → `__otelCtx.messageConstruct(Worker, a)`.
 * The text before the receiver (`new `, parentheses) and between it and the first argument is replaced;
 * the receiver and the arguments keep their text and their own rewrites.
 */
function visitMessage(node: Node, file: FileContext, plan: MessagePlan<Node>): void {
  file.report?.(plan.at.start, plan.kind, false);
  const args = node.arguments as Node[];
  let receiver: Node | undefined;
  if (plan.receiver) {
    receiver = node.callee as Node;
    if (node.type === 'CallExpression' && !plan.callee) {
      while (receiver.type !== 'MemberExpression') receiver = receiver.expression as Node;
      receiver = receiver.object as Node;
    }
  }
  const head = `${NS}.${plan.helper}(${plan.leading ? `${JSON.stringify(plan.leading)}, ` : ''}`;
  const replace = (start: number, end: number, text: string) =>
    file.edits.push(start < end ? { kind: 'replace', start, end, text } : { kind: 'insert', at: start, text });
  const argsStart = args.length > 0 ? args[0]!.start : node.end;
  if (receiver && plan.callee) {
    // `wp.pool(a)`, `(0, wp.pool)(a)`: the callee keeps its text, parentheses and type arguments included.
    let open = skipTrivia(file.code, (node.typeArguments as Node | undefined)?.end ?? receiver.end);
    while (file.code[open] !== '(') open = skipTrivia(file.code, open + 1);
    file.edits.push({ kind: 'insert', at: node.start, text: head });
    if (args.length > 0) replace(open, argsStart, ', ');
    else replace(open, node.end, ')');
  } else if (!receiver) {
    replace(node.start, argsStart, args.length > 0 ? head : `${head})`);
  } else {
    replace(node.start, receiver.start, head);
    // `new Worker` without parentheses ends with its callee.
    if (args.length > 0) replace(receiver.end, argsStart, ', ');
    else replace(receiver.end, node.end, ')');
  }
  visitChildren(node, file);
}

/** A worker or process spawned: its options go through a carrier helper (planner: planSpawn). */
function visitSpawn(node: Node, file: FileContext, plan: SpawnPlan<Node>): void {
  const args = node.arguments as Node[];
  const target = args[plan.position];
  const ignored = target !== undefined && file.ignored.has(target.start);
  if (!ignored) file.report?.(plan.at.start, plan.kind, plan.rewritten);
  if (plan.rewritten || ignored) return visitChildren(node, file);
  const helper = `${NS}.${plan.helper}`;
  const last = args[args.length - 1]!;
  switch (plan.how) {
    case 'wrap':
      insert(file, target!.start, `${helper}(`);
      visitChildren(node, file);
      insert(file, target!.end, ')');
      return;
    case 'insert': {
      const argument = plan.helper === 'webWorkerName' ? `{ name: ${helper}() }` : `${helper}()`;
      if (target) insert(file, target.start, `${argument}, `);
      visitChildren(node, file);
      if (!target) insert(file, last.end, `, ${argument}`);
      return;
    }
    case 'name': {
      if (plan.value) insert(file, plan.value.start, `${plan.shorthand ? 'name: ' : ''}${helper}(`);
      visitChildren(node, file);
      if (plan.value) return insert(file, plan.value.end, ')');
      const properties = target!.properties as Node[];
      if (properties.length > 0) insert(file, properties[properties.length - 1]!.end, `, name: ${helper}()`);
      else insert(file, target!.start + 1, ` name: ${helper}() `);
      return;
    }
    case 'arguments':
      insert(file, args[0]!.start, `...${helper}([`);
      visitChildren(node, file);
      insert(file, last.end, plan.helper === 'spawnArgs' ? `], ${plan.withArgv}, ${plan.withCallback})` : '])');
      return;
  }
}

/** A call or `new` whose planned arguments are wrapped in their helper. */
function visitPlanned(node: Node, file: FileContext, plan: CallbackPlan<Node> | undefined): void {
  // `f.apply(thisArg, [cb, ms])`: the planned positions are the array literal's elements.
  const args = (plan?.inArray === undefined ? (node.arguments ?? []) : node.arguments[plan.inArray].elements) as Node[];
  const wrapped = plan
    ? plan.positions
        .filter((i) => args[i] && wrapsArgument(file.plan, plan, args[i]!) && !file.ignored.has(args[i]!.start))
        .map((i) => args[i]!)
    : [];
  // Reported when there is a callback to bind (literals and ignored arguments are never bound) or one is bound already.
  const boundAlready = (i: number) => args[i] !== undefined && helperCallName(file.syntax, args[i]!) !== undefined;
  if (plan && file.report && (wrapped.length > 0 || plan.positions.some(boundAlready))) {
    file.report(plan.at.start, plan.kind, wrapped.length === 0);
  }
  for (const arg of wrapped) insert(file, arg.start, `${NS}.${plan!.helper}(`);
  visitChildren(node, file);
  for (const arg of wrapped) insert(file, arg.end, `${siteSuffix(file, plan!.helper, node, plan)})`);
}

/** `__otelCtx.<helper>(...)`: how a processed file shows a boundary it already rewrote. */
function isHelperCall(file: FileContext, node: Node | null | undefined, ...helpers: string[]): boolean {
  const name = node ? helperCallName(file.syntax, node) : undefined;
  return name !== undefined && helpers.includes(name);
}

// --- functions ---------------------------------------------------------------

/** Every part of a class is strict code; a class expression's name is a scope of its own. */
function visitClass(node: Node, file: FileContext): void {
  const outerStrict = file.strict;
  file.strict = true;
  try {
    if (node.type === 'ClassExpression') withScope(node, file, () => visitChildren(node, file));
    else visitChildren(node, file);
  } finally {
    file.strict = outerStrict;
  }
}

/** Every function is its own scope and its own frame (planner: planFunction). */
function visitFunction(node: Node, file: FileContext): void {
  const plan = planFunction(file.plan, node);
  const body = node.body as Node | null;
  const outerState = file.functionState;
  file.functionState = plan;
  file.scopes.push(lazyScope(file.syntax, node));
  try {
    if (body) body.isFunctionBody = true;
    const visitInner = () => {
      for (const p of node.params) visit(p, file);
      visit(body, file);
    };
    if (plan.framed) addFrame(node, file, visitInner);
    else visitInner();
  } finally {
    file.scopes.pop();
    file.functionState = outerState;
  }
}

/**
 * Same shapes as the TypeScript backend: async bodies get
 *   { const __otelFrame = frame(); try { ... } finally { exit(__otelFrame); } }
 * and generators capture their frame in the parameter list (creation time).
 */
function addFrame(node: Node, file: FileContext, visitInner: () => void): void {
  const body = node.body as Node;
  const { code } = file;
  const exitText = ` } finally { ${call(HELPERS.exit, FRAME)}; }`;
  if (body.type !== 'BlockStatement') {
    // Expression-bodied async arrow.
    insert(file, body.start, `{ const ${FRAME} = ${frameCall(file, HELPERS.frame, node)}; try { return `);
    visitInner();
    insert(file, body.end, `;${exitText} }`);
    return;
  }
  const directives = (body.body as Node[]).filter(
    (s, i, all) =>
      s.type === 'ExpressionStatement' && typeof s.directive === 'string' && all.slice(0, i).every((p) => typeof p.directive === 'string'),
  );
  const lastDirective = directives[directives.length - 1];
  const afterPrologue = lastDirective ? lastDirective.end : body.start + 1;
  // `"use strict"` without a semicolon would run into our declaration on the same line.
  const separator = lastDirective && code[lastDirective.end - 1] !== ';' ? ';' : '';
  const shape = planFrame(file.syntax, file.functionState, node, file.strict);
  const head = shape.declaredWith ? `const ${FRAME} = ${frameCall(file, shape.declaredWith, node)}; ` : '';
  const reenter = shape.reentersFirst ? `${call(HELPERS.reenter, FRAME)}; ` : '';
  if (shape.inParameters) {
    // Right before `)`, after a trailing comma if there is one (a rest element may not be followed by one).
    const close = closingParen(node, code);
    const params = node.params as Node[];
    const needsComma = params.length > 0 && code[skipTriviaBackward(code, close - 1)] !== ',';
    insert(
      file,
      close,
      `${needsComma ? ', ' : ''}...{ ${FRAME} = ${frameCall(file, HELPERS.genFrame, node)} }${file.typed ? tsTypes.frameParameter : ''}`,
    );
  }
  insert(file, afterPrologue, `${separator} ${head}try { ${reenter}`);
  visitInner();
  insert(file, body.end - 1, `${exitText} `);
}

/** `__otelCtx.frame()` (genFrame): with the function's site in a debug build. */
function frameCall(file: FileContext, helper: string, fn: Node): string {
  const site = file.site?.(helper, fn);
  return site === undefined ? call(helper) : call(helper, site);
}

/** Offset of the `)` that closes a function's parameter list. */
function closingParen(node: Node, code: string): number {
  const params = node.params as Node[];
  let i: number;
  if (params.length > 0) {
    i = params[params.length - 1]!.end;
  } else {
    i = skipTrivia(code, node.typeParameters?.end ?? node.id?.end ?? node.start);
    while (code[i] !== '(') i = skipTrivia(code, i + 1);
    i++;
  }
  i = skipTrivia(code, i);
  while (code[i] !== ')') i = skipTrivia(code, i + 1);
  return i;
}

/** The offset of the last character at or before i that is not white space (comments are not expected here). */
function skipTriviaBackward(code: string, i: number): number {
  while (i > 0 && /\s/.test(code[i]!)) i--;
  return i;
}

// --- suspension points ---------------------------------------------------------

/** `await x` → `resume(f, await suspend(f, x))`; an await that ends an unframed function: `await tail(x)`. */
function visitAwait(node: Node, file: FileContext): void {
  const helper = awaitHelper(file.functionState, node);
  if (helper === HELPERS.tail) {
    file.report?.(node.start, 'await', isHelperCall(file, node.argument, HELPERS.tail));
    insert(file, node.argument.start, `${NS}.${HELPERS.tail}(`);
    visit(node.argument, file);
    insert(file, node.argument.end, ')');
    return;
  }
  if (!helper) return visitChildren(node, file);
  file.report?.(node.start, 'await', isHelperCall(file, node.argument, HELPERS.suspend));
  insert(file, node.start, `${NS}.${HELPERS.resume}(${FRAME}, `);
  insert(file, node.argument.start, `${NS}.${HELPERS.suspend}(${FRAME}, `);
  visit(node.argument, file);
  insert(file, node.argument.end, ')');
  insert(file, node.end, `${siteSuffix(file, HELPERS.resume, node)})`);
}

/** `yield x` → `resume(f, yield leave(f, x))` (async generators: suspend). */
function visitYield(node: Node, file: FileContext): void {
  const helper = yieldHelper(file.functionState, !!node.delegate);
  if (!helper) return visitChildren(node, file);
  file.report?.(node.start, node.delegate ? 'yield*' : 'yield', isHelperCall(file, node.argument, HELPERS.suspend, HELPERS.leave));
  insert(file, node.start, `${NS}.${HELPERS.resume}${file.typed && node.resultUnused ? '<unknown>' : ''}(${FRAME}, `);
  if (node.argument) {
    insert(file, node.argument.start, `${NS}.${helper}(${FRAME}, `);
    visit(node.argument, file);
    insert(file, node.argument.end, ')');
    insert(file, node.end, `${siteSuffix(file, HELPERS.resume, node)})`);
  } else {
    // A bare `yield` that is a whole statement without `;` relied on ASI; our `)` could
    // otherwise join it to a next line starting with `(` or `[`.
    const end = `${siteSuffix(file, HELPERS.resume, node)})${node.endsStatementWithoutSemicolon ? ';' : ''}`;
    insert(file, node.end, ` ${NS}.${helper}(${FRAME})${end}`);
  }
}

/** Marks a bare `yield` that ends its statement without a semicolon (see visitYield). */
function visitExpressionStatement(node: Node, file: FileContext): void {
  const expression = node.expression as Node;
  if (expression.type === 'YieldExpression') expression.resultUnused = true;
  if (expression.type === 'YieldExpression' && !expression.argument && node.end === expression.end) {
    expression.endsStatementWithoutSemicolon = true;
  }
  visitChildren(node, file);
}

/**
 * `await using` awaits each disposal when its block ends, after the block's own
 * code: there is no expression to wrap. So every statement after such a
 * declaration goes into `try { … } finally { leave(f) }` (leaving before the
 * disposal awaits), and the block into `try { … } finally { reenter(f) }`
 * (resuming after them). A function body needs no outer wrapper: its `exit`
 * follows. The disposal methods themselves then run outside the function's context.
 */
function visitBlock(node: Node, file: FileContext): void {
  const declarations = awaitUsingDeclarations(file.syntax, file.functionState, node.body as Node[]);
  if (declarations.length === 0) return withScope(node, file, () => visitChildren(node, file));
  const wrapBlock = !node.isFunctionBody;
  if (wrapBlock) insert(file, node.start + 1, ' try { {');
  for (const declaration of declarations) insert(file, declaration.end, ' try {');
  withScope(node, file, () => visitChildren(node, file));
  insert(file, node.end - 1, ` } finally { ${call(HELPERS.leave, FRAME)}; }`.repeat(declarations.length));
  if (wrapBlock) insert(file, node.end - 1, ` } } finally { ${call(HELPERS.reenter, FRAME)}; } `);
}

function visitReturn(node: Node, file: FileContext): void {
  if (!returnSuspends(file.functionState) || !node.argument) return visitChildren(node, file);
  file.report?.(node.start, 'return', isHelperCall(file, node.argument, HELPERS.suspend));
  insert(file, node.argument.start, `${NS}.${HELPERS.suspend}(${FRAME}, `);
  visit(node.argument, file);
  insert(file, node.argument.end, ')');
}

function visitForOf(node: Node, file: FileContext): void {
  if (!rewritesForAwait(file.syntax, file.functionState, node)) return withScope(node, file, () => visitChildren(node, file));
  insert(file, node.start, 'try { ');
  transformForAwait(node, file);
  insert(file, node.end, ` } finally { ${call(HELPERS.reenter, FRAME)}; }`);
}

function visitLabeled(node: Node, file: FileContext): void {
  let inner: Node = node;
  while (inner.type === 'LabeledStatement') inner = inner.body;
  if (!rewritesForAwait(file.syntax, file.functionState, inner)) return visitChildren(node, file);
  insert(file, node.start, 'try { ');
  transformForAwait(inner, file);
  insert(file, node.end, ` } finally { ${call(HELPERS.reenter, FRAME)}; }`);
}

function transformForAwait(node: Node, file: FileContext): void {
  file.report?.(node.start, 'for-await', isHelperCall(file, node.right, HELPERS.forAwait));
  withScope(node, file, () => {
    visit(node.left, file);
    insert(file, node.right.start, `${NS}.${HELPERS.forAwait}(${FRAME}, `);
    visit(node.right, file);
    insert(file, node.right.end, ')');
    const body = node.body as Node;
    const reenter = `${call(HELPERS.reenter, FRAME)};`;
    if (body.type === 'BlockStatement') {
      insert(file, body.start + 1, ` ${reenter}`);
      visit(body, file);
    } else {
      insert(file, body.start, `{ ${reenter} `);
      visit(body, file);
      insert(file, body.end, ' }');
    }
  });
}

/** catch and finally re-enter where the protected block can suspend (planner: planTry). */
function visitTry(node: Node, file: FileContext): void {
  if (!file.functionState.framed) return visitChildren(node, file);
  const handler = node.handler as Node | null;
  const plan = planTry(
    file.syntax,
    file.functionState,
    node.block,
    handler ? { parameter: handler.param ?? undefined, body: handler.body } : undefined,
  );
  const reenter = ` ${call(HELPERS.reenter, FRAME)};`;
  visit(node.block, file);
  if (handler) {
    if (plan.unpackCatchParameter) {
      // Destructuring defaults would run before reenter: move the pattern into the block.
      const param = handler.param as Node;
      file.edits.push({ kind: 'move', start: param.start, end: param.end, to: handler.body.start + 1 });
      insert(file, param.start, '__otelError');
      insert(file, handler.body.start + 1, `${reenter} let `);
      insert(file, param.end, ' = __otelError;');
      withScope(handler, file, () => {
        visit(param, file);
        visit(handler.body, file);
      });
    } else {
      if (plan.reenterCatch) insert(file, handler.body.start + 1, reenter);
      visit(handler, file);
    }
  }
  if (node.finalizer) {
    if (plan.reenterFinally) insert(file, node.finalizer.start + 1, reenter);
    visit(node.finalizer, file);
  }
}
