/**
 * What a rewrite decision needs to ask of a syntax tree, whatever the tree: the
 * planner (planner.ts) decides over this interface, and each backend
 * implements it for its AST (ts-syntax.ts: TypeScript's; estree-syntax.ts:
 * oxc's ESTree). Only what runs is seen: type-only syntax is of kind `type`
 * and never a child worth entering.
 */

import type { Origin } from './origins.js';

/** The node kinds decisions tell apart; everything else is `other`. */
export type Kind =
  /** A function of any form: declaration, expression, arrow, method, accessor, constructor. */
  | 'function'
  /** A class field or static block: its own code runs elsewhere (only its decorators and computed key run where the class is defined). */
  | 'classMember'
  | 'await'
  | 'yield'
  | 'return'
  | 'forOf'
  | 'try'
  /** A variable declaration list (`var`, `let`, `const`, `using`, `await using`). */
  | 'variables'
  | 'expressionStatement'
  | 'with'
  /** A name: an identifier, or a JSX tag's name. */
  | 'identifier'
  /** A literal that runs no code: string, number, bigint, regular expression, boolean, null, a template without substitutions. */
  | 'literal'
  /** Prefix operators (`!x`, `typeof x`, `void x`, `-x`), binary and logical operators: see operator() and operands(). */
  | 'operator'
  | 'conditional'
  | 'call'
  /** A class declaration or expression. */
  | 'class'
  /** `super` (in `super.m()`): no value of its own. */
  | 'super'
  | 'type'
  | 'other';

export type DeclarationKind = 'var' | 'let' | 'const' | 'using' | 'await using';

/** How an identifier is used by its parent, for settleReferences. */
export type ReferenceRole = 'argument' | 'callee' | 'propertyName' | 'other';

export interface Parameter<N> {
  node: N;
  /** Its name when it is a plain identifier (no default, no rest, no pattern). */
  plainName?: string;
  rest: boolean;
}

export interface Syntax<N> {
  kind(node: N): Kind;
  /** The children that run, in source order (decorators included, types never). */
  forEachChild(node: N, visit: (child: N) => void): void;
  /** Text parsed from the file that holds none of the words boundaries are written with (catalog: boundaryWordOffsets). */
  holdsNoBoundaryWord(node: N): boolean;
  /** From now on `node` and what holds it count as holding a boundary word: a boundary found by analysis (an executor's resolve call). */
  markBoundary(node: N): void;
  /** From now on every occurrence of `name` in the file's text counts as a boundary word: a boundary's alias (planner: markAliasWords). */
  markWord(name: string): void;
  /** Without parentheses and type-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
  unwrapTyped(node: N): N;
  /** An await's, yield's or return's operand; an expression statement's expression. */
  operand(node: N): N | undefined;
  /** An operator's or conditional's operands, in order. */
  operands(node: N): readonly N[];
  /** The operator's text: `!`, `typeof`, `+`, `??`. */
  operator(node: N): string;
  /** An identifier's name. */
  name(node: N): string;
  isForAwait(node: N): boolean;
  /** A variable declaration list's kind (given a statement holding one, or the list). */
  declarationKind(node: N): DeclarationKind;
  /** Each declarator of a variable declaration: its target, whether that is a plain name, and its initializer. */
  declarators(node: N): ReadonlyArray<{ id: N; plainName: boolean; init: N | undefined }>;
  /** The parts of a function or class member that run in the enclosing function: decorators, computed key. */
  enclosingParts(node: N): readonly N[];
  isAsync(fn: N): boolean;
  isGenerator(fn: N): boolean;
  isArrow(fn: N): boolean;
  /** A function's body: a block, or an arrow's expression. */
  body(fn: N): N | undefined;
  /** A block's statements; undefined when `node` is an expression. */
  statements(node: N): readonly N[] | undefined;
  /** A function's parameters (a TypeScript `this` parameter left out: it is none at run time). */
  parameters(fn: N): ReadonlyArray<Parameter<N>>;
  /** The directives of a block body's prologue (`"use strict"`), in order. */
  directives(body: N): readonly string[];
  /** How `node`, an identifier, is used by `parent`. */
  referenceRole(node: N, parent: N): ReferenceRole;
  /** A template literal, with or without substitutions. */
  isTemplate(node: N): boolean;
  /** A call's or `new`'s callee, without parentheses, type-only wrappers and optional-chain wrappers. */
  callee(call: N): N;
  /** A call's or `new`'s arguments. */
  callArguments(call: N): readonly N[];
  isSpread(node: N): boolean;
  /**
   * A call or member access that is part of an optional chain (`a?.b.m()`, `a.m?.()`, `a?.b`): a `?.`
   * on its spine may short-circuit it, so cutting the chain there changes it.
   */
  isOptionalChain(node: N): boolean;
  /** An array literal's elements; undefined for any other node, or one with a hole. */
  arrayElements(node: N): readonly N[] | undefined;
  /** `object.name` or `object['name']` (object unwrapped as a callee is); undefined for any other node. */
  member(node: N): { object: N; name: string; nameNode: N } | undefined;
  /** A `new` expression (its callee and arguments as a call's). */
  isConstruct(node: N): boolean;
  /** `(0, x)`: x, when every expression before it is a literal (how compilers call a module's export without a `this`). */
  sequenceValue(node: N): N | undefined;
  /** A string literal's value (or a template's without substitutions); undefined for any other node. */
  stringValue(node: N): string | undefined;
  /** `import.meta`. */
  isImportMeta(node: N): boolean;
  /** The module a dynamic `import('m')` loads, when written as a string; undefined for any other node. */
  dynamicImportModule(node: N): string | undefined;
  /** What an expression is written as, when that says what it is at run time: an array or object literal, `null`. */
  literalShape(node: N): 'array' | 'object' | 'null' | undefined;
  /**
   * An object literal's properties, in order: `key: value` with a name known
   * here (an identifier or string key), or `plain: false` for anything else
   * (spread, method, accessor, computed key); a shorthand `{ name }` is `name: name` with `shorthand` set.
   */
  objectProperties(node: N): ReadonlyArray<ObjectProperty<N>>;

  // --- scopes (origins.ts: scopeBindings) ---
  /** What a node that opens a scope declares from; undefined for any other node. */
  scopeParts(node: N): ScopeParts<N> | undefined;
  /** The declaration an `export` statement holds, or the statement itself. */
  unwrapExport(statement: N): N;
  /** `declare`d: nothing of it exists at run time. */
  isAmbient(node: N): boolean;
  /** The name a function, class, enum, namespace or `import x = require()` declaration binds. */
  declaredName(declaration: N): string | undefined;
  /** Every name a binding target binds: a name, a destructuring pattern, a parameter. */
  bindingNames(binding: N, into: Set<string>): void;
  /**
   * Every name a declarator's target binds, with the property names that lead
   * from the initializer to it (`{ a: { b: x } }` binds x at [a, b]); the path
   * is undefined where it cannot be followed (a default value, a rest element,
   * an array pattern, a computed key).
   */
  bindingPaths(target: N): ReadonlyArray<{ name: string; path: readonly string[] | undefined }>;
  /** The values an import declaration (or `import x = require('m')`) binds; none for type-only imports and other statements. */
  importBindings(statement: N): readonly ImportBinding[];

  // --- listeners (issue 10; planner: planListenerCall, planListenerAssignment) ---
  /** A call's callee exactly as written: no parentheses or type-only wrappers taken off. */
  writtenCallee(call: N): N;
  /** `target = value` with a plain `=`: its parts; undefined for any other node. */
  assignment(node: N): { target: N; value: N } | undefined;
}

/** See Syntax.objectProperties. */
export type ObjectProperty<N> = { plain: true; name: string; value: N; shorthand: boolean } | { plain: false };

/** `import { imported as local } from 'module'`: `imported` is `default`, or `*` for a whole namespace. */
export interface ImportBinding {
  local: string;
  module: string;
  imported: string;
}

/** What a scope declares from (see Syntax.scopeParts). */
export interface ScopeParts<N> {
  /** program and function scopes also hold the `var` declarations anywhere inside; a function its `arguments`. */
  kind: 'program' | 'function' | 'block' | 'for' | 'catch' | 'class';
  /** The statement lists whose declarations belong to it (a function's body, a switch's clauses). */
  statements: readonly N[];
  /** Parameters, the catch parameter, a for loop's declarators' targets. */
  bindings: readonly N[];
  /** A function or class expression's own name, bound inside it. */
  ownName?: string;
}

/**
 * What only a type checker knows; absent without one (the text backend, the
 * TypeScript backend in transpile mode or with `typeCheck: false`), and then
 * every decision takes the safe side.
 */
export interface Oracle<N> {
  /** Whether the checker proves this operand a primitive (coercing it calls no valueOf/toString). */
  isPrimitive(node: N): boolean;
  /** Whether this identifier (no enclosing scope declares its name) is the real global: not an import, not a local declaration. */
  isGlobal(identifier: N): boolean;
  /** Whether `object.method(...)` is a promise reaction (the method comes from Promise or PromiseLike, or the receiver is untyped). */
  isPromiseReceiver(object: N, method: string): boolean;
  /**
   * Where an identifier's value comes from, following its symbol through
   * imports, re-exports and `const` declarations in any file (origins.ts:
   * Origin); null when the checker knows it has none (a parameter, a `let`),
   * undefined when the checker cannot tell (then the file's own scopes decide).
   */
  origin?(identifier: N): Origin | null | undefined;
  /**
   * Listeners (issue 10): whether the receiver's type is, or derives from, one of these library
   * types (a DOM lib interface or @types/node's EventEmitter); undefined when it is untyped (`any`).
   */
  receiverIs(object: N, types: readonly string[]): boolean | undefined;
  /**
   * Where the method a property access's name resolves to is declared, when that is a class of a
   * module's declaration file: `{ module: 'p-queue', path: ['default', ORIGIN_NEW, 'add'] }` for `q.add`
   * on an instance of p-queue's class or of a subclass, whatever `q` is (a declared boundary's method).
   */
  memberOrigin?(name: N): Origin | undefined;
}
