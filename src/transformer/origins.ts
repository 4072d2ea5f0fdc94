/**
 * Scopes, and where a value comes from. A call is a boundary because of what
 * its callee IS — the global `queueMicrotask`, `spawn` of `node:child_process`,
 * `add` on an instance of p-queue's default export — not because of how it is
 * spelt. `originOf` follows what can be proven from one file without a type
 * checker: imports, `require('m')`, `const` bindings (also destructured) and
 * property accesses; the checker (Oracle.origin), when there is one, follows
 * symbols across files, re-exports and aliases. Everything else has no origin,
 * which is the safe side: an unknown callee is never rewritten as a boundary.
 */
import { GLOBAL_OBJECTS } from '../catalog.js';
import type { Oracle, Syntax } from './syntax.js';

/**
 * Where a value comes from: a global (`module` absent) or a module's exports,
 * then a path of property names, with `ORIGIN_NEW` for an instance a
 * constructor made and `ORIGIN_CALL` for a call's result:
 * `new (require('node:worker_threads').Worker)` is `{ module: 'node:worker_threads', path: ['Worker', ORIGIN_NEW] }`,
 * `globalThis.setTimeout` is `{ path: ['setTimeout'] }`, `globalThis` itself `{ path: [] }`.
 * A default import's path starts with `default`; a namespace import's is empty.
 */
export interface Origin {
  module?: string;
  path: readonly string[];
}

/** Path segments that are no property name (property names never start with `()` or `new `). */
export const ORIGIN_NEW = 'new()';
export const ORIGIN_CALL = '()';

/** How a scope binds a name. */
export type Binding<N> =
  /** `import { imported as local } from 'module'`; `imported` is `default`, or `*` for a namespace (also `import x = require('m')`). */
  | { kind: 'import'; module: string; imported: string }
  /** `const { path… : local } = init`: never reassigned, so its origin is the initializer's. */
  | { kind: 'const'; init: N; path: readonly string[] }
  /** Anything else (parameter, `let`, `var`, function, class…): its value is not known here. */
  | { kind: 'other' };

/** The scopes around the node being visited, innermost last. */
export type ScopeStack = ReadonlyArray<Scope<unknown>>;
export interface Scope<N = unknown> {
  has(name: string): boolean;
  /** How this scope binds `name`; undefined when it does not declare it. */
  binding(name: string): Binding<N> | undefined;
}

/**
 * A scope whose names are collected when first asked for: most are never asked
 * (only boundary calls ask).
 */
export function lazyScope<N>(syntax: Syntax<N>, node: N): Scope<N> {
  let bindings: Map<string, Binding<N>> | undefined;
  const get = () => (bindings ??= scopeBindings(syntax, node));
  return { has: (name) => get().has(name), binding: (name) => get().get(name) };
}

const OTHER = { kind: 'other' } as const;

/**
 * The names the scope `node` opens declares, and how. Over-approximates the
 * names on purpose (a name taken for a local is left alone, which is always
 * safe); a name declared twice is `other`.
 */
export function scopeBindings<N>(syntax: Syntax<N>, node: N): Map<string, Binding<N>> {
  const bindings = new Map<string, Binding<N>>();
  const declare = (name: string, binding: Binding<N>) => bindings.set(name, bindings.has(name) ? OTHER : binding);
  const declareAll = (names: Set<string>) => names.forEach((name) => declare(name, OTHER));
  const parts = syntax.scopeParts(node);
  if (!parts) return bindings;
  if (parts.kind === 'function') declare('arguments', OTHER);
  if (parts.ownName !== undefined) declare(parts.ownName, OTHER);
  const names = new Set<string>();
  for (const binding of parts.bindings) syntax.bindingNames(binding, names);
  if (parts.kind === 'program' || parts.kind === 'function') {
    for (const statement of parts.statements) addVarNames(syntax, statement, names);
  }
  declareAll(names);
  for (const statement of parts.statements) {
    for (const i of syntax.importBindings(statement)) declare(i.local, { kind: 'import', module: i.module, imported: i.imported });
    const declaration = syntax.unwrapExport(statement);
    if (syntax.isAmbient(declaration)) continue;
    if (syntax.kind(declaration) === 'variables') {
      if (syntax.declarationKind(declaration) === 'var') continue; // among the var names above
      const isConst = syntax.declarationKind(declaration) === 'const';
      for (const d of syntax.declarators(declaration)) {
        for (const { name, path } of syntax.bindingPaths(d.id)) {
          declare(name, isConst && d.init !== undefined && path ? { kind: 'const', init: d.init, path } : OTHER);
        }
      }
    } else {
      const name = syntax.declaredName(declaration);
      if (name !== undefined && !bindings.has(name)) declare(name, OTHER);
    }
  }
  return bindings;
}

/** `var` declarations (and, for sloppy-mode hoisting, nested function declarations) anywhere in a function body. */
function addVarNames<N>(syntax: Syntax<N>, root: N, into: Set<string>): void {
  const walk = (node: N): void => {
    const kind = syntax.kind(node);
    if (kind === 'type' || kind === 'class' || syntax.isAmbient(node)) return;
    if (kind === 'function') {
      const name = syntax.declaredName(node);
      if (name !== undefined) into.add(name);
      return;
    }
    if (kind === 'variables' && syntax.declarationKind(node) === 'var') {
      for (const d of syntax.declarators(node)) syntax.bindingNames(d.id, into);
    }
    syntax.forEachChild(node, walk);
  };
  walk(root);
}

/** What resolving an origin needs: the tree, the scopes around the expression, the checker if any. */
export interface OriginContext<N> {
  syntax: Syntax<N>;
  scopes: ReadonlyArray<Scope<N>>;
  oracle?: Oracle<N>;
}

/** What TypeScript, Babel and esbuild call a `require('m')` through when their CommonJS output imports m. */
const INTEROP_HELPERS: ReadonlySet<string> = new Set([
  '__importDefault',
  '__importStar',
  '_interopRequireDefault',
  '_interopRequireWildcard',
  '__toESM',
]);

/** Chains longer than this are not followed (and a `const` cannot refer to itself, but a bug must not loop). */
const MAX_DEPTH = 16;

/** Where `expression`'s value comes from, when that can be proven; see Origin. */
export function originOf<N>(context: OriginContext<N>, expression: N): Origin | undefined {
  return originIn(context, context.scopes, expression, 0);
}

/** Whether `identifier` is not declared by any scope around it. */
export function isUndeclared<N>(scopes: ReadonlyArray<Scope<N>>, name: string): boolean {
  return !scopes.some((scope) => scope.has(name));
}

function originIn<N>(context: OriginContext<N>, scopes: ReadonlyArray<Scope<N>>, expression: N, depth: number): Origin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const { syntax } = context;
  const node = syntax.unwrapTyped(expression);
  const kind = syntax.kind(node);
  if (kind === 'identifier') return identifierOrigin(context, scopes, node, depth);
  const last = syntax.sequenceValue(node);
  if (last !== undefined) return originIn(context, scopes, last, depth + 1);
  // `await import('m')`: the module's namespace (a CommonJS module's exports under `default` and by name).
  if (kind === 'await') return importedNamespace(context, scopes, syntax.operand(node), depth);
  if (kind === 'call' || syntax.isConstruct(node)) {
    const callee = syntax.callee(node);
    const args = syntax.callArguments(node);
    if (kind === 'call' && syntax.kind(callee) === 'identifier' && syntax.name(callee) === 'require' && args.length === 1) {
      const module = syntax.stringValue(args[0]!);
      if (module !== undefined && isUndeclared(scopes, 'require')) return { module, path: [] };
    }
    // `__importDefault(require('m'))`: a compiler's interop helper hands back the module (`{ default: module.exports }`
    // for CommonJS, whose exports count as its default export: catalog, parseCallPath).
    if (kind === 'call' && syntax.kind(callee) === 'identifier' && INTEROP_HELPERS.has(syntax.name(callee)) && args.length === 1) {
      const inner = originIn(context, scopes, args[0]!, depth + 1);
      if (inner && inner.module !== undefined && inner.path.length === 0) return inner;
    }
    return extendOrigin(originIn(context, scopes, callee, depth + 1), kind === 'call' ? ORIGIN_CALL : ORIGIN_NEW);
  }
  const access = syntax.member(node);
  return access ? extendOrigin(originIn(context, scopes, access.object, depth + 1), access.name) : undefined;
}

/**
 * What `await x` gives when x loads a module: `import('m')`, or the form TypeScript's and Babel's CommonJS
 * output gives it, `Promise.resolve().then(() => __importStar(require('m')))`.
 */
function importedNamespace<N>(
  context: OriginContext<N>,
  scopes: ReadonlyArray<Scope<N>>,
  operand: N | undefined,
  depth: number,
): Origin | undefined {
  const { syntax } = context;
  const loaded = operand && syntax.unwrapTyped(operand);
  if (!loaded) return undefined;
  const module = syntax.dynamicImportModule(loaded);
  if (module !== undefined) return { module, path: [] };
  if (syntax.kind(loaded) !== 'call') return undefined;
  const then = syntax.member(syntax.callee(loaded));
  const [callback] = syntax.callArguments(loaded);
  if (!then || then.name !== 'then' || !callback || syntax.kind(callback) !== 'function' || !syntax.isArrow(callback)) return undefined;
  const resolved = syntax.unwrapTyped(then.object);
  const resolve = syntax.kind(resolved) === 'call' ? syntax.member(syntax.callee(resolved)) : undefined;
  if (!resolve || resolve.name !== 'resolve' || syntax.callArguments(resolved).length !== 0) return undefined;
  if (syntax.kind(resolve.object) !== 'identifier' || syntax.name(resolve.object) !== 'Promise' || !isUndeclared(scopes, 'Promise'))
    return undefined;
  const body = syntax.body(callback);
  if (!body || syntax.statements(body) !== undefined) return undefined;
  const required = originIn(context, scopes, body, depth + 1);
  return required && required.module !== undefined && required.path.length === 0 ? required : undefined;
}

function identifierOrigin<N>(context: OriginContext<N>, scopes: ReadonlyArray<Scope<N>>, node: N, depth: number): Origin | undefined {
  const { syntax, oracle } = context;
  const name = syntax.name(node);
  for (let i = scopes.length - 1; i >= 0; i--) {
    const binding = scopes[i]!.binding(name);
    if (!binding) continue;
    if (binding.kind === 'import') {
      // The checker follows the import to its declaration (re-exports, a local module's `export const`);
      // where that declaration has no origin of its own (a class in a source file), the import itself is one.
      const checked = oracle?.origin?.(node);
      if (checked) return checked;
      return { module: binding.module, path: binding.imported === '*' ? [] : [binding.imported] };
    }
    if (binding.kind === 'const') {
      const base = originIn(context, scopes.slice(0, i + 1), binding.init, depth + 1);
      return base && { module: base.module, path: [...base.path, ...binding.path] };
    }
    return undefined;
  }
  if (oracle && !oracle.isGlobal(node)) {
    const checked = oracle.origin?.(node);
    return checked ?? undefined;
  }
  return { path: GLOBAL_OBJECTS.includes(name) ? [] : [name] };
}

/** `origin` with one more path segment; an unknown origin (null, undefined) stays as it is. */
export function extendOrigin(origin: Origin | undefined, segment: string): Origin | undefined;
export function extendOrigin(origin: Origin | null | undefined, segment: string): Origin | null | undefined;
export function extendOrigin(origin: Origin | null | undefined, segment: string): Origin | null | undefined {
  return origin && { module: origin.module, path: [...origin.path, segment] };
}

/** `node:fs` and `fs` name the same built-in module. */
export function sameModule(a: string | undefined, b: string): boolean {
  return a !== undefined && (a === b || a === `node:${b}` || b === `node:${a}`);
}
