/**
 * The config edits `init` makes, each minimal and formatting-preserving:
 * JSON-with-comments through jsonc-parser's edit operations, JavaScript and
 * TypeScript config files through oxc's AST and magic-string (only the inserted
 * text is new). An edit either returns the new text, says the change is already
 * there, or refuses with the exact step to do by hand.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import MagicString from 'magic-string';
import { parseSync } from 'oxc-parser';

export type EditResult = { kind: 'edit'; text: string } | { kind: 'present' } | { kind: 'manual'; step: string };

// ---------------------------------------------------------------------------
// JSON with comments (tsconfig, package.json, .babelrc)

function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

/**
 * Sets `value` at `jsonPath`; comments and layout elsewhere are kept. A new
 * property goes where `place` says: first (so a trailing comment stays with the
 * property it was written after), or in sorted position (as npm keeps
 * dependency lists). `insertAt` makes an array index an insertion.
 */
export function setJson(
  text: string,
  jsonPath: (string | number)[],
  value: unknown,
  place: 'first' | 'sorted' = 'sorted',
  insertAt?: number,
): string {
  const key = jsonPath[jsonPath.length - 1];
  const edits = modify(text, jsonPath, value, {
    formattingOptions: formattingOf(text),
    getInsertionIndex: (properties) => (place === 'first' ? 0 : properties.filter((p) => typeof key === 'string' && p < key).length),
    ...(insertAt !== undefined ? { isArrayInsertion: true } : {}),
  });
  return applyEdits(text, edits);
}

/** The value at a path of a JSONC text, or undefined. */
export function jsonValueAt(text: string, jsonPath: (string | number)[]): unknown {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const node = tree && findNodeAtLocation(tree, jsonPath);
  if (!node) return undefined;
  if (node.type === 'array') return node.children?.map((c) => (c.type === 'object' || c.type === 'array' ? c : c.value)) ?? [];
  return node.value;
}

/** Adds `{ "transform": "otel-context-transformer" }` to compilerOptions.plugins of a tsconfig. */
export function addTsconfigPlugin(text: string, file: string): EditResult {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  if (!tree || tree.type !== 'object')
    return { kind: 'manual', step: `${file}: add { "transform": "otel-context-transformer" } to compilerOptions.plugins` };
  const plugins = findNodeAtLocation(tree, ['compilerOptions', 'plugins']);
  const entry = { transform: 'otel-context-transformer' };
  if (!plugins) return { kind: 'edit', text: setJson(text, ['compilerOptions', 'plugins'], [entry], 'first') };
  if (plugins.type !== 'array')
    return { kind: 'manual', step: `${file}: compilerOptions.plugins is not an array; add ${JSON.stringify(entry)} to it` };
  const present = (plugins.children ?? []).some((p) => {
    const transform = p.type === 'object' ? findNodeAtLocation(p, ['transform']) : undefined;
    return transform?.value === 'otel-context-transformer';
  });
  if (present) return { kind: 'present' };
  return { kind: 'edit', text: setJson(text, ['compilerOptions', 'plugins', plugins.children?.length ?? 0], entry, 'sorted', 0) };
}

/** Puts `plugin` first in the `plugins` array of a JSON Babel config. */
export function addBabelJsonPlugin(text: string, file: string, plugin: string): EditResult {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  if (!tree || tree.type !== 'object') return { kind: 'manual', step: `${file}: put "${plugin}" first in "plugins"` };
  const plugins = findNodeAtLocation(tree, ['plugins']);
  if (!plugins) return { kind: 'edit', text: setJson(text, ['plugins'], [plugin], 'first') };
  if (plugins.type !== 'array') return { kind: 'manual', step: `${file}: "plugins" is not an array; put "${plugin}" first in it` };
  const names = (plugins.children ?? []).map((p) => (p.type === 'array' ? p.children?.[0]?.value : p.value));
  if (names.includes(plugin)) return { kind: 'present' };
  return { kind: 'edit', text: setJson(text, ['plugins', 0], plugin, 'sorted', 0) };
}

// ---------------------------------------------------------------------------
// JavaScript and TypeScript config files

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
}

export interface JsPluginEdit {
  /** Module the plugin is imported from, e.g. `otel-context-transformer/vite`; absent: `call` is a string literal (Babel). */
  specifier?: string;
  /** What goes first in `plugins`, with `$name` for the imported binding: `$name()`, `'otel-context-transformer/babel'`. */
  call: string;
  /** Shown in manual steps. */
  what: string;
}

/**
 * Inserts `edit.call` first in the `plugins` array of a config file's exported
 * object: `export default {…}`, `export default defineConfig({…})`,
 * `defineConfig(() => ({…}))`, `module.exports = {…}`, a function returning
 * one object literal, or a top-level `const config = …` exported by name.
 */
export function addConfigPlugin(code: string, file: string, edit: JsPluginEdit): EditResult {
  const marker = edit.specifier ?? JSON.parse(edit.call.replace(/^'|'$/g, '"'));
  if (code.includes(marker)) return { kind: 'present' };
  const manual: EditResult = { kind: 'manual', step: `${file}: ${edit.what}` };
  const program = parseProgram(code, file);
  if (!program) return manual;
  const exported = exportedValue(program);
  if (!exported) return manual;
  const object = configObject(exported.value, program);
  if (!object) return manual;
  const s = new MagicString(code);
  const name = edit.specifier ? freeName(code, 'otelContext') : '';
  const call = edit.call.replace('$name', name);
  const plugins = object.properties.find((p: Node) => p.type === 'Property' && !p.computed && keyName(p.key) === 'plugins');
  if (plugins) {
    if (plugins.value.type !== 'ArrayExpression') return manual;
    const first = plugins.value.elements[0] as Node | null | undefined;
    if (first) s.appendLeft(first.start, `${call}, `);
    else s.appendLeft(plugins.value.start + 1, call);
  } else if (object.properties.length > 0) {
    const first = object.properties[0] as Node;
    const lineStart = code.lastIndexOf('\n', first.start - 1) + 1;
    const indent = /^[ \t]*/.exec(code.slice(lineStart))![0];
    const multiline = code.slice(object.start, first.start).includes('\n');
    s.appendLeft(first.start, multiline ? `plugins: [${call}],\n${indent}` : `plugins: [${call}], `);
  } else {
    s.overwrite(object.start, object.end, `{ plugins: [${call}] }`);
  }
  if (edit.specifier) addImport(s, program, exported.commonjs, name, edit.specifier);
  return { kind: 'edit', text: s.toString() };
}

/** `import name from 'specifier'` after the last import, or a `require` at the top of a CommonJS file. */
function addImport(s: MagicString, program: Node, commonjs: boolean, name: string, specifier: string): void {
  const imports = program.body.filter((n: Node) => n.type === 'ImportDeclaration') as Node[];
  if (commonjs) s.appendLeft(afterDirectives(program), `const ${name} = require('${specifier}').default;\n`);
  else if (imports.length > 0) s.appendLeft(imports[imports.length - 1]!.end, `\nimport ${name} from '${specifier}';`);
  else s.appendLeft(afterDirectives(program), `import ${name} from '${specifier}';\n`);
}

function parseProgram(code: string, file: string): Node | undefined {
  try {
    const parsed = parseSync(file, code, {});
    return parsed.errors.length > 0 ? undefined : (parsed.program as unknown as Node);
  } catch {
    return undefined;
  }
}

/**
 * Next.js: the loader in `turbopack.rules` (Turbopack runs webpack loaders, not
 * plugins) and the webpack plugin in the `webpack` hook (next build --webpack),
 * added to a config object that has neither.
 */
export function addNextIntegration(code: string, file: string): EditResult {
  if (code.includes('otel-context-transformer')) return { kind: 'present' };
  const manual: EditResult = {
    kind: 'manual',
    step:
      `${file}: add turbopack: { rules: { '*.{js,jsx,ts,tsx}': { loaders: ['otel-context-transformer/loader'] } } } ` +
      `and, for next build --webpack, config.plugins.unshift(otelContext()) in the webpack hook (import otelContext from 'otel-context-transformer/webpack')`,
  };
  const program = parseProgram(code, file);
  const exported = program && exportedValue(program);
  const object = exported && configObject(exported.value, program);
  if (!program || !exported || !object) return manual;
  if (object.properties.some((p: Node) => p.type !== 'Property' || ['webpack', 'turbopack'].includes(keyName(p.key) ?? ''))) return manual;
  const s = new MagicString(code);
  const name = freeName(code, 'otelContext');
  const first = object.properties[0] as Node | undefined;
  const lineStart = first ? code.lastIndexOf('\n', first.start - 1) + 1 : 0;
  const indent = first ? /^[ \t]*/.exec(code.slice(lineStart))![0] : '  ';
  const multiline = !first || code.slice(object.start, first.start).includes('\n');
  const turbopack = `turbopack: { rules: { '*.{js,jsx,ts,tsx}': { loaders: ['otel-context-transformer/loader'] } } },`;
  const webpack = multiline
    ? `webpack: (config) => {\n${indent}  config.plugins.unshift(${name}());\n${indent}  return config;\n${indent}},`
    : `webpack: (config) => (config.plugins.unshift(${name}()), config),`;
  if (!first) s.overwrite(object.start, object.end, `{\n  ${turbopack}\n  ${webpack}\n}`);
  else if (multiline) s.appendLeft(first.start, `${turbopack}\n${indent}${webpack}\n${indent}`);
  else s.appendLeft(first.start, `${turbopack} ${webpack} `);
  addImport(s, program, exported.commonjs, name, 'otel-context-transformer/webpack');
  return { kind: 'edit', text: s.toString() };
}

function keyName(key: Node): string | undefined {
  return key.type === 'Identifier' ? key.name : key.type === 'Literal' && typeof key.value === 'string' ? key.value : undefined;
}

/** Where code may be inserted at the top: after a shebang, 'use strict' and other directives. */
function afterDirectives(program: Node): number {
  let at = program.hashbang ? program.hashbang.end + 1 : 0;
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ExpressionStatement' && statement.directive !== undefined && statement.directive !== null)
      at = statement.end + 1;
    else break;
  }
  return at;
}

/** `otelContext`, or `otelContext2`, … when the file already uses that name. */
function freeName(code: string, base: string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!new RegExp(`\\b${name}\\b`).test(code)) return name;
  }
}

function exportedValue(program: Node): { value: Node; commonjs: boolean } | undefined {
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ExportDefaultDeclaration') return { value: statement.declaration, commonjs: false };
    if (
      statement.type === 'ExpressionStatement' &&
      statement.expression.type === 'AssignmentExpression' &&
      isModuleExports(statement.expression.left)
    ) {
      return { value: statement.expression.right, commonjs: true };
    }
  }
  return undefined;
}

function isModuleExports(node: Node): boolean {
  return (
    node.type === 'MemberExpression' &&
    !node.computed &&
    node.object.type === 'Identifier' &&
    node.object.name === 'module' &&
    node.property.name === 'exports'
  );
}

/** The object literal a config value stands for, when it can be found without running anything. */
function configObject(value: Node | undefined, program: Node, depth = 0): Node | undefined {
  if (!value || depth > 4) return undefined;
  switch (value.type) {
    case 'ObjectExpression':
      return value;
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
      return configObject(value.expression, program, depth + 1);
    case 'CallExpression': // defineConfig({…}), defineConfig(() => ({…}))
      return value.arguments.length === 1 ? configObject(value.arguments[0], program, depth + 1) : undefined;
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'FunctionDeclaration': {
      if (value.body.type !== 'BlockStatement') return configObject(value.body, program, depth + 1);
      const returns = (value.body.body as Node[]).filter((s) => s.type === 'ReturnStatement');
      return returns.length === 1 ? configObject(returns[0]!.argument, program, depth + 1) : undefined;
    }
    case 'Identifier': {
      for (const statement of program.body as Node[]) {
        const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
        if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
        const declarator = (declaration.declarations as Node[]).find((d) => d.id.type === 'Identifier' && d.id.name === value.name);
        if (declarator) return configObject(declarator.init, program, depth + 1);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// Where OpenTelemetry is set up

const PROVIDERS = new Set(['WebTracerProvider']);

/**
 * Registers CompiledContextManager where a web tracer provider is registered:
 * `provider.register()` → `provider.register({ contextManager: new CompiledContextManager() })`,
 * or a property added to an options object without one. A provider registered
 * with another context manager is left to the user (a manual step).
 */
export function addManagerRegistration(code: string, file: string): EditResult {
  if (code.includes('CompiledContextManager')) return { kind: 'present' };
  const manual: EditResult = {
    kind: 'manual',
    step: `${file}: register the manager where the tracer provider is registered: provider.register({ contextManager: new CompiledContextManager() }) with import { CompiledContextManager } from 'otel-context-transformer/runtime'`,
  };
  const program = parseProgram(code, file);
  if (!program) return manual;
  const providers = new Set<string>();
  const registers: Node[] = [];
  visit(program, (node) => {
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && isProviderConstruction(node.init))
      providers.add(node.id.name);
    if (
      node.type === 'CallExpression' &&
      node.callee.type === 'MemberExpression' &&
      !node.callee.computed &&
      node.callee.property.name === 'register'
    ) {
      registers.push(node);
    }
  });
  const call = registers.find((r) => {
    const object = r.callee.object as Node;
    return (object.type === 'Identifier' && providers.has(object.name)) || isProviderConstruction(object);
  });
  if (!call) return manual;
  const s = new MagicString(code);
  const option = 'contextManager: new CompiledContextManager()';
  if (call.arguments.length === 0) {
    s.appendLeft(call.end - 1, `{ ${option} }`);
  } else if (call.arguments.length === 1 && call.arguments[0].type === 'ObjectExpression') {
    const object = call.arguments[0] as Node;
    if (object.properties.some((p: Node) => p.type === 'Property' && keyName(p.key) === 'contextManager')) return manual;
    if (object.properties.length === 0) s.overwrite(object.start, object.end, `{ ${option} }`);
    else s.appendLeft(object.properties[0].start, `${option}, `);
  } else {
    return manual;
  }
  const commonjs = !program.body.some((n: Node) => n.type === 'ImportDeclaration' || n.type.startsWith('Export'));
  const imports = program.body.filter((n: Node) => n.type === 'ImportDeclaration') as Node[];
  if (commonjs) s.appendLeft(afterDirectives(program), `const { CompiledContextManager } = require('otel-context-transformer/runtime');\n`);
  else if (imports.length > 0)
    s.appendLeft(imports[imports.length - 1]!.end, `\nimport { CompiledContextManager } from 'otel-context-transformer/runtime';`);
  else s.appendLeft(afterDirectives(program), `import { CompiledContextManager } from 'otel-context-transformer/runtime';\n`);
  return { kind: 'edit', text: s.toString() };
}

function isProviderConstruction(node: Node | undefined | null): boolean {
  return !!node && node.type === 'NewExpression' && node.callee.type === 'Identifier' && PROVIDERS.has(node.callee.name);
}

function visit(node: unknown, fn: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, fn);
    return;
  }
  if (node === null || typeof node !== 'object' || typeof (node as Node).type !== 'string') return;
  fn(node as Node);
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'type' && key !== 'start' && key !== 'end' && value !== null && typeof value === 'object') visit(value, fn);
  }
}
