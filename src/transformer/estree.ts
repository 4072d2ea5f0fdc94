/**
 * The text backend: parses with oxc (JS, TS, JSX, TSX; no `typescript`
 * needed, so it serves TypeScript 7 builds too), walks the ESTree once and
 * records insertions with magic-string. Original text is only ever added to,
 * never rewritten, so the source map is exact for every original token.
 *
 * The boundaries come from the catalog and the emitted shapes are the same as
 * the TypeScript backend's (see src/runtime/slot.ts for what each helper does).
 */
import MagicString from 'magic-string';
import { parseSync } from 'oxc-parser';
import {
  findScheduler,
  GLOBAL_OBJECTS,
  HELPERS,
  IGNORE_FILE_MARKER,
  IGNORE_MARKER,
  INERT_OPERATORS,
  anyOffsetIn,
  boundaryWordOffsets,
  passesNoValues,
  promiseMethod,
  type Category,
  type SchedulerBoundary,
} from '../catalog.js';
import type { ResolvedOptions } from '../options.js';
import { isMarkerText, skipTrivia } from './text.js';

// oxc's ESTree is plain JSON-like objects; a loose shape keeps the walker small.
export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
}

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type HelpersReference = 'import' | 'require' | 'global';

/** One async boundary the walk met (see TextTransformInput.onBoundary). */
export interface Boundary {
  /**
   * What it is: a scheduler from the catalog (`setTimeout`, `process.nextTick`,
   * `scheduler.postTask`), a promise method (`then`, `catch`, `finally`), or
   * `await`, `yield`, `yield*`, `for-await`, `return` (the implicit await of
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
}

export interface TextTransformOutput {
  /** The edited file, or undefined when nothing needed rewriting (or the file could not be). */
  magic?: MagicString;
  diagnostics: Diagnostic[];
}

const NS = HELPERS.namespace;
const FRAME = HELPERS.frameVar;
const call = (helper: string, ...args: string[]) => `${NS}.${helper}(${args.join(', ')})`;

interface FunctionState {
  framed: boolean;
  isAsync: boolean;
  isGenerator: boolean;
  /** An unframed async function whose every await ends it: those awaits (see tailAwaits). */
  tails?: Set<Node>;
}

/** Per-file state, like the TypeScript backend's FileContext. */
interface FileContext {
  code: string;
  s: MagicString;
  options: ResolvedOptions;
  scopes: Array<{ has(name: string): boolean }>;
  /** Where the words boundaries are written with start (catalog: boundaryWordOffsets); subtrees without one are not walked. */
  boundaryWords: number[];
  fn: FunctionState;
  /** Start offsets of nodes preceded by an `otel-context-ignore` comment. */
  ignored: Set<number>;
  /** ES module code and classes are strict: no parameter aliasing through `arguments`. */
  strict: boolean;
  /** References to promise executors' resolve and reject that need no binding when scheduled (settleReferences). */
  settleRefs: Set<Node>;
  changed: boolean;
  /** Set when the caller asked for boundaries (input.onBoundary). */
  report?: (at: number, kind: string, rewritten: boolean) => void;
}

export function transformEstree(input: TextTransformInput): TextTransformOutput {
  const { code, filename, options } = input;
  const diagnostics: Diagnostic[] = [];
  if (!options.matches(filename)) return { diagnostics };
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
      const { line, column } = lineColumn(code, at);
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
  const processed = alreadyTransformed(program);
  if (processed && !input.onBoundary) return { diagnostics };

  const s = new MagicString(code);
  const fc: FileContext = {
    code,
    s,
    options,
    scopes: [],
    boundaryWords: boundaryWordOffsets(code),
    fn: { framed: false, isAsync: false, isGenerator: false },
    ignored: ignoredStarts(code, comments),
    settleRefs: new Set(),
    strict: parsed.module.hasModuleSyntax || /\.m[jt]sx?$/.test(filename),
    changed: false,
    report: input.onBoundary && boundaryReporter(code, input.onBoundary),
  };
  const isModule = parsed.module.hasModuleSyntax || /\.m[jt]sx?$/.test(filename);
  let topLevelAwait = false;
  try {
    fc.scopes.push(lazyScope(program));
    topLevelAwait = isModule && !skipped(fc, 'await') && containsSuspension(program, false, true, fc.boundaryWords);
    if (topLevelAwait) fc.fn = { framed: true, isAsync: true, isGenerator: false };
    for (const statement of program.body) visit(statement, fc);
  } catch (error) {
    // The walks recurse with the tree; nesting thousands of levels deep exhausts the stack.
    if (!(error instanceof RangeError)) throw error;
    diagnostics.push({ file: filename, line: 1, column: 1, message: `nesting too deep to transform (${error.message}); file left unchanged` });
    return { diagnostics };
  }
  // A processed file was only walked to report its boundaries: its edits are discarded.
  if (!fc.changed || processed) return { diagnostics };

  const reference = options.helpers === 'auto' ? (isModule || !looksCommonJs(code, filename) ? 'import' : 'require') : options.helpers;
  let header =
    reference === 'import'
      ? `import * as ${NS} from ${JSON.stringify(options.runtimeModule)};`
      : reference === 'require'
        ? `const ${NS} = require(${JSON.stringify(options.runtimeModule)});`
        : `var ${NS} = globalThis[Symbol.for("otel-context-transformer.helpers.v1")];`;
  if (topLevelAwait) header += ` const ${FRAME} = ${call(HELPERS.rootFrame)};`;
  s.prependLeft(headerPosition(program, code), header + '\n');
  return { magic: s, diagnostics };
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
  if (/\.jsx$/.test(filename)) return 'jsx';
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
function lineColumn(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029 || (c === 13 && code.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function boundaryReporter(code: string, onBoundary: (boundary: Boundary) => void): FileContext['report'] {
  let lineStarts: number[] | undefined;
  return (at, kind, rewritten) => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    onBoundary({ kind, line: low + 1, column: at - lineStarts[low]! + 1, rewritten });
  };
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

function alreadyTransformed(program: Node): boolean {
  return (program.body as Node[]).some((statement) => {
    if (statement.type === 'ImportDeclaration') {
      return statement.specifiers.some((sp: Node) => sp.type === 'ImportNamespaceSpecifier' && sp.local.name === NS);
    }
    return (
      statement.type === 'VariableDeclaration' &&
      statement.declarations.some((d: Node) => d.id.type === 'Identifier' && d.id.name === NS)
    );
  });
}

function skipped(fc: FileContext, category: Category): boolean {
  return fc.options.skip.has(category);
}

// ---------------------------------------------------------------------------
// The walk. One table from node type to handler; everything else walks its children.

type Handler = (node: Node, fc: FileContext) => void;

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const SCOPE_TYPES = new Set(['StaticBlock', 'SwitchStatement', 'ForStatement', 'ForInStatement', 'CatchClause', 'TSModuleBlock']);
/** Type-level syntax: nothing in here runs. */
const TYPE_ONLY = new Set([
  'TSTypeAnnotation',
  'TSTypeParameterDeclaration',
  'TSTypeParameterInstantiation',
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSDeclareFunction',
  'TSEmptyBodyFunctionExpression',
  'TSIndexSignature',
  'TSDeclareMethod',
]);
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
};

function visit(node: Node | null | undefined, fc: FileContext): void {
  if (!node || typeof node.type !== 'string') return;
  // Nothing to rewrite in text without a boundary's word. Not in an async generator's body: its
  // `return x` awaits x without saying so.
  if (!(fc.fn.isAsync && fc.fn.isGenerator) && !anyOffsetIn(fc.boundaryWords, node.start, node.end)) return;
  if (TYPE_ONLY.has(node.type) || node.declare === true) return;
  if (fc.ignored.size > 0 && fc.ignored.has(node.start) && (IGNORABLE.has(node.type) || node.type.endsWith('Statement') || node.type.endsWith('Declaration'))) {
    return;
  }
  const handler = HANDLERS[node.type];
  if (handler) return handler(node, fc);
  if (SCOPE_TYPES.has(node.type)) return withScope(node, fc, () => visitChildren(node, fc));
  visitChildren(node, fc);
}

const SKIPPED_KEYS = new Set(['type', 'start', 'end', 'range', 'loc', 'typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeArguments', 'decorators']);
const keysByType = new Map<string, string[]>();

function visitChildren(node: Node, fc: FileContext): void {
  let keys = keysByType.get(node.type);
  if (!keys) {
    keys = Object.keys(node).filter((k) => !SKIPPED_KEYS.has(k));
    keysByType.set(node.type, keys);
  }
  for (const key of keys) {
    const value = node[key];
    if (Array.isArray(value)) for (const item of value) visit(item, fc);
    else if (value && typeof value === 'object') visit(value, fc);
  }
  // Decorators run; visit them after the rest so keys stay per type.
  if (node.decorators?.length) for (const d of node.decorators) visit(d, fc);
}

function withScope(node: Node, fc: FileContext, body: () => void): void {
  fc.scopes.push(lazyScope(node));
  try {
    body();
  } finally {
    fc.scopes.pop();
  }
}

function insert(fc: FileContext, at: number, text: string): void {
  fc.s.appendLeft(at, text);
  fc.changed = true;
}

// --- callbacks -------------------------------------------------------------

function visitCall(node: Node, fc: FileContext): void {
  const boundary = callbackPositions(node, fc);
  const positions = boundary?.positions;
  const args = node.arguments as Node[];
  const settling = boundary?.scheduler && passesNoValues(boundary.scheduler, args.length, args.some((a) => a.type === 'SpreadElement'));
  const wrapped = positions
    ? positions
        .filter((i) => args[i] && !isBindCall(args[i]!) && mayBeFunction(args[i]!) && !fc.ignored.has(args[i]!.start))
        .filter((i) => !(settling && fc.settleRefs.has(unwrap(args[i]!))))
        .map((i) => args[i]!)
    : [];
  // Reported when there is a callback to bind (literals and ignored arguments are never bound) or one is bound already.
  if (boundary && fc.report && (wrapped.length > 0 || positions!.some((i) => args[i] && isBindCall(args[i]!)))) {
    fc.report(boundary.at, boundary.kind, wrapped.length === 0);
  }
  for (const arg of wrapped) insert(fc, arg.start, `${NS}.${HELPERS.bind}(`);
  visitChildren(node, fc);
  for (const arg of wrapped) insert(fc, arg.end, ')');
}

/** Parentheses and TypeScript-only wrappers: nothing of them runs. */
const TRANSPARENT = new Set(['ParenthesizedExpression', 'TSNonNullExpression', 'TSAsExpression', 'TSSatisfiesExpression', 'TSTypeAssertion']);

function unwrapTyped(node: Node): Node {
  while (TRANSPARENT.has(node.type)) node = node.expression;
  return node;
}

/** Also through an optional chain's wrapper: `setTimeout?.(cb)` calls setTimeout. */
function unwrap(node: Node): Node {
  while (TRANSPARENT.has(node.type) || node.type === 'ChainExpression') node = node.expression;
  return node;
}

/** The callback positions of a boundary call, with its kind and where its name starts (for onBoundary). */
function callbackPositions(
  node: Node,
  fc: FileContext,
): { positions: readonly number[]; kind: string; at: number; scheduler?: SchedulerBoundary } | undefined {
  const callee = unwrap(node.callee);
  let positions: readonly number[] | undefined;
  let scheduler: SchedulerBoundary | undefined;
  let kind = '';
  let at = callee.start;
  if (callee.type === 'Identifier') {
    const boundary = findScheduler(callee.name, undefined);
    if (boundary && !skipped(fc, boundary.category) && isGlobal(callee.name, fc)) scheduler = boundary;
    kind = callee.name;
  } else if (callee.type === 'MemberExpression') {
    const name = memberName(callee);
    if (name === undefined) return undefined;
    at = callee.property.start;
    const receiver = globalReceiver(unwrap(callee.object));
    if (receiver) {
      const boundary = GLOBAL_OBJECTS.includes(receiver.name) ? findScheduler(name, undefined) : findScheduler(name, receiver.name);
      if (boundary && !skipped(fc, boundary.category) && isGlobal(receiver.root, fc)) scheduler = boundary;
      if (boundary) kind = boundary.object ? `${boundary.object}.${name}` : name;
    }
    if (!scheduler && promiseMethod(name) && !skipped(fc, 'promises')) {
      positions = promiseMethod(name);
      kind = name;
    }
  }
  positions ??= scheduler?.callbacks;
  if (!positions) return undefined;
  const args = node.arguments as Node[];
  const firstSpread = args.findIndex((a) => a.type === 'SpreadElement');
  if (firstSpread !== -1) positions = positions.filter((p) => p < firstSpread);
  return positions.length > 0 ? { positions, kind, at, scheduler } : undefined;
}

/** `new Promise(executor)` with the global Promise: note its resolve and reject references that need no binding. */
function visitNew(node: Node, fc: FileContext): void {
  const callee = unwrap(node.callee);
  const executor = node.arguments[0] && unwrap(node.arguments[0]);
  if (callee.type === 'Identifier' && callee.name === 'Promise' && executor && FUNCTION_TYPES.has(executor.type) && isGlobal('Promise', fc)) {
    for (const ref of settleReferences(executor)) fc.settleRefs.add(ref);
  }
  visitChildren(node, fc);
}

/**
 * The places where a promise executor passes its resolve or reject on as a
 * call's argument, when the executor does nothing else with that name but call
 * it or pass it on: no assignment, no declaration of the same name anywhere
 * inside (so every use is the parameter), no `with`, `eval` or `arguments`
 * (which could reach it unseen). Anything else, and nothing is returned for
 * that name: it keeps its binding.
 */
function settleReferences(executor: Node): Node[] {
  // A TypeScript `this` parameter is not one at run time.
  const params = (executor.params as Node[]).filter((p) => !(p.type === 'Identifier' && p.name === 'this'));
  const names = params.slice(0, 2).filter((p) => p.type === 'Identifier').map((p) => p.name as string);
  if (names.length === 0) return [];
  const passed = new Map<string, Node[]>(names.map((n) => [n, []]));
  const disqualified = new Set<string>();
  let opaque = false;
  const walk = (node: any, parent: Node | undefined, key: string): void => {
    if (opaque || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, parent, key);
      return;
    }
    if (typeof node.type !== 'string') return;
    if (node.type === 'WithStatement') opaque = true;
    // A JSX tag naming it (`<resolve />`): taken as another kind of use, as the TypeScript backend sees it.
    if (node.type === 'JSXIdentifier' && passed.has(node.name)) disqualified.add(node.name);
    if (node.type === 'Identifier') {
      if (node.name === 'eval' || node.name === 'arguments') opaque = true;
      const uses = passed.get(node.name);
      if (uses && parent) {
        if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && key === 'arguments') uses.push(node);
        else if (parent.type === 'CallExpression' && key === 'callee') {
          // A call reads the parameter.
        } else if (!(parent.type === 'MemberExpression' && key === 'property' && !parent.computed)) {
          // Neither a call nor a property name: a write, a declaration, a label, or another kind of read.
          disqualified.add(node.name);
        }
      }
      return;
    }
    // Decorators run code too (the main walk visits them last, for its own reasons).
    for (const k in node) if (!SKIPPED_KEYS.has(k) || k === 'decorators') walk(node[k], node, k);
  };
  walk(executor.body, undefined, '');
  for (const param of params) if (param.type !== 'Identifier') walk(param, executor, 'params');
  if (opaque) return [];
  return names.filter((n) => !disqualified.has(n)).flatMap((n) => passed.get(n)!);
}

/** `window` in `window.setTimeout`; `process` in `globalThis.process.nextTick` (root: the name to check for shadowing). */
function globalReceiver(object: Node): { name: string; root: string } | undefined {
  if (object.type === 'Identifier') return { name: object.name, root: object.name };
  if (object.type === 'MemberExpression') {
    const inner = unwrap(object.object);
    const name = memberName(object);
    if (inner.type === 'Identifier' && GLOBAL_OBJECTS.includes(inner.name) && name !== undefined) return { name, root: inner.name };
  }
  return undefined;
}

function memberName(member: Node): string | undefined {
  if (!member.computed && member.property.type === 'Identifier') return member.property.name;
  if (member.computed && member.property.type === 'Literal' && typeof member.property.value === 'string') return member.property.value;
  return undefined;
}

/** Literals and `undefined` pass through the helpers untouched anyway: leave them as written. */
function mayBeFunction(node: Node): boolean {
  const e = unwrap(node);
  return !(
    e.type === 'Literal' ||
    e.type === 'TemplateLiteral' ||
    (e.type === 'UnaryExpression' && e.operator === 'void') ||
    (e.type === 'Identifier' && e.name === 'undefined')
  );
}

function isBindCall(node: Node): boolean {
  return node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.object.type === 'Identifier' && node.callee.object.name === NS;
}

/** `__otelCtx.<helper>(...)`: how a processed file shows a boundary it already rewrote. */
function isHelperCall(node: Node | null | undefined, ...helpers: string[]): boolean {
  return !!node && isBindCall(node) && memberName(node.callee) !== undefined && helpers.includes(memberName(node.callee)!);
}

function isGlobal(name: string, fc: FileContext): boolean {
  return !fc.scopes.some((scope) => scope.has(name));
}

// --- functions ---------------------------------------------------------------

/** Every part of a class is strict code; a class expression's name is a scope of its own. */
function visitClass(node: Node, fc: FileContext): void {
  const outerStrict = fc.strict;
  fc.strict = true;
  try {
    if (node.type === 'ClassExpression') withScope(node, fc, () => visitChildren(node, fc));
    else visitChildren(node, fc);
  } finally {
    fc.strict = outerStrict;
  }
}

function visitFunction(node: Node, fc: FileContext): void {
  const isAsync = !!node.async;
  const isGenerator = !!node.generator;
  const body = node.body as Node | null;
  // An async generator is a generator: the `generators` category decides for it.
  const suspends = !!body && !skipped(fc, isGenerator ? 'generators' : 'await') && containsSuspension(body, isGenerator, isAsync, fc.boundaryWords);
  const tails = suspends && isAsync && !isGenerator ? tailAwaits(node) : undefined;
  const framed = suspends && !tails;
  const outer = fc.fn;
  fc.fn = { framed, isAsync, isGenerator, tails };
  fc.scopes.push(lazyScope(node));
  try {
    if (body) body.isFunctionBody = true;
    const visitInner = () => {
      for (const p of node.params) visit(p, fc);
      visit(body, fc);
    };
    if (framed) addFrame(node, fc, visitInner);
    else visitInner();
  } finally {
    fc.scopes.pop();
    fc.fn = outer;
  }
}

/**
 * Same shapes as the TypeScript backend: async bodies get
 *   { const __otelFrame = frame(); try { ... } finally { exit(__otelFrame); } }
 * and generators capture their frame in the parameter list (creation time).
 */
function addFrame(node: Node, fc: FileContext, visitInner: () => void): void {
  const body = node.body as Node;
  const { code } = fc;
  const isGenerator = fc.fn.isGenerator;
  const exitText = ` } finally { ${call(HELPERS.exit, FRAME)}; }`;
  if (body.type !== 'BlockStatement') {
    // Expression-bodied async arrow.
    insert(fc, body.start, `{ const ${FRAME} = ${call(HELPERS.frame)}; try { return `);
    visitInner();
    insert(fc, body.end, `;${exitText} }`);
    return;
  }
  const directives = (body.body as Node[]).filter((s, i, all) => s.type === 'ExpressionStatement' && typeof s.directive === 'string' && all.slice(0, i).every((p) => typeof p.directive === 'string'));
  const lastDirective = directives[directives.length - 1];
  const afterPrologue = lastDirective ? lastDirective.end : body.start + 1;
  // `"use strict"` without a semicolon would run into our declaration on the same line.
  const separator = lastDirective && code[lastDirective.end - 1] !== ';' ? ';' : '';
  const frameInParameters = isGenerator && canAddFrameParameter(node, directives, fc.strict);
  let head = '';
  if (!isGenerator) head = `const ${FRAME} = ${call(HELPERS.frame)}; `;
  else if (!frameInParameters) head = `const ${FRAME} = ${call(HELPERS.genFrame)}; `;
  const reenter = isGenerator ? `${call(HELPERS.reenter, FRAME)}; ` : '';
  if (frameInParameters) {
    // Right before `)`, after a trailing comma if there is one (a rest element may not be followed by one).
    const close = closingParen(node, code);
    const params = node.params as Node[];
    const needsComma = params.length > 0 && code[skipTriviaBackward(code, close - 1)] !== ',';
    insert(fc, close, `${needsComma ? ', ' : ''}...{ ${FRAME} = ${call(HELPERS.genFrame)} }`);
  }
  insert(fc, afterPrologue, `${separator} ${head}try { ${reenter}`);
  visitInner();
  insert(fc, body.end - 1, `${exitText} `);
}

function canAddFrameParameter(node: Node, directives: Node[], strict: boolean): boolean {
  if ((node.params as Node[]).some((p) => p.type === 'RestElement')) return false;
  if (directives.some((d) => d.directive === 'use strict')) return false;
  return strict || !mentionsArguments(node.body);
}

function mentionsArguments(root: Node): boolean {
  let found = false;
  const walk = (node: any): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.type === 'Identifier' && node.name === 'arguments') {
      found = true;
      return;
    }
    if (node !== root && (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression')) return;
    for (const key in node) if (key !== 'type' && typeof node[key] === 'object') walk(node[key]);
  };
  walk(root);
  return found;
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


/** `words`: the file's boundaryWords; text without one holds no suspension (but a `return` in an async generator). */
function containsSuspension(root: Node, generator: boolean, async: boolean, words: readonly number[]): boolean {
  let found = false;
  const prune = !(async && generator);
  const walk = (node: any): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (typeof node.type !== 'string') return;
    if (prune && !anyOffsetIn(words, node.start, node.end)) return;
    if (
      (async && node.type === 'AwaitExpression') ||
      (async && node.type === 'ForOfStatement' && node.await) ||
      (generator && node.type === 'YieldExpression') ||
      (async && generator && node.type === 'ReturnStatement' && node.argument) ||
      (async && node.type === 'VariableDeclaration' && node.kind === 'await using')
    ) {
      found = true;
      return;
    }
    if (node !== root && (FUNCTION_TYPES.has(node.type) || node.type === 'StaticBlock' || node.type === 'PropertyDefinition' || TYPE_ONLY.has(node.type))) {
      // A field's decorators and computed key run in the enclosing function, where the class is defined.
      if (node.type === 'PropertyDefinition') walk([node.decorators, node.computed && node.key]);
      return;
    }
    // Decorators run too: in the function that defines the class.
    for (const key in node) {
      if (!SKIPPED_KEYS.has(key) || key === 'decorators') walk(node[key]);
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
function tailAwaits(fn: Node): Set<Node> | undefined {
  const body = fn.body as Node;
  const inTailPosition = new Set<Node>();
  const ending = body.type === 'BlockStatement' ? awaitEndingBody(body.body as Node[]) : unwrapTyped(body);
  if (ending?.type === 'AwaitExpression') inTailPosition.add(ending);
  const tails = new Set<Node>();
  let allTails = true;
  const walk = (node: any, guarded: boolean): void => {
    if (!allTails || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, guarded);
      return;
    }
    if (typeof node.type !== 'string') return;
    if (node.type === 'AwaitExpression') {
      if (!inTailPosition.has(node)) return void (allTails = false);
      tails.add(node);
    } else if (node.type === 'ReturnStatement' && node.argument && !guarded && unwrapTyped(node.argument).type === 'AwaitExpression') {
      inTailPosition.add(unwrapTyped(node.argument));
    } else if ((node.type === 'ForOfStatement' && node.await) || (node.type === 'VariableDeclaration' && (node.kind === 'using' || node.kind === 'await using'))) {
      return void (allTails = false);
    } else if (node.type === 'TryStatement' || node.type === 'ForOfStatement') {
      guarded = true;
    } else if (node !== fn && (FUNCTION_TYPES.has(node.type) || node.type === 'StaticBlock' || node.type === 'PropertyDefinition' || TYPE_ONLY.has(node.type))) {
      if (node.type === 'PropertyDefinition') walk([node.decorators, node.computed && node.key], guarded);
      return;
    }
    for (const key in node) if (!SKIPPED_KEYS.has(key) || key === 'decorators') walk(node[key], guarded);
  };
  walk(fn.body, false);
  return allTails && tails.size > 0 ? tails : undefined;
}

/**
 * The expression of a function body's last await statement when nothing that
 * can run code follows it: `await x;` or `const v = await x;` (v a plain name,
 * so a local binding), as the last statement or followed only by a `return`
 * of an inert expression.
 */
function awaitEndingBody(statements: Node[]): Node | undefined {
  let last = statements[statements.length - 1];
  if (last?.type === 'ReturnStatement' && (!last.argument || isInert(last.argument))) last = statements[statements.length - 2];
  let value: Node | undefined;
  if (last?.type === 'ExpressionStatement') {
    value = last.expression;
  } else if (last?.type === 'VariableDeclaration' && !last.kind.includes('using') && last.declarations.length === 1 && last.declarations[0].id.type === 'Identifier') {
    value = last.declarations[0].init ?? undefined;
  }
  return value && unwrapTyped(value);
}

/**
 * Evaluating it runs no code that could read the context: names, literals and
 * the operators that never call into objects (no valueOf/toString, no getters).
 * A name is taken as a plain read (not a global accessor or a sloppy `with`
 * object's getter).
 */
function isInert(node: Node): boolean {
  const e = unwrapTyped(node);
  switch (e.type) {
    case 'Identifier':
    case 'Literal':
      return true;
    case 'TemplateLiteral':
      return e.expressions.length === 0;
    case 'UnaryExpression':
      return INERT_OPERATORS.has(e.operator) && isInert(e.argument);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return INERT_OPERATORS.has(e.operator) && isInert(e.left) && isInert(e.right);
    case 'ConditionalExpression':
      return isInert(e.test) && isInert(e.consequent) && isInert(e.alternate);
    default:
      return false;
  }
}

// --- suspension points ---------------------------------------------------------

/** `await x` → `resume(f, await suspend(f, x))`; an await that ends an unframed function: `await tail(x)`. */
function visitAwait(node: Node, fc: FileContext): void {
  if (fc.fn.tails?.has(node)) {
    fc.report?.(node.start, 'await', isHelperCall(node.argument, HELPERS.tail));
    insert(fc, node.argument.start, `${NS}.${HELPERS.tail}(`);
    visit(node.argument, fc);
    insert(fc, node.argument.end, ')');
    return;
  }
  if (!fc.fn.framed) return visitChildren(node, fc);
  fc.report?.(node.start, 'await', isHelperCall(node.argument, HELPERS.suspend));
  insert(fc, node.start, `${NS}.${HELPERS.resume}(${FRAME}, `);
  insert(fc, node.argument.start, `${NS}.${HELPERS.suspend}(${FRAME}, `);
  visit(node.argument, fc);
  insert(fc, node.argument.end, ')');
  insert(fc, node.end, ')');
}

/** `yield x` → `resume(f, yield leave(f, x))` (async generators: suspend). */
function visitYield(node: Node, fc: FileContext): void {
  if (!fc.fn.framed) return visitChildren(node, fc);
  const helper = fc.fn.isAsync && !node.delegate ? HELPERS.suspend : HELPERS.leave;
  fc.report?.(node.start, node.delegate ? 'yield*' : 'yield', isHelperCall(node.argument, HELPERS.suspend, HELPERS.leave));
  insert(fc, node.start, `${NS}.${HELPERS.resume}(${FRAME}, `);
  if (node.argument) {
    insert(fc, node.argument.start, `${NS}.${helper}(${FRAME}, `);
    visit(node.argument, fc);
    insert(fc, node.argument.end, ')');
    insert(fc, node.end, ')');
  } else {
    // A bare `yield` that is a whole statement without `;` relied on ASI; our `)` could
    // otherwise join it to a next line starting with `(` or `[`.
    insert(fc, node.end, ` ${NS}.${helper}(${FRAME}))${node.endsStatementWithoutSemicolon ? ';' : ''}`);
  }
}

/** Marks a bare `yield` that ends its statement without a semicolon (see visitYield). */
function visitExpressionStatement(node: Node, fc: FileContext): void {
  const expression = node.expression as Node;
  if (expression.type === 'YieldExpression' && !expression.argument && node.end === expression.end) {
    expression.endsStatementWithoutSemicolon = true;
  }
  visitChildren(node, fc);
}

/**
 * `await using` awaits each disposal when its block ends, after the block's own
 * code: there is no expression to wrap. So every statement after such a
 * declaration goes into `try { … } finally { leave(f) }` (leaving before the
 * disposal awaits), and the block into `try { … } finally { reenter(f) }`
 * (resuming after them). A function body needs no outer wrapper: its `exit`
 * follows. The disposal methods themselves then run outside the function's context.
 */
function visitBlock(node: Node, fc: FileContext): void {
  const declarations = fc.fn.framed && fc.fn.isAsync ? (node.body as Node[]).filter((st) => st.type === 'VariableDeclaration' && st.kind === 'await using') : [];
  if (declarations.length === 0) return withScope(node, fc, () => visitChildren(node, fc));
  const wrapBlock = !node.isFunctionBody;
  if (wrapBlock) insert(fc, node.start + 1, ' try { {');
  for (const declaration of declarations) insert(fc, declaration.end, ' try {');
  withScope(node, fc, () => visitChildren(node, fc));
  insert(fc, node.end - 1, ` } finally { ${call(HELPERS.leave, FRAME)}; }`.repeat(declarations.length));
  if (wrapBlock) insert(fc, node.end - 1, ` } } finally { ${call(HELPERS.reenter, FRAME)}; } `);
}

function visitReturn(node: Node, fc: FileContext): void {
  const { framed, isAsync, isGenerator } = fc.fn;
  if (!framed || !isAsync || !isGenerator || !node.argument) return visitChildren(node, fc);
  fc.report?.(node.start, 'return', isHelperCall(node.argument, HELPERS.suspend));
  insert(fc, node.argument.start, `${NS}.${HELPERS.suspend}(${FRAME}, `);
  visit(node.argument, fc);
  insert(fc, node.argument.end, ')');
}

function visitForOf(node: Node, fc: FileContext): void {
  if (!node.await || !fc.fn.framed) return withScope(node, fc, () => visitChildren(node, fc));
  insert(fc, node.start, 'try { ');
  transformForAwait(node, fc);
  insert(fc, node.end, ` } finally { ${call(HELPERS.reenter, FRAME)}; }`);
}

function visitLabeled(node: Node, fc: FileContext): void {
  let inner: Node = node;
  while (inner.type === 'LabeledStatement') inner = inner.body;
  if (inner.type !== 'ForOfStatement' || !inner.await || !fc.fn.framed) return visitChildren(node, fc);
  insert(fc, node.start, 'try { ');
  transformForAwait(inner, fc);
  insert(fc, node.end, ` } finally { ${call(HELPERS.reenter, FRAME)}; }`);
}

function transformForAwait(node: Node, fc: FileContext): void {
  fc.report?.(node.start, 'for-await', isHelperCall(node.right, HELPERS.forAwait));
  withScope(node, fc, () => {
    visit(node.left, fc);
    insert(fc, node.right.start, `${NS}.${HELPERS.forAwait}(${FRAME}, `);
    visit(node.right, fc);
    insert(fc, node.right.end, ')');
    const body = node.body as Node;
    const reenter = `${call(HELPERS.reenter, FRAME)};`;
    if (body.type === 'BlockStatement') {
      insert(fc, body.start + 1, ` ${reenter}`);
      visit(body, fc);
    } else {
      insert(fc, body.start, `{ ${reenter} `);
      visit(body, fc);
      insert(fc, body.end, ' }');
    }
  });
}

function visitTry(node: Node, fc: FileContext): void {
  if (!fc.fn.framed) return visitChildren(node, fc);
  const { isGenerator, isAsync } = fc.fn;
  const tryCanSuspend = containsSuspension(node.block, isGenerator, isAsync, fc.boundaryWords);
  const catchCanSuspend = !!node.handler && containsSuspension(node.handler.body, isGenerator, isAsync, fc.boundaryWords);
  const reenter = ` ${call(HELPERS.reenter, FRAME)};`;
  visit(node.block, fc);
  if (node.handler) {
    const handler = node.handler as Node;
    if (tryCanSuspend && handler.param && handler.param.type !== 'Identifier') {
      // Destructuring defaults would run before reenter: move the pattern into the block.
      const param = handler.param as Node;
      fc.s.move(param.start, param.end, handler.body.start + 1);
      insert(fc, param.start, '__otelError');
      insert(fc, handler.body.start + 1, `${reenter} let `);
      insert(fc, param.end, ' = __otelError;');
      withScope(handler, fc, () => {
        visit(param, fc);
        visit(handler.body, fc);
      });
    } else {
      if (tryCanSuspend) insert(fc, handler.body.start + 1, reenter);
      visit(handler, fc);
    }
  }
  if (node.finalizer) {
    if (tryCanSuspend || catchCanSuspend) insert(fc, node.finalizer.start + 1, reenter);
    visit(node.finalizer, fc);
  }
}

// ---------------------------------------------------------------------------
// Scopes: names each scope declares (over-approximated; see ts-scope.ts).

/** A scope whose names are collected when first asked for: most are never asked (only boundary calls ask). */
function lazyScope(node: Node): { has(name: string): boolean } {
  let names: Set<string> | undefined;
  return { has: (name) => (names ??= collectNames(node)).has(name) };
}

function collectNames(node: Node): Set<string> {
  const names = new Set<string>();
  switch (node.type) {
    case 'Program':
      collectVarNames(node.body, names);
      collectLexicalNames(node.body, names);
      for (const statement of node.body as Node[]) {
        if (statement.type === 'ImportDeclaration' && statement.importKind !== 'type') {
          for (const sp of statement.specifiers as Node[]) if (sp.importKind !== 'type') names.add(sp.local.name);
        }
        if (statement.type === 'TSImportEqualsDeclaration') names.add(statement.id.name);
      }
      break;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      names.add('arguments');
      if (node.type === 'FunctionExpression' && node.id) names.add(node.id.name);
      for (const p of node.params as Node[]) addPatternNames(p, names);
      if (node.body?.type === 'BlockStatement') {
        collectVarNames(node.body.body, names);
        collectLexicalNames(node.body.body, names);
      }
      break;
    case 'BlockStatement':
    case 'StaticBlock':
    case 'TSModuleBlock':
      collectLexicalNames(node.body, names);
      break;
    case 'SwitchStatement':
      for (const c of node.cases as Node[]) collectLexicalNames(c.consequent, names);
      break;
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement': {
      const init = node.type === 'ForStatement' ? node.init : node.left;
      if (init?.type === 'VariableDeclaration') for (const d of init.declarations as Node[]) addPatternNames(d.id, names);
      break;
    }
    case 'CatchClause':
      if (node.param) addPatternNames(node.param, names);
      break;
    case 'ClassExpression':
      if (node.id) names.add(node.id.name);
      break;
  }
  return names;
}

function addPatternNames(pattern: Node | null, into: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties as Node[]) addPatternNames(p.type === 'RestElement' ? p.argument : p.value, into);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements as Node[]) addPatternNames(e, into);
      break;
    case 'RestElement':
      addPatternNames(pattern.argument, into);
      break;
    case 'AssignmentPattern':
      addPatternNames(pattern.left, into);
      break;
    case 'TSParameterProperty':
      addPatternNames(pattern.parameter, into);
      break;
  }
}

function declarationOf(statement: Node): Node {
  return (statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration') && statement.declaration
    ? statement.declaration
    : statement;
}

function collectLexicalNames(statements: Node[], into: Set<string>): void {
  for (const raw of statements) {
    const statement = declarationOf(raw);
    if (statement.declare) continue;
    if (statement.type === 'VariableDeclaration') {
      for (const d of statement.declarations as Node[]) addPatternNames(d.id, into);
    } else if (
      (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration' || statement.type === 'TSEnumDeclaration') &&
      statement.id
    ) {
      into.add(statement.id.name);
    } else if (statement.type === 'TSModuleDeclaration' && statement.id?.type === 'Identifier') {
      into.add(statement.id.name);
    }
  }
}

function collectVarNames(statements: Node[], into: Set<string>): void {
  const walk = (node: any): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node.type !== 'string' || node.declare) return;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations as Node[]) addPatternNames(d.id, into);
    } else if (node.type === 'FunctionDeclaration') {
      if (node.id) into.add(node.id.name);
      return;
    }
    if (FUNCTION_TYPES.has(node.type) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression' || TYPE_ONLY.has(node.type)) return;
    for (const key in node) if (!SKIPPED_KEYS.has(key)) walk(node[key]);
  };
  statements.forEach(walk);
}
