/**
 * The TypeScript backend: a `before` transformer over TypeScript's AST. It runs
 * ahead of TypeScript's own downlevelling, so `await` is rewritten while it is
 * still `await` whatever the target.
 *
 * One visitor, driven by a table from node kind to handler (kindTablesFor); the
 * boundaries themselves come from the catalog. Per file, a `FileContext` holds
 * everything a handler needs.
 */
import { injectedFault, internalErrorMessage } from '../internal-errors.js';
import type * as TS from 'typescript';
import { boundaryWordOffsets, globalHelpersLookup, HELPERS, IGNORE_FILE_MARKER, IGNORE_MARKER } from '../catalog.js';
import type { ResolvedOptions } from '../options.js';
import { isMarkerText, skipTrivia } from './text.js';
import {
  awaitHelper,
  awaitUsingDeclarations,
  containsSuspension,
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
  type CallbackPlan,
  type ReceiverPlan,
  type FunctionPlan,
  type PlanContext,
  type MessagePlan,
  type SpawnPlan,
} from './planner.js';
import { lazyScope, type Scope } from './origins.js';
import type { Syntax } from './syntax.js';
import { tsSyntax } from './ts-syntax.js';
import { checkerOracle } from './ts-oracle.js';

export interface TsTransformHost {
  ts: typeof TS;
  options: ResolvedOptions;
  /** Present when the host compiles a whole program (tspc); enables type-based decisions. */
  checker?: TS.TypeChecker;
  /** Where diagnostics go (ts-patch's addDiagnostic, or a test's array). */
  report(diagnostic: TS.Diagnostic): void;
}

/** What the function currently being visited needs: the planner's plan, and its frame's identifier when framed. */
type FunctionState = FunctionPlan<TS.Node> & { frame?: TS.Identifier };

/** Everything a handler needs for one file. */
interface FileContext {
  ts: typeof TS;
  factory: TS.NodeFactory;
  context: TS.TransformationContext;
  host: TsTransformHost;
  sourceFile: TS.SourceFile;
  /** Scope stack for deciding whether a name is the real global when there is no checker. */
  scopes: Array<Scope<TS.Node>>;
  functionState: FunctionState;
  /** Set once any rewrite references the runtime: the import is added only then. */
  usesRuntime: boolean;
  /** The body of the function being visited (original node), to tell it from nested blocks. */
  functionBody?: TS.Node;
  /** Whether the file text mentions the ignore marker at all (fast path). */
  hasIgnoreComments: boolean;
  /** The syntax interface over this file, for the planner (planner.ts): decisions are made there. */
  syntax: Syntax<TS.Node>;
  plan: PlanContext<TS.Node>;
  visit: TS.Visitor;
  /** Debug builds: the name sites give this file (options.siteFile). */
  siteFile?: string;
}

type Handler = (node: any, file: FileContext) => TS.VisitResult<TS.Node>;

export function createTsTransformerFactory(host: TsTransformHost): TS.TransformerFactory<TS.SourceFile> {
  const { ts } = host;
  return (context) => (sourceFile) => {
    if (!shouldTransformFile(ts, sourceFile, host)) return sourceFile;
    try {
      const transformed = transformFile(sourceFile, context, host);
      injectedFault(sourceFile.fileName);
      return transformed;
    } catch (error) {
      // Never break the build: report, and emit the file exactly as it was (src/internal-errors.ts).
      host.report({
        category: ts.DiagnosticCategory.Warning,
        code: 90002,
        file: sourceFile,
        start: 0,
        length: 0,
        messageText: `otel-context-transformer: ${internalErrorMessage(error)}`,
      });
      return sourceFile;
    }
  };
}

function shouldTransformFile(ts: typeof TS, sourceFile: TS.SourceFile, host: TsTransformHost): boolean {
  if (sourceFile.isDeclarationFile) return false;
  if (!host.options.matches(sourceFile.fileName)) return false;
  // Files with syntax errors: TypeScript reports them; we do not guess at a broken tree.
  if (((sourceFile as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0) > 0) return false;
  if (hasMarkerComment(ts, sourceFile.text, 0, IGNORE_FILE_MARKER)) return false;
  // Our own output (a second run leaves it alone).
  return !(sourceFile.text.includes(HELPERS.namespace) && isProcessed(tsSyntax(ts, []), sourceFile.statements));
}

/**
 * `// otel-context-ignore` (or a block or doc comment with the marker) among
 * the comments right before `pos`, on the lines above or earlier on the same
 * line. At pos 0 these are the file's leading comments (the file marker may
 * follow a license header).
 */
function hasMarkerComment(ts: typeof TS, text: string, pos: number, marker: string): boolean {
  const start = skipTrivia(text, pos);
  // A comment after code on the same line counts only as `/* … */` right before the node, never
  // as the end-of-line comment of the previous statement.
  const sameLine = (ts.getTrailingCommentRanges(text, pos) ?? []).filter(
    (r) => r.kind === ts.SyntaxKind.MultiLineCommentTrivia && !/[\r\n]/.test(text.slice(r.end, start)),
  );
  const ranges = [...sameLine, ...(ts.getLeadingCommentRanges(text, pos) ?? [])];
  return ranges.some((r) => {
    const body = text.slice(r.pos + 2, r.kind === ts.SyntaxKind.MultiLineCommentTrivia ? r.end - 2 : r.end);
    return isMarkerText(body, marker);
  });
}

function transformFile(sourceFile: TS.SourceFile, context: TS.TransformationContext, host: TsTransformHost): TS.SourceFile {
  const { ts } = host;
  // About half of a typical codebase holds no boundary's word at all: nothing to walk (TypeScript parsed
  // the file already, so there is no diagnostic to lose; the text backend still parses every file to
  // report bad input).
  const oracle = checkerOracle(ts, host.options.typeCheck ? host.checker : undefined);
  const boundaryWords = boundaryWordOffsets(sourceFile.text, declaredFileWords(sourceFile.text, host.options.boundaries, !!oracle));
  // With the checker an import may bring a boundary under a name of its own (a re-exported alias): markAliasWords.
  const imports = !!oracle && sourceFile.statements.some((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s));
  if (boundaryWords.length === 0 && !imports) return sourceFile;
  const { handlers, ignorable } = kindTablesFor(ts);
  const syntax = tsSyntax(ts, boundaryWords, sourceFile.text);
  const scopes: Array<Scope<TS.Node>> = [];
  const file: FileContext = {
    ts,
    factory: context.factory,
    context,
    host,
    sourceFile,
    scopes,
    functionState: { framed: false, isAsync: false, isGenerator: false },
    usesRuntime: false,
    hasIgnoreComments: sourceFile.text.includes(IGNORE_MARKER),
    syntax,
    plan: {
      syntax,
      skip: host.options.skip,
      scopes,
      oracle,
      settleRefs: new Set(),
      resolveCalls: new Set(),
      asWritten: new Set(),
      messages: host.options.messages,
      broadcastChannels: host.options.broadcastChannels,
      listeners: host.options.listeners,
      carriers: host.options.helpers !== 'global',
      boundaries: host.options.boundaries,
    },
    visit: undefined as unknown as TS.Visitor,
    siteFile: host.options.debug ? host.options.siteFile(sourceFile.fileName) : undefined,
  };
  file.visit = (node) => {
    // Not in an async generator's body: its `return x` awaits x without saying so.
    if (!(file.functionState.isAsync && file.functionState.isGenerator) && syntax.holdsNoBoundaryWord(node)) return node;
    if ((ignorable.has(node.kind) && isIgnored(file, node)) || file.plan.asWritten.has(node)) {
      return node;
    }
    const handler = handlers.get(node.kind);
    if (handler) return handler(node, file);
    return ts.visitEachChild(node, file.visit, context);
  };
  markAliasWords(file.plan, sourceFile, sourceFile.text);
  markSerializedFunctions(file.plan, sourceFile, sourceFile.text);
  file.scopes.push(lazyScope(syntax, sourceFile));

  // Module top level: top-level await resumes in the root context.
  const topLevelSuspends =
    !file.plan.skip.has('await') && ts.isExternalModule(sourceFile) && containsSuspension(syntax, sourceFile, false, true);
  if (topLevelSuspends) file.functionState = { framed: true, frame: frameIdentifier(file), isAsync: true, isGenerator: false };

  let statements = ts.visitNodes(sourceFile.statements, file.visit, ts.isStatement) as TS.NodeArray<TS.Statement>;
  if (!file.usesRuntime) return sourceFile;

  const { factory } = file;
  const prologue: TS.Statement[] = [];
  let rest = [...statements];
  while (rest.length > 0 && ts.isExpressionStatement(rest[0]!) && ts.isStringLiteral(rest[0]!.expression)) {
    prologue.push(rest.shift()!);
  }
  const importRuntime = runtimeReference(file, context.getCompilerOptions());
  const header: TS.Statement[] = [importRuntime];
  if (topLevelSuspends) header.push(declareFrame(file, HELPERS.rootFrame));
  // Imports stay first so the frame is declared before any top-level await.
  let i = 0;
  while (i < rest.length && (ts.isImportDeclaration(rest[i]!) || ts.isImportEqualsDeclaration(rest[i]!))) i++;
  statements = factory.createNodeArray([...prologue, importRuntime, ...rest.slice(0, i), ...header.slice(1), ...rest.slice(i)]);
  return factory.updateSourceFile(sourceFile, statements);
}

/**
 * How the file reaches the helpers. An import (TypeScript turns it into
 * require for CommonJS output) — except in a script file (no import/export)
 * compiled to CommonJS, which TypeScript leaves alone: there a require; and
 * `helpers: "global"` reads what the otel-context-transformer/global prelude put
 * on globalThis.
 */
function runtimeReference(file: FileContext, compilerOptions: TS.CompilerOptions): TS.Statement {
  const { ts, factory, host, sourceFile } = file;
  const namespace = factory.createIdentifier(HELPERS.namespace);
  let mode = host.options.helpers;
  if (mode === 'auto') {
    const module = compilerOptions.module;
    const commonJsOutput =
      module === ts.ModuleKind.CommonJS ||
      ((module === ts.ModuleKind.Node16 || module === ts.ModuleKind.NodeNext) && sourceFile.impliedNodeFormat === ts.ModuleKind.CommonJS);
    mode = !ts.isExternalModule(sourceFile) && commonJsOutput ? 'require' : 'import';
  }
  if (mode === 'import') {
    return factory.createImportDeclaration(
      undefined,
      factory.createImportClause(
        undefined as unknown as boolean, // TS 5: isTypeOnly = false; TS 6: no phase modifier
        undefined,
        factory.createNamespaceImport(namespace),
      ),
      factory.createStringLiteral(host.options.runtimeModule),
      undefined,
    );
  }
  const value =
    mode === 'require'
      ? factory.createCallExpression(factory.createIdentifier('require'), undefined, [
          factory.createStringLiteral(host.options.runtimeModule),
        ])
      : // Printed as written: the same text the other backend emits (catalog: globalHelpersLookup).
        factory.createIdentifier(globalHelpersLookup(false));
  return factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList([factory.createVariableDeclaration(namespace, undefined, undefined, value)], ts.NodeFlags.Const),
  );
}

// ---------------------------------------------------------------------------
// Handlers, one per node kind.

/**
 * What depends on a TypeScript instance's SyntaxKind numbers (they differ between versions, and one
 * process may load several): the handler of each kind, and the kinds a `// otel-context-ignore`
 * comment can precede. Kept per instance, never in module state shared between them.
 */
interface KindTables {
  handlers: Map<TS.SyntaxKind, Handler>;
  ignorable: ReadonlySet<TS.SyntaxKind>;
}
const kindTablesCache = new WeakMap<object, KindTables>();

function kindTablesFor(ts: typeof TS): KindTables {
  const cached = kindTablesCache.get(ts);
  if (cached) return cached;
  const K = ts.SyntaxKind;
  const handlers = new Map<TS.SyntaxKind, Handler>([
    [K.CallExpression, visitCall],
    [K.NewExpression, visitNew],
    [K.AwaitExpression, visitAwait],
    [K.YieldExpression, visitYield],
    [K.ForOfStatement, visitForOf],
    [K.LabeledStatement, visitLabeled],
    [K.TryStatement, visitTry],
    [K.ReturnStatement, visitReturn],
    [K.FunctionDeclaration, visitFunction],
    [K.FunctionExpression, visitFunction],
    [K.ArrowFunction, visitFunction],
    [K.MethodDeclaration, visitFunction],
    [K.Constructor, visitFunction],
    [K.GetAccessor, visitFunction],
    [K.SetAccessor, visitFunction],
    [K.Block, visitBlock],
    [K.CaseBlock, visitScope],
    [K.ModuleBlock, visitScope],
    [K.ForStatement, visitScope],
    [K.ForInStatement, visitScope],
    [K.CatchClause, visitScope],
    [K.ClassExpression, visitScope],
    [K.BinaryExpression, visitAssignment],
  ]);
  const ignorable: TS.SyntaxKind[] = [
    K.FunctionDeclaration,
    K.FunctionExpression,
    K.ArrowFunction,
    K.MethodDeclaration,
    K.PropertyDeclaration,
    K.PropertyAssignment,
    K.ClassDeclaration,
  ];
  for (let k = K.FirstStatement; k <= K.LastStatement; k++) ignorable.push(k);
  const tables: KindTables = { handlers, ignorable: new Set(ignorable) };
  kindTablesCache.set(ts, tables);
  return tables;
}

/** Visits a node that opens a scope, with its declared names on the scope stack. */
function visitScope(node: TS.Node, file: FileContext): TS.Node {
  file.scopes.push(lazyScope(file.syntax, node));
  try {
    return file.ts.visitEachChild(node, file.visit, file.context);
  } finally {
    file.scopes.pop();
  }
}

// --- callbacks -------------------------------------------------------------

/**
 * `setTimeout(cb)`, `globalThis.queueMicrotask?.(cb)`, `p.then(a, b)`: bind the callbacks to the call-time context;
 * `Promise.resolve(x)`, an executor's `resolve(x)`: adopt a thenable x in it (planner: planCall).
 */
function visitCall(node: TS.CallExpression, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const { message, callbacks: plan, spawn } = planInvocation(file.plan, node);
  if (message) return visitMessage(node, file, message);
  const visited = ts.visitEachChild(node, file.visit, file.context);
  const args = plan
    ? plan.inArray === undefined
      ? wrapPlanned(file, plan, node.arguments, visited.arguments)
      : wrapInArray(file, plan, node, visited)
    : spawn && spawnArguments(file, spawn, node.arguments, visited.arguments);
  const listener = planListenerCall(file.plan, node);
  if (!args && !listener) return visited;
  const callee = listener ? wrapReceiver(file, visited.expression, listener) : visited.expression;
  return ts.isCallChain(visited)
    ? factory.updateCallChain(visited, callee, visited.questionDotToken, visited.typeArguments, args ?? visited.arguments)
    : factory.updateCallExpression(visited, callee, visited.typeArguments, args ?? visited.arguments);
}

// --- listeners (issue 10; planner: planListenerCall, planListenerAssignment) ---

/** `el.onclick = fn` → `el.onclick = handler(fn)`; `img.src = url` → `starts(img, "src").src = url`. */
function visitAssignment(node: TS.BinaryExpression, file: FileContext): TS.Node {
  const plan = planListenerAssignment(file.plan, node);
  const visited = file.ts.visitEachChild(node, file.visit, file.context);
  if (!plan) return visited;
  const left = plan.value ? visited.left : wrapReceiver(file, visited.left, plan);
  const right = plan.value ? helperCall(file, plan.helper, [visited.right], visited.right) : visited.right;
  return file.factory.updateBinaryExpression(visited, left, visited.operatorToken, right);
}

/** `R.m` → `helper(R, "m").m` (a member access as written, its optional token kept). */
function wrapReceiver<E extends TS.Expression>(file: FileContext, member: E, plan: ReceiverPlan<TS.Node>): E {
  const { ts, factory } = file;
  const wrap = (object: TS.Expression) => helperCall(file, plan.helper, [object, factory.createStringLiteral(plan.name)], object);
  if (ts.isPropertyAccessExpression(member)) {
    return (ts.isPropertyAccessChain(member)
      ? factory.updatePropertyAccessChain(member, wrap(member.expression), member.questionDotToken, member.name)
      : factory.updatePropertyAccessExpression(member, wrap(member.expression), member.name)) as unknown as E;
  }
  if (ts.isElementAccessExpression(member)) {
    return (ts.isElementAccessChain(member)
      ? factory.updateElementAccessChain(member, wrap(member.expression), member.questionDotToken, member.argumentExpression)
      : factory.updateElementAccessExpression(member, wrap(member.expression), member.argumentExpression)) as unknown as E;
  }
  return member;
}

/** `new FinalizationRegistry(cb)`: bound like a scheduler's callback; `new Promise(executor)`: see planNew. */
function visitNew(node: TS.NewExpression, file: FileContext): TS.Node {
  const { message, callbacks: plan, spawn } = planInvocation(file.plan, node);
  if (message) return visitMessage(node, file, message);
  const visited = file.ts.visitEachChild(node, file.visit, file.context);
  if (!node.arguments || !visited.arguments) return visited;
  const args = plan
    ? wrapPlanned(file, plan, node.arguments, visited.arguments)
    : spawn && spawnArguments(file, spawn, node.arguments, visited.arguments);
  return args ? file.factory.updateNewExpression(visited, visited.expression, visited.typeArguments, args) : visited;
}

/**
 * A message rewrite (planner: planMessage): `x.postMessage(a)` → `__otelCtx.postMessage(x, a)`,
 * `postMessage(a)` → `__otelCtx.postGlobalMessage(a)`, `new Worker(a)` → `__otelCtx.messageConstruct(Worker, a)`.
 */
function visitMessage(node: TS.CallExpression | TS.NewExpression, file: FileContext, plan: MessagePlan<TS.Node>): TS.Node {
  const { ts } = file;
  const visited = ts.visitEachChild(node, file.visit, file.context) as TS.CallExpression | TS.NewExpression;
  const args = [...(visited.arguments ?? [])];
  let receiver: TS.Expression | undefined;
  if (plan.receiver) {
    receiver = visited.expression;
    if (ts.isCallExpression(visited) && !plan.callee) {
      while (!ts.isPropertyAccessExpression(receiver) && !ts.isElementAccessExpression(receiver)) {
        receiver = (receiver as TS.ParenthesizedExpression).expression;
      }
      receiver = receiver.expression;
    }
  }
  const leading = plan.leading
    ? [file.factory.createArrayLiteralExpression(plan.leading.map((n) => file.factory.createStringLiteral(n)))]
    : [];
  return helperCall(file, plan.helper, receiver ? [...leading, receiver, ...args] : args, node);
}

/** The visited arguments with the planned ones wrapped in their helper; undefined when none is. */
function wrapPlanned(
  file: FileContext,
  plan: CallbackPlan<TS.Node>,
  original: TS.NodeArray<TS.Expression>,
  visited: TS.NodeArray<TS.Expression>,
): TS.Expression[] | undefined {
  let changed = false;
  const args = visited.map((arg, i) => {
    if (!plan.positions.includes(i) || !wrapsArgument(file.plan, plan, original[i]!)) return arg;
    if (isIgnored(file, original[i]!)) return arg;
    changed = true;
    return helperCall(file, plan.helper, withSite(file, [arg], plan.helper, original[i]!, plan), arg);
  });
  return changed ? args : undefined;
}

/** A worker's or process's arguments with its options going through a carrier helper (planner: planSpawn); undefined when unchanged. */
function spawnArguments(
  file: FileContext,
  plan: SpawnPlan<TS.Node>,
  original: TS.NodeArray<TS.Expression>,
  visited: TS.NodeArray<TS.Expression>,
): TS.Expression[] | undefined {
  const { factory } = file;
  const target = original[plan.position];
  if (plan.rewritten || (target && isIgnored(file, target))) return undefined;
  const args = [...visited];
  switch (plan.how) {
    case 'wrap':
      args[plan.position] = helperCall(file, plan.helper, [args[plan.position]!], args[plan.position]);
      return args;
    case 'insert': {
      const call = helperCall(file, plan.helper, []);
      const argument =
        plan.helper === 'webWorkerName' ? factory.createObjectLiteralExpression([factory.createPropertyAssignment('name', call)]) : call;
      args.splice(plan.position, 0, argument);
      return args;
    }
    case 'name': {
      const literal = args[plan.position] as TS.ObjectLiteralExpression;
      const properties = [...literal.properties];
      // The planner's `value` is the last `name: …` property's (visiting keeps the properties in order).
      const { ts } = file;
      const isName = (p: TS.ObjectLiteralElementLike) =>
        (ts.isShorthandPropertyAssignment(p) && p.name.text === 'name') ||
        (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === 'name');
      const at = plan.value ? properties.length - 1 - [...properties].reverse().findIndex(isName) : -1;
      if (at !== -1) {
        const property = properties[at]!;
        if (ts.isShorthandPropertyAssignment(property)) {
          const value = factory.createIdentifier(property.name.text);
          properties[at] = ts.setTextRange(factory.createPropertyAssignment('name', helperCall(file, plan.helper, [value])), property);
        } else {
          const { name, initializer } = property as TS.PropertyAssignment;
          properties[at] = factory.updatePropertyAssignment(
            property as TS.PropertyAssignment,
            name,
            helperCall(file, plan.helper, [initializer], initializer),
          );
        }
      } else {
        properties.push(factory.createPropertyAssignment('name', helperCall(file, plan.helper, [])));
      }
      args[plan.position] = factory.updateObjectLiteralExpression(literal, properties);
      return args;
    }
    case 'arguments': {
      const list = factory.createArrayLiteralExpression(args);
      const flags =
        plan.helper === 'spawnArgs'
          ? [plan.withArgv, plan.withCallback].map((f) => (f ? factory.createTrue() : factory.createFalse()))
          : [];
      return [factory.createSpreadElement(helperCall(file, plan.helper, [list, ...flags]))];
    }
  }
}

/** `f.apply(thisArg, [cb, ms])`: the arguments with the planned elements of the array literal wrapped. */
function wrapInArray(
  file: FileContext,
  plan: CallbackPlan<TS.Node>,
  node: TS.CallExpression,
  visited: TS.CallExpression,
): TS.Expression[] | undefined {
  const index = plan.inArray!;
  const original = node.arguments[index];
  const array = visited.arguments[index];
  if (!original || !array || !file.ts.isArrayLiteralExpression(original) || !file.ts.isArrayLiteralExpression(array)) return undefined;
  const elements = wrapPlanned(file, plan, original.elements, array.elements);
  if (!elements) return undefined;
  const args = [...visited.arguments];
  args[index] = file.factory.updateArrayLiteralExpression(array, elements);
  return args;
}

function isIgnored(file: FileContext, node: TS.Node): boolean {
  return file.hasIgnoreComments && node.pos >= 0 && hasMarkerComment(file.ts, file.sourceFile.text, node.pos, IGNORE_MARKER);
}

// --- functions ---------------------------------------------------------------

type FunctionLike =
  | TS.FunctionDeclaration
  | TS.FunctionExpression
  | TS.ArrowFunction
  | TS.MethodDeclaration
  | TS.ConstructorDeclaration
  | TS.GetAccessorDeclaration
  | TS.SetAccessorDeclaration;

/**
 * Every function is its own scope and its own frame (planner: planFunction);
 * its suspension points are rewritten against that frame and no other.
 */
function visitFunction(node: FunctionLike, file: FileContext): TS.Node {
  const { ts } = file;
  const plan = planFunction(file.plan, node);
  const outerState = file.functionState;
  const outerBody = file.functionBody;
  // Its decorators and computed name belong to the enclosing function: visited before entering this one.
  const parts = file.syntax.enclosingParts(node);
  const outerParts = parts.length > 0 ? new Map(parts.map((part) => [part, file.visit(part) as TS.Node])) : undefined;
  file.functionState = { ...plan, frame: plan.framed ? frameIdentifier(file) : undefined };
  file.functionBody = node.body;
  file.scopes.push(lazyScope(file.syntax, node));
  try {
    const visitor: TS.Visitor = outerParts ? (child) => outerParts.get(child) ?? file.visit(child) : file.visit;
    const visited = ts.visitEachChild(node, visitor, file.context) as FunctionLike;
    if (!plan.framed || !visited.body) return visited;
    return addFrame(visited, file);
  } finally {
    file.scopes.pop();
    file.functionState = outerState;
    file.functionBody = outerBody;
  }
}

/**
 * Async functions:  { const __otelFrame = frame(); try { body } finally { exit(__otelFrame) } }
 * Generators capture at creation, so the frame is made in the parameter list,
 * which runs when the generator object is created:
 *   function* g(a, ...{ __otelFrame = genFrame() }) { try { reenter(__otelFrame); body } finally { exit(__otelFrame) } }
 * The rest pattern takes no argument slot and leaves `g.length` alone.
 */
function addFrame(node: FunctionLike, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const frame = file.functionState.frame!;
  const body = node.body!;
  const statements = ts.isBlock(body) ? [...body.statements] : [ts.setTextRange(factory.createReturnStatement(body), body)];
  const prologue: TS.Statement[] = [];
  while (statements.length > 0 && ts.isExpressionStatement(statements[0]!) && ts.isStringLiteral(statements[0]!.expression)) {
    prologue.push(statements.shift()!);
  }
  const shape = planFrame(file.syntax, file.functionState, node, isStrict(ts, node, file.sourceFile));
  const head = shape.declaredWith ? [declareFrame(file, shape.declaredWith, node)] : [];
  const tryBody = shape.reentersFirst ? [helperStatement(file, HELPERS.reenter), ...statements] : statements;
  const wrapped = factory.createTryStatement(
    factory.createBlock(tryBody, true),
    undefined,
    factory.createBlock([helperStatement(file, HELPERS.exit)], true),
  );
  const newBody = ts.setTextRange(factory.createBlock([...prologue, ...head, wrapped], true), body);
  let parameters = node.parameters;
  if (shape.inParameters) {
    const frameParameter = factory.createParameterDeclaration(
      undefined,
      factory.createToken(ts.SyntaxKind.DotDotDotToken),
      factory.createObjectBindingPattern([
        factory.createBindingElement(
          undefined,
          undefined,
          frame,
          helperCall(file, HELPERS.genFrame, withSite(file, [], HELPERS.genFrame, node)),
        ),
      ]),
    );
    parameters = factory.createNodeArray([...node.parameters, frameParameter]);
  }
  return updateFunction(file, node, parameters, newBody);
}

/** Strict code (modules, classes) has no parameter aliasing through `arguments`. */
function isStrict(ts: typeof TS, node: TS.Node, sourceFile: TS.SourceFile): boolean {
  if (ts.isExternalModule(sourceFile)) return true;
  const original = ts.getOriginalNode(node);
  for (let n = original.parent; n; n = n.parent) if (ts.isClassLike(n)) return true;
  return false;
}

function updateFunction(file: FileContext, node: FunctionLike, parameters: TS.NodeArray<TS.ParameterDeclaration>, body: TS.Block): TS.Node {
  const { ts, factory } = file;
  if (ts.isFunctionDeclaration(node)) {
    return factory.updateFunctionDeclaration(
      node,
      node.modifiers,
      node.asteriskToken,
      node.name,
      node.typeParameters,
      parameters,
      node.type,
      body,
    );
  }
  if (ts.isFunctionExpression(node)) {
    return factory.updateFunctionExpression(
      node,
      node.modifiers,
      node.asteriskToken,
      node.name,
      node.typeParameters,
      parameters,
      node.type,
      body,
    );
  }
  if (ts.isArrowFunction(node)) {
    return factory.updateArrowFunction(node, node.modifiers, node.typeParameters, parameters, node.type, node.equalsGreaterThanToken, body);
  }
  if (ts.isMethodDeclaration(node)) {
    return factory.updateMethodDeclaration(
      node,
      node.modifiers,
      node.asteriskToken,
      node.name,
      node.questionToken,
      node.typeParameters,
      parameters,
      node.type,
      body,
    );
  }
  return node; // constructors and accessors are never async or generators
}

/** `await x` → `resume(f, await suspend(f, x))`; an await that ends an unframed function: `await tail(x)`. */
function visitAwait(node: TS.AwaitExpression, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const helper = awaitHelper(file.functionState, node);
  const visited = ts.visitEachChild(node, file.visit, file.context);
  if (helper === HELPERS.tail)
    return factory.updateAwaitExpression(visited, helperCall(file, helper, [visited.expression], node.expression));
  if (!helper) return visited;
  const frame = file.functionState.frame!;
  const awaited = factory.updateAwaitExpression(visited, helperCall(file, HELPERS.suspend, [frame, visited.expression], node.expression));
  return helperCall(file, HELPERS.resume, withSite(file, [frame, awaited], HELPERS.resume, node), node);
}

/**
 * `yield x` → `resume(f, yield leave(f, x))`; in async generators `yield`
 * awaits its operand, so it goes through `suspend` (thenable adoption) instead.
 * `yield* it` → `resume(f, yield* leave(f, it))`.
 */
function visitYield(node: TS.YieldExpression, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const helper = yieldHelper(file.functionState, !!node.asteriskToken);
  const visited = ts.visitEachChild(node, file.visit, file.context);
  if (!helper) return visited;
  const frame = file.functionState.frame!;
  const operand = helperCall(file, helper, visited.expression ? [frame, visited.expression] : [frame], node.expression ?? node);
  const yielded = factory.updateYieldExpression(visited, visited.asteriskToken, operand);
  return helperCall(file, HELPERS.resume, withSite(file, [frame, yielded], HELPERS.resume, node), node);
}

/**
 * `await using` awaits each disposal when its block ends, after the block's own
 * code: there is no expression to wrap. So every statement after such a
 * declaration goes into `try { … } finally { leave(f) }` (leaving before the
 * disposal awaits), and the block into `try { … } finally { reenter(f) }`
 * (resuming after them). A function body needs no outer wrapper: its `exit`
 * follows. The disposal methods themselves then run outside the function's context.
 */
function visitBlock(node: TS.Block, file: FileContext): TS.Node {
  const { factory } = file;
  const isFunctionBody = node === file.functionBody;
  const visited = visitScope(node, file) as TS.Block;
  const declarations = awaitUsingDeclarations(file.syntax, file.functionState, node.statements);
  if (declarations.length === 0) return visited;
  const marks = node.statements.map((st) => declarations.includes(st));
  const nest = (statements: TS.Statement[], awaitUsing: boolean[]): TS.Statement[] => {
    const i = awaitUsing.indexOf(true);
    if (i === -1) return statements;
    const rest = nest(statements.slice(i + 1), awaitUsing.slice(i + 1));
    return [
      ...statements.slice(0, i + 1),
      factory.createTryStatement(
        factory.createBlock(rest, true),
        undefined,
        factory.createBlock([helperStatement(file, HELPERS.leave)], true),
      ),
    ];
  };
  const block = factory.updateBlock(visited, nest([...visited.statements], marks));
  if (isFunctionBody) return block;
  return factory.createBlock([wrapInReenterFinally(file, block)], true);
}

/**
 * In an async generator `return x` awaits x before finally blocks run: leave
 * first (`return suspend(f, x)`); the finally blocks and `exit` take it from there.
 * A bare `return;` does not await natively, but below ES2018 TypeScript lowers
 * it to `return yield __await(void 0)`: there it becomes `return suspend(f, void 0)`.
 */
function visitReturn(node: TS.ReturnStatement, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const visited = ts.visitEachChild(node, file.visit, file.context);
  if (!returnSuspends(file.functionState)) return visited;
  const frame = file.functionState.frame!;
  if (!visited.expression) {
    if (!lowersAsyncGenerators(file)) return visited;
    return factory.updateReturnStatement(visited, helperCall(file, HELPERS.suspend, [frame, factory.createVoidZero()]));
  }
  return factory.updateReturnStatement(visited, helperCall(file, HELPERS.suspend, [frame, visited.expression], node.expression));
}

/** Whether TypeScript will lower async generators (target below ES2018, as TypeScript itself defaults it). */
function lowersAsyncGenerators(file: FileContext): boolean {
  const { ts } = file;
  const options = file.context.getCompilerOptions();
  const getTarget = (ts as { getEmitScriptTarget?: (o: TS.CompilerOptions) => TS.ScriptTarget }).getEmitScriptTarget;
  const target = getTarget ? getTarget(options) : (options.target ?? ts.ScriptTarget.ES5);
  return target < ts.ScriptTarget.ES2018;
}

/**
 * `for await (x of y) body` →
 *   try { for await (x of forAwait(f, y)) { reenter(f); body } } finally { reenter(f) }
 * next() and return() run in our context and leave before each implicit await;
 * the body and whatever follows the loop (done, break, throw) resume.
 */
function visitForOf(node: TS.ForOfStatement, file: FileContext): TS.Node {
  if (!rewritesForAwait(file.syntax, file.functionState, node)) return visitScope(node, file);
  return wrapInReenterFinally(file, transformForAwait(node, file));
}

/** A label must stay on the loop (`continue L`), so the try goes around the labels. */
function visitLabeled(node: TS.LabeledStatement, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const labels: TS.LabeledStatement[] = [];
  let inner: TS.Statement = node;
  while (ts.isLabeledStatement(inner)) {
    labels.push(inner);
    inner = inner.statement;
  }
  if (!rewritesForAwait(file.syntax, file.functionState, inner)) {
    return ts.visitEachChild(node, file.visit, file.context);
  }
  let rebuilt: TS.Statement = transformForAwait(inner as TS.ForOfStatement, file);
  for (let i = labels.length - 1; i >= 0; i--) rebuilt = factory.updateLabeledStatement(labels[i]!, labels[i]!.label, rebuilt);
  return wrapInReenterFinally(file, rebuilt);
}

function transformForAwait(node: TS.ForOfStatement, file: FileContext): TS.ForOfStatement {
  const { ts, factory } = file;
  const frame = file.functionState.frame!;
  const visited = visitScope(node, file) as TS.ForOfStatement;
  const iterable = helperCall(file, HELPERS.forAwait, [frame, visited.expression], node.expression);
  const reenter = helperStatement(file, HELPERS.reenter);
  const body = ts.isBlock(visited.statement)
    ? factory.updateBlock(visited.statement, [reenter, ...visited.statement.statements])
    : factory.createBlock([reenter, visited.statement], true);
  return factory.updateForOfStatement(visited, visited.awaitModifier, visited.initializer, iterable, body);
}

function wrapInReenterFinally(file: FileContext, statement: TS.Statement): TS.Statement {
  const { factory } = file;
  return factory.createTryStatement(
    factory.createBlock([statement], true),
    undefined,
    factory.createBlock([helperStatement(file, HELPERS.reenter)], true),
  );
}

/** catch and finally re-enter where the protected block can suspend (planner: planTry). */
function visitTry(node: TS.TryStatement, file: FileContext): TS.Node {
  const { ts, factory } = file;
  const visited = ts.visitEachChild(node, file.visit, file.context);
  if (!file.functionState.framed) return visited;
  const clause = node.catchClause;
  const plan = planTry(
    file.syntax,
    file.functionState,
    node.tryBlock,
    clause && { parameter: clause.variableDeclaration?.name, body: clause.block },
  );
  const prepend = (block: TS.Block) => factory.updateBlock(block, [helperStatement(file, HELPERS.reenter), ...block.statements]);
  let catchClause = visited.catchClause;
  if (catchClause && plan.reenterCatch) catchClause = reenterCatch(catchClause, plan.unpackCatchParameter, file);
  let finallyBlock = visited.finallyBlock;
  if (finallyBlock && plan.reenterFinally) finallyBlock = prepend(finallyBlock);
  if (catchClause === visited.catchClause && finallyBlock === visited.finallyBlock) return visited;
  return factory.updateTryStatement(visited, visited.tryBlock, catchClause, finallyBlock);
}

/**
 * `catch (e) { ... }` → `catch (e) { reenter(f); ... }`. A destructuring
 * parameter would run its defaults and getters before that, so it moves into
 * the block: `catch (__otelError) { reenter(f); let { code = f() } = __otelError; ... }`.
 */
function reenterCatch(clause: TS.CatchClause, unpackParameter: boolean, file: FileContext): TS.CatchClause {
  const { ts, factory } = file;
  const reenter = helperStatement(file, HELPERS.reenter);
  const declaration = clause.variableDeclaration;
  if (!declaration || !unpackParameter) {
    return factory.updateCatchClause(clause, declaration, factory.updateBlock(clause.block, [reenter, ...clause.block.statements]));
  }
  const caught = factory.createIdentifier('__otelError');
  const unpack = factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList(
      [factory.createVariableDeclaration(declaration.name, undefined, declaration.type, caught)],
      ts.NodeFlags.Let,
    ),
  );
  return factory.updateCatchClause(
    clause,
    factory.updateVariableDeclaration(declaration, caught, undefined, undefined, undefined),
    factory.updateBlock(clause.block, [reenter, unpack, ...clause.block.statements]),
  );
}

// --- emitting helper calls -------------------------------------------------------

function frameIdentifier(file: FileContext): TS.Identifier {
  return file.factory.createIdentifier(HELPERS.frameVar);
}

function helperCall(file: FileContext, helper: string, args: TS.Expression[], range?: TS.Node): TS.CallExpression {
  const { factory, ts } = file;
  file.usesRuntime = true;
  const call = factory.createCallExpression(
    factory.createPropertyAccessExpression(factory.createIdentifier(HELPERS.namespace), helper),
    undefined,
    args,
  );
  if (range && range.pos >= 0) ts.setTextRange(call, range);
  return call;
}

/** `__otelCtx.<helper>(__otelFrame);` */
function helperStatement(file: FileContext, helper: string): TS.Statement {
  return file.factory.createExpressionStatement(helperCall(file, helper, [frameIdentifier(file)]));
}

/** Debug builds: the arguments with the call's site added last (planner: siteNode, siteText); else the arguments. */
function withSite(file: FileContext, args: TS.Expression[], helper: string, node: TS.Node, plan?: CallbackPlan<TS.Node>): TS.Expression[] {
  if (file.siteFile === undefined) return args;
  const at = siteNode(file.syntax, helper, node, plan);
  if (!at || at.pos < 0) return args;
  const { line, character } = file.sourceFile.getLineAndCharacterOfPosition(at.getStart(file.sourceFile));
  return [...args, file.factory.createStringLiteral(siteText(file.siteFile, line + 1, character + 1))];
}

/** `const __otelFrame = __otelCtx.<helper>();` (`frame(site)` in a debug build, given the function) */
function declareFrame(file: FileContext, helper: string, fn?: TS.Node): TS.Statement {
  const { factory, ts } = file;
  return factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList(
      [
        factory.createVariableDeclaration(
          frameIdentifier(file),
          undefined,
          undefined,
          helperCall(file, helper, fn ? withSite(file, [], helper, fn) : []),
        ),
      ],
      ts.NodeFlags.Const,
    ),
  );
}
