/**
 * The syntax interface (syntax.ts) over oxc's ESTree, for one file.
 */
import { anyOffsetIn, insertOffset, mergeOffsets, wordOffsets } from '../catalog.js';
import type { ImportBinding, Kind, Parameter, ReferenceRole, ScopeParts, Syntax } from './syntax.js';

// oxc's ESTree is plain JSON-like objects; a loose shape keeps the walkers small.
export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
}

/** Type-level syntax: nothing in here runs. */
export const TYPE_ONLY: ReadonlySet<string> = new Set([
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

/** Keys that hold no code that runs (types; decorators are walked last, see forEachChild). */
export const SKIPPED_KEYS: ReadonlySet<string> = new Set([
  'type',
  'start',
  'end',
  'range',
  'loc',
  'typeAnnotation',
  'returnType',
  'typeParameters',
  'typeArguments',
  'superTypeArguments',
  'decorators',
]);

/** Parentheses and TypeScript-only wrappers: nothing of them runs. */
const TRANSPARENT = new Set([
  'ParenthesizedExpression',
  'TSNonNullExpression',
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSTypeAssertion',
]);

const KINDS: Readonly<Record<string, Kind>> = Object.assign(Object.create(null) as Record<string, Kind>, {
  FunctionDeclaration: 'function',
  FunctionExpression: 'function',
  ArrowFunctionExpression: 'function',
  PropertyDefinition: 'classMember',
  AccessorProperty: 'classMember',
  StaticBlock: 'classMember',
  AwaitExpression: 'await',
  YieldExpression: 'yield',
  ReturnStatement: 'return',
  ForOfStatement: 'forOf',
  TryStatement: 'try',
  VariableDeclaration: 'variables',
  ExpressionStatement: 'expressionStatement',
  WithStatement: 'with',
  Identifier: 'identifier',
  JSXIdentifier: 'identifier',
  Literal: 'literal',
  UnaryExpression: 'operator',
  BinaryExpression: 'operator',
  LogicalExpression: 'operator',
  ConditionalExpression: 'conditional',
  CallExpression: 'call',
  ClassDeclaration: 'class',
  ClassExpression: 'class',
  Super: 'super',
  ...Object.fromEntries([...TYPE_ONLY].map((type) => [type, 'type'])),
});

export function unwrapTyped(node: Node): Node {
  while (TRANSPARENT.has(node.type)) node = node.expression;
  return node;
}

/** Also through an optional chain's wrapper: `setTimeout?.(cb)` calls setTimeout. */
export function unwrap(node: Node): Node {
  while (TRANSPARENT.has(node.type) || node.type === 'ChainExpression') node = node.expression;
  return node;
}

const keysByType = new Map<string, string[]>();

/** The keys of a node type that may hold code (the same for every node of a type). */
export function childKeys(node: Node): string[] {
  let keys = keysByType.get(node.type);
  if (!keys) {
    keys = Object.keys(node).filter((k) => !SKIPPED_KEYS.has(k));
    keysByType.set(node.type, keys);
  }
  return keys;
}

function forEachChild(node: Node, visit: (child: Node) => void): void {
  for (const key of childKeys(node)) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === 'string') visit(item);
    } else if (value && typeof value === 'object' && typeof value.type === 'string') {
      visit(value);
    }
  }
  // Decorators run too, in the function that defines the class.
  if (node.decorators?.length) for (const d of node.decorators) visit(d);
}

/** `words`: where the file's boundary words start (catalog: boundaryWordOffsets). */
export function estreeSyntax(words: number[], text = ''): Syntax<Node> {
  return {
    kind: (node) => {
      if (node.type === 'TemplateLiteral') return node.expressions.length === 0 ? 'literal' : 'other';
      return KINDS[node.type] ?? 'other';
    },
    forEachChild,
    holdsNoBoundaryWord: (node) => !anyOffsetIn(words, node.start, node.end),
    markBoundary: (node) => insertOffset(words, node.end - 1),
    markWord: (name) => mergeOffsets(words, wordOffsets(text, name)),
    unwrapTyped,
    operand: (node) => (node.type === 'ExpressionStatement' ? node.expression : (node.argument ?? undefined)),
    operands: (node) => {
      if (node.type === 'ConditionalExpression') return [node.test, node.consequent, node.alternate];
      return node.type === 'UnaryExpression' ? [node.argument] : [node.left, node.right];
    },
    operator: (node) => node.operator ?? '',
    name: (node) => node.name,
    isForAwait: (node) => !!node.await,
    declarationKind: (node) => node.kind,
    declarators: (node) =>
      (node.declarations as Node[]).map((d) => ({ id: d.id, plainName: d.id.type === 'Identifier', init: d.init ?? undefined })),
    enclosingParts: (node) =>
      node.type === 'PropertyDefinition' || node.type === 'AccessorProperty'
        ? [...(node.decorators ?? []), ...(node.computed ? [node.key] : [])]
        : [],
    isAsync: (fn) => !!fn.async,
    isGenerator: (fn) => !!fn.generator,
    isArrow: (fn) => fn.type === 'ArrowFunctionExpression',
    body: (fn) => fn.body ?? undefined,
    statements: (node) => (node.type === 'BlockStatement' ? node.body : undefined),
    parameters: (fn) =>
      (fn.params as Node[])
        // A TypeScript `this` parameter is none at run time.
        .filter((p) => !(p.type === 'Identifier' && p.name === 'this'))
        .map((p): Parameter<Node> => ({
          node: p,
          plainName: p.type === 'Identifier' ? p.name : undefined,
          rest: p.type === 'RestElement',
        })),
    directives: (body) => {
      const directives: string[] = [];
      for (const statement of body.type === 'BlockStatement' ? (body.body as Node[]) : []) {
        if (statement.type !== 'ExpressionStatement' || typeof statement.directive !== 'string') break;
        directives.push(statement.directive);
      }
      return directives;
    },
    referenceRole: (node, parent): ReferenceRole => {
      if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.arguments.includes(node)) return 'argument';
      if (parent.type === 'CallExpression' && parent.callee === node) return 'callee';
      if (parent.type === 'MemberExpression' && !parent.computed && parent.property === node) return 'propertyName';
      return 'other';
    },
    isTemplate: (node) => node.type === 'TemplateLiteral',
    callee: (call) => unwrap(call.callee),
    callArguments: (call) => call.arguments,
    isSpread: (node) => node.type === 'SpreadElement',
    // --- listeners (issue 10) ---
    writtenCallee: (call) => call.callee,
    assignment: (node) =>
      node.type === 'AssignmentExpression' && node.operator === '=' ? { target: node.left, value: node.right } : undefined,
    isOptionalChain: (call) => {
      // Down the chain's spine: a `?.` anywhere before a parenthesis ends it short-circuits the call.
      for (let n: Node | undefined = call; n; n = n.type === 'CallExpression' ? n.callee : n.object) {
        if (n.type === 'ChainExpression' || n.type === 'TSNonNullExpression') n = n.expression;
        if (!n || (n.type !== 'CallExpression' && n.type !== 'MemberExpression')) return false;
        if (n.optional) return true;
      }
      return false;
    },
    sequenceValue: (node) => {
      if (node.type !== 'SequenceExpression') return undefined;
      const expressions = node.expressions as Node[];
      const literal = (e: Node) => (KINDS[unwrapTyped(e).type] ?? 'other') === 'literal';
      return expressions.slice(0, -1).every(literal) ? expressions[expressions.length - 1] : undefined;
    },
    arrayElements: (node) =>
      node.type === 'ArrayExpression' && !(node.elements as Array<Node | null>).includes(null) ? (node.elements as Node[]) : undefined,
    member: (node) => {
      if (node.type !== 'MemberExpression') return undefined;
      const property = node.property as Node;
      let name: string | undefined;
      if (!node.computed && property.type === 'Identifier') name = property.name;
      else if (node.computed && property.type === 'Literal' && typeof property.value === 'string') name = property.value;
      return name === undefined ? undefined : { object: unwrap(node.object), name, nameNode: property };
    },
    isConstruct: (node) => node.type === 'NewExpression',
    stringValue: (node) => {
      if (node.type === 'Literal') return typeof node.value === 'string' ? node.value : undefined;
      return node.type === 'TemplateLiteral' && node.expressions.length === 0 ? (node.quasis[0]?.value.cooked ?? undefined) : undefined;
    },
    isImportMeta: (node) => node.type === 'MetaProperty' && node.meta?.name === 'import',
    dynamicImportModule: (node) => {
      const source = node.type === 'ImportExpression' ? (node.source as Node | undefined) : undefined;
      return source?.type === 'Literal' && typeof source.value === 'string' ? source.value : undefined;
    },
    literalShape: (node) => {
      if (node.type === 'ArrayExpression') return 'array';
      if (node.type === 'ObjectExpression') return 'object';
      return node.type === 'Literal' && node.value === null && node.raw === 'null' ? 'null' : undefined;
    },
    objectProperties: (node) =>
      (node.properties as Node[]).map((p) => {
        const key = p.key as Node | undefined;
        const name = !p.computed && key?.type === 'Identifier' ? key.name : key?.type === 'Literal' ? key.value : undefined;
        const plain = p.type === 'Property' && p.kind === 'init' && !p.method && typeof name === 'string';
        return plain ? { plain, name, value: p.value as Node, shorthand: !!p.shorthand } : { plain: false as const };
      }),
    scopeParts,
    unwrapExport: (statement) =>
      (statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration') && statement.declaration
        ? statement.declaration
        : statement,
    isAmbient: (node) => node.declare === true,
    declaredName: (node) => {
      switch (node.type) {
        case 'FunctionDeclaration':
        case 'ClassDeclaration':
        case 'TSEnumDeclaration':
        case 'TSImportEqualsDeclaration':
          return node.id?.name;
        case 'TSModuleDeclaration':
          return node.id?.type === 'Identifier' ? node.id.name : undefined;
        default:
          return undefined;
      }
    },
    bindingNames: addPatternNames,
    bindingPaths: (target) => {
      const found: Array<{ name: string; path: readonly string[] | undefined }> = [];
      addPatternPaths(target, [], found);
      return found;
    },
    importBindings,
  };
}

function scopeParts(node: Node): ScopeParts<Node> | undefined {
  switch (node.type) {
    case 'Program':
      return { kind: 'program', statements: node.body, bindings: [] };
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return {
        kind: 'function',
        statements: node.body?.type === 'BlockStatement' ? node.body.body : [],
        bindings: node.params,
        ownName: node.type === 'FunctionExpression' ? node.id?.name : undefined,
      };
    case 'BlockStatement':
    case 'StaticBlock':
    case 'TSModuleBlock':
      return { kind: 'block', statements: node.body, bindings: [] };
    case 'SwitchStatement':
      return { kind: 'block', statements: (node.cases as Node[]).flatMap((c) => c.consequent as Node[]), bindings: [] };
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement': {
      const init = node.type === 'ForStatement' ? node.init : node.left;
      const bindings = init?.type === 'VariableDeclaration' ? (init.declarations as Node[]).map((d) => d.id) : [];
      return { kind: 'for', statements: [], bindings };
    }
    case 'CatchClause':
      return { kind: 'catch', statements: [], bindings: node.param ? [node.param] : [] };
    case 'ClassExpression':
      return { kind: 'class', statements: [], bindings: [], ownName: node.id?.name };
    default:
      return undefined;
  }
}

/** Names under a pattern, with their property paths from the initializer (undefined past a default, rest or computed key). */
function addPatternPaths(
  pattern: Node | null,
  path: readonly string[] | undefined,
  into: Array<{ name: string; path: readonly string[] | undefined }>,
): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier':
      into.push({ name: pattern.name, path });
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties as Node[]) {
        if (p.type === 'RestElement') {
          addPatternPaths(p.argument, undefined, into);
          continue;
        }
        const key = p.key as Node;
        const name = !p.computed && key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : undefined;
        addPatternPaths(p.value, path && typeof name === 'string' ? [...path, name] : undefined, into);
      }
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements as Node[]) addPatternPaths(e, undefined, into);
      break;
    case 'RestElement':
      addPatternPaths(pattern.argument, undefined, into);
      break;
    case 'AssignmentPattern':
      addPatternPaths(pattern.left, undefined, into);
      break;
  }
}

function importBindings(statement: Node): ImportBinding[] {
  if (statement.type === 'TSImportEqualsDeclaration') {
    const reference = statement.moduleReference as Node;
    return statement.importKind !== 'type' && reference.type === 'TSExternalModuleReference'
      ? [{ local: statement.id.name, module: reference.expression.value, imported: '*' }]
      : [];
  }
  if (statement.type !== 'ImportDeclaration' || statement.importKind === 'type') return [];
  const module = statement.source.value as string;
  return (statement.specifiers as Node[])
    .filter((sp) => sp.importKind !== 'type')
    .map((sp) => ({
      local: sp.local.name as string,
      module,
      imported:
        sp.type === 'ImportDefaultSpecifier'
          ? 'default'
          : sp.type === 'ImportNamespaceSpecifier'
            ? '*'
            : (sp.imported.name ?? sp.imported.value),
    }));
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
