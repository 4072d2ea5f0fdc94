/**
 * The syntax interface (syntax.ts) over oxc's ESTree, for one file.
 */
import { anyOffsetIn } from '../catalog.js';
import type { Kind, Parameter, ReferenceRole, Syntax } from './syntax.js';

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
const TRANSPARENT = new Set(['ParenthesizedExpression', 'TSNonNullExpression', 'TSAsExpression', 'TSSatisfiesExpression', 'TSTypeAssertion']);

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
export function estreeSyntax(words: readonly number[]): Syntax<Node> {
  return {
    kind: (node) => (node.type === 'TemplateLiteral' ? (node.expressions.length === 0 ? 'literal' : 'other') : (KINDS[node.type] ?? 'other')),
    forEachChild,
    holdsNoBoundaryWord: (node) => !anyOffsetIn(words, node.start, node.end),
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
    declarators: (node) => (node.declarations as Node[]).map((d) => ({ plainName: d.id.type === 'Identifier', init: d.init ?? undefined })),
    enclosingParts: (node) =>
      node.type === 'PropertyDefinition' || node.type === 'AccessorProperty' ? [...(node.decorators ?? []), ...(node.computed ? [node.key] : [])] : [],
    isAsync: (fn) => !!fn.async,
    isGenerator: (fn) => !!fn.generator,
    isArrow: (fn) => fn.type === 'ArrowFunctionExpression',
    body: (fn) => fn.body ?? undefined,
    statements: (node) => (node.type === 'BlockStatement' ? node.body : undefined),
    parameters: (fn) =>
      (fn.params as Node[])
        // A TypeScript `this` parameter is none at run time.
        .filter((p) => !(p.type === 'Identifier' && p.name === 'this'))
        .map((p): Parameter<Node> => ({ node: p, plainName: p.type === 'Identifier' ? p.name : undefined, rest: p.type === 'RestElement' })),
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
    member: (node) => {
      if (node.type !== 'MemberExpression') return undefined;
      const property = node.property as Node;
      let name: string | undefined;
      if (!node.computed && property.type === 'Identifier') name = property.name;
      else if (node.computed && property.type === 'Literal' && typeof property.value === 'string') name = property.value;
      return name === undefined ? undefined : { object: unwrap(node.object), name, nameNode: property };
    },
  };
}
