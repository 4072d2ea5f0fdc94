/**
 * The syntax interface (syntax.ts) over TypeScript's AST, for one file. Node
 * kinds are mapped per TypeScript instance: SyntaxKind numbers differ between
 * versions, and one process may load several.
 */
import type * as TS from 'typescript';
import { anyOffsetIn, insertOffset, mergeOffsets, wordOffsets } from '../catalog.js';
import type { DeclarationKind, ImportBinding, Kind, Parameter, ReferenceRole, ScopeParts, Syntax } from './syntax.js';

const NONE: readonly TS.Node[] = [];

/** Kind by SyntaxKind number (an array: every node of every walk is looked up). */
const kindTables = new WeakMap<object, Kind[]>();

function kindTableFor(ts: typeof TS): Kind[] {
  let table = kindTables.get(ts);
  if (table) return table;
  const K = ts.SyntaxKind;
  table = [];
  for (let k = 0; k <= K.Count; k++) table.push('other');
  for (let k = K.FirstTypeNode; k <= K.LastTypeNode; k++) table[k] = 'type';
  const entries: Array<[Kind, TS.SyntaxKind[]]> = [
    ['type', [K.InterfaceDeclaration, K.TypeAliasDeclaration, K.TypeParameter]],
    [
      'function',
      [K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor],
    ],
    ['classMember', [K.PropertyDeclaration, K.ClassStaticBlockDeclaration]],
    ['await', [K.AwaitExpression]],
    ['yield', [K.YieldExpression]],
    ['return', [K.ReturnStatement]],
    ['forOf', [K.ForOfStatement]],
    ['try', [K.TryStatement]],
    ['variables', [K.VariableStatement, K.VariableDeclarationList]],
    ['expressionStatement', [K.ExpressionStatement]],
    ['with', [K.WithStatement]],
    ['super', [K.SuperKeyword]],
    ['identifier', [K.Identifier]],
    [
      'literal',
      [
        K.StringLiteral,
        K.NumericLiteral,
        K.BigIntLiteral,
        K.RegularExpressionLiteral,
        K.NoSubstitutionTemplateLiteral,
        K.TrueKeyword,
        K.FalseKeyword,
        K.NullKeyword,
      ],
    ],
    ['operator', [K.PrefixUnaryExpression, K.TypeOfExpression, K.VoidExpression, K.BinaryExpression]],
    ['conditional', [K.ConditionalExpression]],
    ['call', [K.CallExpression]],
    ['class', [K.ClassDeclaration, K.ClassExpression]],
  ];
  for (const [kind, kinds] of entries) for (const k of kinds) table[k] = kind;
  kindTables.set(ts, table);
  return table;
}

/** `words`: where the file's boundary words start (catalog: boundaryWordOffsets). */
export function tsSyntax(ts: typeof TS, words: number[], text = ''): Syntax<TS.Node> {
  const kinds = kindTableFor(ts);
  const typedWrapper = (node: TS.Node) =>
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isTypeAssertionExpression(node);
  const unwrapTyped = (node: TS.Node): TS.Node => {
    while (typedWrapper(node)) node = (node as TS.ParenthesizedExpression).expression;
    return node;
  };
  const declarationList = (node: TS.Node): TS.VariableDeclarationList =>
    ts.isVariableStatement(node) ? node.declarationList : (node as TS.VariableDeclarationList);
  const syntax: Syntax<TS.Node> = {
    kind: (node) => kinds[node.kind] ?? 'other',
    // The planner's visitors return nothing, so forEachChild never stops early.
    forEachChild: (node, visit) => void ts.forEachChild(node, visit as (child: TS.Node) => undefined),
    // Not a node another transformer made or updated (that may hold new code).
    holdsNoBoundaryWord: (node) => node.pos >= 0 && ts.getOriginalNode(node) === node && !anyOffsetIn(words, node.pos, node.end),
    markBoundary: (node) => insertOffset(words, node.end - 1),
    markWord: (name) => mergeOffsets(words, wordOffsets(text, name)),
    unwrapTyped,
    operand: (node) => (node as { expression?: TS.Node }).expression,
    operands: (node) => {
      if (ts.isBinaryExpression(node)) return [node.left, node.right];
      if (ts.isConditionalExpression(node)) return [node.condition, node.whenTrue, node.whenFalse];
      if (ts.isPrefixUnaryExpression(node)) return [node.operand];
      return [(node as TS.TypeOfExpression | TS.VoidExpression).expression];
    },
    operator: (node) => {
      if (ts.isTypeOfExpression(node)) return 'typeof';
      if (ts.isVoidExpression(node)) return 'void';
      if (ts.isBinaryExpression(node)) return ts.tokenToString(node.operatorToken.kind) ?? '';
      if (ts.isPrefixUnaryExpression(node)) return ts.tokenToString(node.operator) ?? '';
      return '';
    },
    name: (node) => (node as TS.Identifier).text,
    isForAwait: (node) => !!(node as TS.ForOfStatement).awaitModifier,
    declarationKind: (node) => declarationKindOf(ts, declarationList(node).flags),
    declarators: (node) =>
      declarationList(node).declarations.map((d) => ({ id: d.name, plainName: ts.isIdentifier(d.name), init: d.initializer })),
    enclosingParts: (node) => {
      const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
      const name = (node as { name?: TS.Node }).name;
      const computed = name && ts.isComputedPropertyName(name);
      if (!decorators && !computed) return NONE;
      return computed ? [...(decorators ?? []), name] : decorators!;
    },
    isAsync: (fn) => !!ts.getModifiers(fn as TS.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword),
    isGenerator: (fn) => !!(fn as TS.FunctionDeclaration).asteriskToken,
    isArrow: (fn) => ts.isArrowFunction(fn),
    body: (fn) => (fn as TS.FunctionLikeDeclaration).body,
    statements: (node) => (ts.isBlock(node) ? node.statements : undefined),
    parameters: (fn) =>
      (fn as TS.FunctionLikeDeclaration).parameters
        .filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'))
        .map((p): Parameter<TS.Node> => ({
          node: p,
          plainName: ts.isIdentifier(p.name) && !p.initializer && !p.dotDotDotToken ? p.name.text : undefined,
          rest: !!p.dotDotDotToken,
        })),
    directives: (body) => {
      const directives: string[] = [];
      for (const statement of ts.isBlock(body) ? body.statements : []) {
        if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
        directives.push(statement.expression.text);
      }
      return directives;
    },
    referenceRole: (node, parent): ReferenceRole => {
      const call = ts.isCallExpression(parent) || ts.isNewExpression(parent);
      if (call && parent.arguments?.includes(node as TS.Expression)) return 'argument';
      if (ts.isCallExpression(parent) && parent.expression === node) return 'callee';
      if (ts.isPropertyAccessExpression(parent) && parent.name === node) return 'propertyName';
      return 'other';
    },
    isTemplate: (node) => ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node),
    callee: (call) => unwrapTyped((call as TS.CallExpression | TS.NewExpression).expression),
    callArguments: (call) => (call as TS.CallExpression | TS.NewExpression).arguments ?? [],
    isSpread: (node) => ts.isSpreadElement(node),
    isOptionalChain: (call) => ts.isOptionalChain(call),
    // --- listeners (issue 10) ---
    writtenCallee: (call) => (call as TS.CallExpression).expression,
    assignment: (node) =>
      ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken
        ? { target: node.left, value: node.right }
        : undefined,
    sequenceValue: (node) =>
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.CommaToken &&
      syntax.kind(unwrapTyped(node.left)) === 'literal'
        ? node.right
        : undefined,
    arrayElements: (node) =>
      ts.isArrayLiteralExpression(node) && !node.elements.some((e) => ts.isOmittedExpression(e)) ? node.elements : undefined,
    member: (node) => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
        return { object: unwrapTyped(node.expression), name: node.name.text, nameNode: node.name };
      }
      if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
        return { object: unwrapTyped(node.expression), name: node.argumentExpression.text, nameNode: node.argumentExpression };
      }
      return undefined;
    },
    isConstruct: (node) => ts.isNewExpression(node),
    stringValue: (node) => (ts.isStringLiteralLike(node) ? node.text : undefined),
    isImportMeta: (node) => ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword,
    dynamicImportModule: (node) =>
      ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]
        ? syntax.stringValue(node.arguments[0])
        : undefined,
    literalShape: (node) => {
      if (ts.isArrayLiteralExpression(node)) return 'array';
      if (ts.isObjectLiteralExpression(node)) return 'object';
      return node.kind === ts.SyntaxKind.NullKeyword ? 'null' : undefined;
    },
    objectProperties: (node) =>
      (node as TS.ObjectLiteralExpression).properties.map((p) => {
        if (ts.isShorthandPropertyAssignment(p)) return { plain: true as const, name: p.name.text, value: p.name, shorthand: true };
        const name = ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
        return name !== undefined
          ? { plain: true as const, name, value: (p as TS.PropertyAssignment).initializer, shorthand: false }
          : { plain: false as const };
      }),
    scopeParts: (node) => scopeParts(ts, kinds, node),
    unwrapExport: (statement) => statement,
    isAmbient: (node) =>
      !!(node as { modifiers?: TS.NodeArray<TS.ModifierLike> }).modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword),
    declaredName: (node) => {
      if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) return node.name?.text;
      if (ts.isEnumDeclaration(node) || ts.isImportEqualsDeclaration(node)) return node.name.text;
      return ts.isModuleDeclaration(node) && ts.isIdentifier(node.name) ? node.name.text : undefined;
    },
    bindingNames: (binding, into) => addBindingNames(ts, binding, into),
    bindingPaths: (target) => {
      const found: Array<{ name: string; path: readonly string[] | undefined }> = [];
      addBindingPaths(ts, target, [], found);
      return found;
    },
    importBindings: (statement) => importBindingsOf(ts, statement),
  };
  return syntax;
}

function scopeParts(ts: typeof TS, kinds: readonly Kind[], node: TS.Node): ScopeParts<TS.Node> | undefined {
  if (ts.isSourceFile(node)) return { kind: 'program', statements: node.statements, bindings: [] };
  if (kinds[node.kind] === 'function') {
    const fn = node as TS.FunctionLikeDeclaration;
    const statements = fn.body && ts.isBlock(fn.body) ? fn.body.statements : [];
    const ownName = ts.isFunctionExpression(fn) ? fn.name?.text : undefined;
    return { kind: 'function', statements, bindings: fn.parameters, ownName };
  }
  if (ts.isBlock(node) || ts.isModuleBlock(node)) return { kind: 'block', statements: node.statements, bindings: [] };
  if (ts.isCaseBlock(node)) return { kind: 'block', statements: node.clauses.flatMap((c) => c.statements), bindings: [] };
  if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) {
    const init = node.initializer;
    const bindings = init && ts.isVariableDeclarationList(init) ? init.declarations.map((d) => d.name) : [];
    return { kind: 'for', statements: [], bindings };
  }
  if (ts.isCatchClause(node)) {
    return { kind: 'catch', statements: [], bindings: node.variableDeclaration ? [node.variableDeclaration.name] : [] };
  }
  if (ts.isClassExpression(node)) return { kind: 'class', statements: [], bindings: [], ownName: node.name?.text };
  return undefined;
}

function addBindingNames(ts: typeof TS, binding: TS.Node, into: Set<string>): void {
  if (ts.isIdentifier(binding)) into.add(binding.text);
  else if (ts.isParameter(binding) || ts.isBindingElement(binding) || ts.isVariableDeclaration(binding)) {
    addBindingNames(ts, binding.name, into);
  } else if (ts.isObjectBindingPattern(binding) || ts.isArrayBindingPattern(binding)) {
    for (const element of binding.elements) if (!ts.isOmittedExpression(element)) addBindingNames(ts, element.name, into);
  }
}

/** Names under a binding target, with their property paths from the initializer (undefined past a default, rest or computed key). */
function addBindingPaths(
  ts: typeof TS,
  target: TS.Node,
  path: readonly string[] | undefined,
  into: Array<{ name: string; path: readonly string[] | undefined }>,
): void {
  if (ts.isIdentifier(target)) into.push({ name: target.text, path });
  else if (ts.isObjectBindingPattern(target)) {
    for (const element of target.elements) {
      const key = element.propertyName ?? element.name;
      const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
      const followed = path && name !== undefined && !element.initializer && !element.dotDotDotToken ? [...path, name] : undefined;
      addBindingPaths(ts, element.name, followed, into);
    }
  } else if (ts.isArrayBindingPattern(target)) {
    for (const element of target.elements) if (!ts.isOmittedExpression(element)) addBindingPaths(ts, element.name, undefined, into);
  }
}

function importBindingsOf(ts: typeof TS, statement: TS.Node): ImportBinding[] {
  if (ts.isImportEqualsDeclaration(statement)) {
    const reference = statement.moduleReference;
    return !statement.isTypeOnly && ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression)
      ? [{ local: statement.name.text, module: reference.expression.text, imported: '*' }]
      : [];
  }
  const clause = ts.isImportDeclaration(statement) ? statement.importClause : undefined;
  if (!clause || clause.isTypeOnly || !ts.isStringLiteral((statement as TS.ImportDeclaration).moduleSpecifier)) return [];
  const module = ((statement as TS.ImportDeclaration).moduleSpecifier as TS.StringLiteral).text;
  const bindings: ImportBinding[] = clause.name ? [{ local: clause.name.text, module, imported: 'default' }] : [];
  const named = clause.namedBindings;
  if (named && ts.isNamespaceImport(named)) bindings.push({ local: named.name.text, module, imported: '*' });
  else if (named) {
    for (const element of named.elements) {
      if (!element.isTypeOnly) bindings.push({ local: element.name.text, module, imported: (element.propertyName ?? element.name).text });
    }
  }
  return bindings;
}

function declarationKindOf(ts: typeof TS, flags: TS.NodeFlags): DeclarationKind {
  // NodeFlags.Using and AwaitUsing (= Using | Const) exist from TypeScript 5.2.
  const { Using, AwaitUsing } = ts.NodeFlags as { Using?: number; AwaitUsing?: number };
  if (AwaitUsing !== undefined && (flags & AwaitUsing) === AwaitUsing) return 'await using';
  if (Using !== undefined && flags & Using) return 'using';
  if (flags & ts.NodeFlags.Const) return 'const';
  return flags & ts.NodeFlags.Let ? 'let' : 'var';
}
