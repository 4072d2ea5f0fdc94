/**
 * The type checker's answers to the planner (syntax.ts: Oracle), for the
 * tsconfig plugin with `typeCheck` on and a Program.
 */
import type * as TS from 'typescript';
import { GLOBAL_OBJECTS } from '../catalog.js';
import { extendOrigin, ORIGIN_CALL, ORIGIN_NEW, sameModule, type Origin } from './origins.js';
import type { Oracle } from './syntax.js';

/**
 * What the type checker knows (planner.ts asks): with `typeCheck` on and a
 * Program, else nothing (transpile mode), and then the planner takes the safe side.
 */
export function checkerOracle(ts: typeof TS, checker: TS.TypeChecker | undefined): Oracle<TS.Node> | undefined {
  if (!checker) return undefined;
  return {
    isPrimitive: (node) => isPrimitive(ts, checker, node),
    isGlobal: (id) => isGlobalSymbol(ts, checker, id),
    isPromiseReceiver: (object, method) => isPromiseReceiver(ts, checker, object, method),
    receiverIs: (object, types) => receiverIs(ts, checker, object, types),
    origin: (id) => {
      const original = ts.getOriginalNode(id);
      const symbol = original.pos >= 0 ? checker.getSymbolAtLocation(original) : undefined;
      const origin = symbol && symbolOrigin(ts, checker, symbol, 0);
      return origin && defaultImportOrigin(ts, symbol!, origin);
    },
    memberOrigin: (name) => memberOrigin(ts, checker, name),
  };
}

/**
 * Its symbol is declared only in declaration files, at global scope (lib,
 * @types, `declare global`), and is not an import; or the checker knows no symbol.
 */
function isGlobalSymbol(ts: typeof TS, checker: TS.TypeChecker, id: TS.Node): boolean {
  const symbol = checker.getSymbolAtLocation(ts.getOriginalNode(id));
  if (!symbol) return true;
  if (symbol.flags & ts.SymbolFlags.Alias) return false;
  const declarations = symbol.declarations ?? [];
  return declarations.every((d) =>
    d.getSourceFile().isDeclarationFile
      ? isGlobalDeclaration(ts, d)
      : // `declare const scheduler: ...` in a source file emits nothing: at run time the name is the global.
        (ts.getCombinedModifierFlags(d as TS.Declaration) & ts.ModifierFlags.Ambient) !== 0 || isInGlobalAugmentation(ts, d),
  );
}

function isInGlobalAugmentation(ts: typeof TS, declaration: TS.Node): boolean {
  for (let node = declaration.parent; node; node = node.parent) {
    if (ts.isModuleDeclaration(node) && node.flags & ts.NodeFlags.GlobalAugmentation) return true;
  }
  return false;
}

function isGlobalDeclaration(ts: typeof TS, declaration: TS.Node): boolean {
  for (let node = declaration.parent; node; node = node.parent) {
    if (ts.isModuleDeclaration(node)) return (node.flags & ts.NodeFlags.GlobalAugmentation) !== 0;
    if (ts.isSourceFile(node)) return !ts.isExternalModule(node);
  }
  return true;
}

/**
 * Whether `object.then(...)` (catch, finally) is a promise reaction: the
 * method comes from the Promise or PromiseLike interfaces of the lib
 * (subclasses and unions included) or the receiver is untyped (`any`).
 */
function isPromiseReceiver(ts: typeof TS, checker: TS.TypeChecker, object: TS.Node, method: string): boolean {
  const original = ts.getOriginalNode(object);
  if (original.pos < 0) return true;
  const type = checker.getApparentType(checker.getNonNullableType(checker.getTypeAtLocation(original)));
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  const members = type.isUnion() ? type.types : [type];
  return members.some((member) => {
    const property = checker.getPropertyOfType(checker.getApparentType(member), method);
    return (property?.declarations ?? []).some((d) => {
      const owner = d.parent;
      return (
        d.getSourceFile().isDeclarationFile &&
        ts.isInterfaceDeclaration(owner) &&
        (owner.name.text === 'Promise' || owner.name.text === 'PromiseLike')
      );
    });
  });
}

/** The checker says a primitive: coercing it calls no valueOf/toString. */
function isPrimitive(ts: typeof TS, checker: TS.TypeChecker, node: TS.Node): boolean {
  const original = ts.getOriginalNode(node);
  if (original.pos < 0) return false;
  const { NumberLike, StringLike, BooleanLike, BigIntLike, Null, Undefined } = ts.TypeFlags;
  const primitive = NumberLike | StringLike | BooleanLike | BigIntLike | Null | Undefined;
  const type = checker.getTypeAtLocation(original);
  return (type.isUnion() ? type.types : [type]).every((t) => (t.flags & primitive) !== 0);
}

/** Chains longer than this are not followed. */
const MAX_DEPTH = 16;

/**
 * Where a symbol's value comes from (origins.ts: Origin): through imports and
 * re-exports to its declaration; a `const` in a source file is its
 * initializer's origin; a declaration file's value is a module's export or a global.
 */
function symbolOrigin(ts: typeof TS, checker: TS.TypeChecker, symbol: TS.Symbol, depth: number): Origin | null | undefined {
  if (depth > MAX_DEPTH) return null;
  if (symbol.flags & ts.SymbolFlags.Alias) {
    const target = checker.getAliasedSymbol(symbol);
    // An unresolved module (no types): the import's own text decides (origins.ts).
    if (!target.declarations?.length) return undefined;
    symbol = target;
  }
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  // `globalThis` is the checker's own symbol, declared nowhere.
  if (!declaration) return symbol.escapedName === 'globalThis' ? { path: [] } : undefined;
  const source = declaration.getSourceFile();
  if (source.isDeclarationFile || (ts.getCombinedModifierFlags(declaration as TS.Declaration) & ts.ModifierFlags.Ambient) !== 0) {
    return declaredOrigin(ts, symbol, declaration);
  }
  const bound = constBinding(ts, declaration);
  if (!bound) return null;
  const base = expressionOrigin(ts, checker, bound.init, depth + 1);
  return base && { module: base.module, path: [...base.path, ...bound.path] };
}

/** `const x = init`, `const { a: { b: x } } = init`: the initializer and the property path to x. */
function constBinding(ts: typeof TS, declaration: TS.Node): { init: TS.Expression; path: string[] } | undefined {
  const path: string[] = [];
  let node = declaration;
  while (ts.isBindingElement(node)) {
    if (node.initializer || node.dotDotDotToken || !ts.isObjectBindingPattern(node.parent)) return undefined;
    const key = node.propertyName ?? node.name;
    if (!ts.isIdentifier(key) && !ts.isStringLiteral(key)) return undefined;
    path.unshift(key.text);
    node = node.parent.parent;
  }
  if (!ts.isVariableDeclaration(node) || !node.initializer || !ts.isVariableDeclarationList(node.parent)) return undefined;
  return node.parent.flags & ts.NodeFlags.Const ? { init: node.initializer, path } : undefined;
}

function expressionOrigin(ts: typeof TS, checker: TS.TypeChecker, expression: TS.Expression, depth: number): Origin | null | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) {
    node = node.expression;
  }
  if (ts.isIdentifier(node)) {
    const symbol = checker.getSymbolAtLocation(node);
    if (!symbol) return GLOBAL_OBJECTS.includes(node.text) ? { path: [] } : null;
    return symbolOrigin(ts, checker, symbol, depth);
  }
  if (ts.isPropertyAccessExpression(node) || (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression))) {
    const name = ts.isPropertyAccessExpression(node) ? node.name.text : (node.argumentExpression as TS.StringLiteralLike).text;
    return extendOrigin(expressionOrigin(ts, checker, node.expression, depth + 1), name);
  }
  if (ts.isCallExpression(node)) {
    const [first] = node.arguments;
    if (
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(first!)
    ) {
      return { module: first.text, path: [] };
    }
    return extendOrigin(expressionOrigin(ts, checker, node.expression, depth + 1), ORIGIN_CALL);
  }
  if (ts.isNewExpression(node)) return extendOrigin(expressionOrigin(ts, checker, node.expression, depth + 1), ORIGIN_NEW);
  return null;
}

/**
 * A declaration file's value: inside `declare global` or a script, a global
 * (`globalThis` itself has the empty path); inside `declare module "m"`, m's
 * export; in a module file, its package's export.
 */
function declaredOrigin(ts: typeof TS, symbol: TS.Symbol, declaration: TS.Node): Origin | null {
  // A namespace import's target: the module itself.
  if (ts.isModuleDeclaration(declaration) && ts.isStringLiteral(declaration.name)) return { module: declaration.name.text, path: [] };
  if (ts.isSourceFile(declaration)) {
    const module = packageOf(declaration.fileName);
    return module === undefined ? null : { module, path: [] };
  }
  const name = symbol.escapedName as string;
  for (let node = declaration.parent; node; node = node.parent) {
    if (ts.isModuleDeclaration(node)) {
      if (node.flags & ts.NodeFlags.GlobalAugmentation) break;
      if (ts.isStringLiteral(node.name)) return { module: node.name.text, path: [name] };
      return null; // a namespace member: not followed
    }
    if (ts.isSourceFile(node)) {
      if (!ts.isExternalModule(node)) break;
      const module = packageOf(node.fileName);
      return module === undefined ? null : { module, path: [name] };
    }
  }
  return { path: GLOBAL_OBJECTS.includes(name) ? [] : [name] };
}

/** `…/node_modules/@scope/name/dist/index.d.ts` → `@scope/name`; `@types/x` → `x`, `@types/a__b` → `@a/b`. */
function packageOf(fileName: string): string | undefined {
  const match = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(fileName.split('\\').join('/'));
  if (!match) return undefined;
  const name = match[1]!;
  if (!name.startsWith('@types/')) return name;
  const typed = name.slice('@types/'.length);
  return typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
}

// --- listeners (issue 10) ---
/**
 * Whether every member of the receiver's type is, or derives from, one of `types` as a library
 * declares it (a declaration file: the DOM lib, @types/node); undefined when untyped (`any`,
 * `unknown`) or when the node is one the checker never saw.
 */
function receiverIs(ts: typeof TS, checker: TS.TypeChecker, object: TS.Node, types: readonly string[]): boolean | undefined {
  const original = ts.getOriginalNode(object);
  if (original.pos < 0) return undefined;
  const type = checker.getNonNullableType(checker.getTypeAtLocation(original));
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  const seen = new Set<TS.Type>();
  const derives = (t: TS.Type): boolean => {
    if (seen.has(t)) return false;
    seen.add(t);
    const symbol = t.getSymbol();
    const declared = symbol?.declarations?.some((d) => d.getSourceFile().isDeclarationFile);
    if (symbol && declared && types.includes(symbol.name)) return true;
    const target = (t as TS.TypeReference).target ?? t;
    const bases = target.isClassOrInterface() ? (checker.getBaseTypes(target) ?? []) : [];
    return bases.some(derives) || (t.isIntersection() && t.types.some(derives));
  };
  const members = type.isUnion() ? type.types : [type];
  return members.every((m) => derives(m) || derives(checker.getApparentType(m)));
}

/**
 * A method's declaring class in a module's declaration file: `q.add` where add is p-queue's
 * `PQueue#add` (inherited by a subclass, or on a receiver typed as one) is that class's
 * instance method; a default-exported class is named `default`, as its import's origin is.
 */
function memberOrigin(ts: typeof TS, checker: TS.TypeChecker, name: TS.Node): Origin | undefined {
  const original = ts.getOriginalNode(name);
  if (original.pos < 0 || !ts.isIdentifier(original)) return undefined;
  const symbol = checker.getSymbolAtLocation(original);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!declaration || !(ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration))) return undefined;
  const owner = declaration.parent;
  if (!ts.isClassDeclaration(owner) || !owner.getSourceFile().isDeclarationFile) return undefined;
  const isDefault = (ts.getCombinedModifierFlags(owner) & ts.ModifierFlags.Default) !== 0;
  const className = isDefault ? 'default' : owner.name?.text;
  if (className === undefined) return undefined;
  const classOrigin = declaredOrigin(ts, { escapedName: className } as TS.Symbol, owner);
  if (!classOrigin || classOrigin.module === undefined) return undefined;
  const isStatic = (ts.getCombinedModifierFlags(declaration as TS.Declaration) & ts.ModifierFlags.Static) !== 0;
  return {
    module: classOrigin.module,
    path: isStatic ? [...classOrigin.path, original.text] : [...classOrigin.path, ORIGIN_NEW, original.text],
  };
}

/**
 * A default import of a package is that package's `default`, whatever its declaration file calls the
 * value (node-cron: `export { nodeCron as default }`; bottleneck: `export = Bottleneck`).
 */
function defaultImportOrigin(ts: typeof TS, symbol: TS.Symbol, origin: Origin): Origin {
  const clause = symbol.declarations?.find((d): d is TS.ImportClause => ts.isImportClause(d));
  const specifier = clause?.parent.moduleSpecifier;
  if (!specifier || !ts.isStringLiteral(specifier) || origin.module === undefined || origin.path.length === 0) return origin;
  if (!sameModule(origin.module, specifier.text) || origin.path[0] === 'default') return origin;
  return { module: origin.module, path: ['default', ...origin.path.slice(1)] };
}
