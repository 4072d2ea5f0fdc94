/**
 * Names a scope declares, for telling a local `setTimeout` from the global one
 * when there is no type checker. Over-approximates on purpose: a name we think
 * is local is left alone, which is always safe.
 */
import type * as TS from 'typescript';

/** The scopes around the node being visited, innermost last. */
export type ScopeStack = Array<{ has(name: string): boolean }>;

/** A scope whose names are collected when first asked for: most are never asked (only boundary calls ask). */
export function lazyScope(ts: typeof TS, node: TS.Node): { has(name: string): boolean } {
  let names: Set<string> | undefined;
  return { has: (name) => (names ??= collectScopeNames(ts, node)).has(name) };
}

/** Names declared by the scope that `node` opens. */
export function collectScopeNames(ts: typeof TS, node: TS.Node): Set<string> {
  const names = new Set<string>();
  const add = (name: TS.BindingName | TS.Identifier | undefined) => addBindingNames(ts, name, names);
  if (ts.isSourceFile(node)) {
    collectVarNames(ts, node.statements, names);
    collectLexicalNames(ts, node.statements, names);
    for (const statement of node.statements) {
      if (ts.isImportDeclaration(statement) && statement.importClause && !statement.importClause.isTypeOnly) {
        const clause = statement.importClause;
        add(clause.name);
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name);
        else if (bindings) for (const element of bindings.elements) if (!element.isTypeOnly) add(element.name);
      }
    }
  } else if (ts.isFunctionLike(node)) {
    names.add('arguments');
    if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name) add(node.name);
    for (const parameter of node.parameters) add(parameter.name);
    const body = (node as TS.FunctionLikeDeclaration).body;
    if (body && ts.isBlock(body)) {
      collectVarNames(ts, body.statements, names);
      collectLexicalNames(ts, body.statements, names);
    }
  } else if (ts.isBlock(node) || ts.isModuleBlock(node)) {
    collectLexicalNames(ts, node.statements, names);
  } else if (ts.isCaseBlock(node)) {
    for (const clause of node.clauses) collectLexicalNames(ts, clause.statements, names);
  } else if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) {
    const init = node.initializer;
    if (init && ts.isVariableDeclarationList(init)) for (const d of init.declarations) add(d.name);
  } else if (ts.isCatchClause(node)) {
    add(node.variableDeclaration?.name);
  } else if (ts.isClassExpression(node)) {
    add(node.name);
  }
  return names;
}

function addBindingNames(ts: typeof TS, name: TS.BindingName | TS.Identifier | undefined, into: Set<string>): void {
  if (!name) return;
  if (ts.isIdentifier(name)) {
    into.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (!ts.isOmittedExpression(element)) addBindingNames(ts, element.name, into);
  }
}

function isAmbient(ts: typeof TS, node: TS.Node): boolean {
  return !!ts.getModifiers(node as TS.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

/** let, const, class, function, enum and namespace declarations directly in a statement list. */
function collectLexicalNames(ts: typeof TS, statements: readonly TS.Statement[], into: Set<string>): void {
  for (const statement of statements) {
    if (isAmbient(ts, statement)) continue;
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) addBindingNames(ts, d.name, into);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      into.add(statement.name.text);
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
      into.add(statement.name.text);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      into.add(statement.name.text);
    }
  }
}

/** var declarations (and, for sloppy-mode hoisting, nested function declarations) anywhere in a function body. */
function collectVarNames(ts: typeof TS, statements: readonly TS.Node[], into: Set<string>): void {
  const walk = (node: TS.Node): void => {
    if (ts.isVariableDeclarationList(node)) {
      if (!(node.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) && !isAmbient(ts, node.parent)) {
        for (const d of node.declarations) addBindingNames(ts, d.name, into);
      }
    } else if (ts.isFunctionDeclaration(node)) {
      if (node.name && !isAmbient(ts, node)) into.add(node.name.text);
      return;
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, walk);
  };
  for (const statement of statements) walk(statement);
}
