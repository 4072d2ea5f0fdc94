/**
 * `otel-context-transformer/babel`: the transform as a Babel plugin.
 *
 *   // babel.config.js — our plugin in `plugins`: plugins run before presets
 *   module.exports = {
 *     plugins: [['otel-context-transformer/babel', { exclude: ['src/legacy/**'] }]],
 *     presets: ['module:@react-native/babel-preset'],
 *   };
 *
 * There is no second rewriting visitor: on `Program` enter (before any other
 * plugin's or preset's visitor, including preset-env's async-to-generator and
 * regenerator) the file's original text goes through `transform()` from
 * `./api.js`, the result is parsed again with the file's own parser options,
 * and the program body is swapped for it. Our edits only insert text, so every
 * position in the result that came from the original is moved back to where it
 * was: Babel's own source map then points at the original source, and inserted
 * code carries no location, like code any other plugin creates.
 */
import { formatDiagnostic, internalError, OptionsError, transform, type ApiOptions, type Diagnostic } from './api.js';
import { PACKAGE_ID } from './cache-key.js';
import { editsBehind, layOut, type OriginalRun, type TextEdit } from './text/edits.js';
import { LineIndex } from './text/line-index.js';
import { resolveOptions, type TransformOptions } from './options.js';

export interface BabelPluginOptions extends TransformOptions {
  /** Called with each problem; the file is then left as Babel parsed it. Default: console.warn. */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
}

/** The parts of Babel's plugin API we use (Babel 7 and 8); `@babel/core` types are not a dependency. */
interface BabelApi {
  version?: string;
  cache?: { using?(key: () => string): unknown };
  assertVersion?(range: number | string): void;
  parseSync?(code: string, options: object): BabelNode | null;
}

interface BabelNode {
  type: string;
  start?: number | null;
  end?: number | null;
  loc?: { start: Position; end: Position; filename?: string; identifierName?: string | null } | null;
  range?: [number, number];
  extra?: Record<string, unknown>;
  [key: string]: any;
}

interface Position {
  line: number;
  column: number;
  index?: number;
}

interface BabelFile {
  code: string;
  ast: BabelNode & { comments?: BabelNode[] | null };
  opts: { filename?: string | null; parserOpts?: Record<string, any> };
}

interface ProgramPath {
  node: BabelNode;
  scope: { crawl(): void };
}

/** Keys of the plugin's options that are not the core's. */
const PLUGIN_KEYS = ['onDiagnostic'];

export default function otelContextTransformerBabel(api: BabelApi, raw: BabelPluginOptions | undefined | null) {
  api.assertVersion?.('^7.0.0 || ^8.0.0-0');
  // Babel's in-memory cache of this plugin instance already keys on the options object; add our version.
  api.cache?.using?.(() => PACKAGE_ID);
  // Validate once, when Babel loads the plugin: a bad option fails the build naming the key.
  resolveOptions(raw ?? {}, PLUGIN_KEYS);
  const { helpers, onDiagnostic, ...coreOptions } = raw ?? {};
  if (onDiagnostic !== undefined && typeof onDiagnostic !== 'function') {
    throw new OptionsError(`option "onDiagnostic" must be a function, got ${typeof onDiagnostic}`);
  }
  const report = onDiagnostic ?? ((d: Diagnostic) => console.warn(formatDiagnostic(d)));
  const parse = api.parseSync;
  if (typeof parse !== 'function') throw new Error('otel-context-transformer/babel: this Babel version has no parseSync in the plugin API');

  return {
    name: 'otel-context-transformer',
    visitor: {
      Program: {
        enter(path: ProgramPath, state: { file: BabelFile }) {
          const file = state.file;
          const code = file.code;
          if (typeof code !== 'string' || code === '') return;
          const parserOpts = file.opts.parserOpts ?? {};
          const filename = file.opts.filename ?? `unknown${extensionFor(parserOpts)}`;
          if (!asParsed(path.node)) {
            // The program is rebuilt from the file's text: whatever ran before us would be lost.
            report({
              file: filename,
              line: 1,
              column: 1,
              message:
                'another plugin changed this file before otel-context-transformer/babel ran, file left unchanged: list it first in "plugins"',
            });
            return;
          }
          const sourceType: 'module' | 'script' = path.node.sourceType === 'script' ? 'script' : 'module';
          const options: ApiOptions = {
            ...coreOptions,
            filename,
            // Babel has already decided what the file is (sourceType); `auto` would guess from its text.
            helpers: helpers && helpers !== 'auto' ? helpers : sourceType === 'module' ? 'import' : 'require',
            onDiagnostic: report,
          };
          const result = transform(code, options);
          if (!result) return;

          let ast: BabelNode | null;
          try {
            ast = parse(result.code, {
              babelrc: false,
              configFile: false,
              browserslistConfigFile: false,
              filename,
              sourceType,
              parserOpts: { ...parserOpts, sourceType, tokens: false, errorRecovery: false },
            });
          } catch (error) {
            // Our output did not parse with this file's parser options (for example `helpers: 'import'` in a script).
            report({
              file: filename,
              line: 1,
              column: 1,
              message: `the transformed file does not parse with Babel's options, file left unchanged: ${(error as Error).message}`,
            });
            return;
          }
          if (!ast) return;
          const program = (ast.type === 'File' ? ast.program : ast) as BabelNode;
          try {
            const edits = editsBehind.get(result);
            if (!edits) throw new Error('transform() kept no edits for this result');
            const positions = new PositionMap(code, result.code, edits, parserOpts);
            const seen = new Set<object>();
            positions.relocate(program, seen);
            for (const comment of (ast.comments as BabelNode[] | undefined) ?? []) positions.relocate(comment, seen);
          } catch (error) {
            // The same policy as transform()'s: never break a build over our own bug.
            report(internalError(filename, error));
            return;
          }

          const node = path.node;
          node.body = program.body;
          node.directives = program.directives;
          if (program.interpreter) node.interpreter = program.interpreter;
          file.ast.comments = ast.comments ?? [];
          path.scope.crawl();
        },
      },
    },
  };
}

/**
 * Caches that key on Babel's loaded config as JSON (babel-jest's cache key,
 * babel-loader's cacheIdentifier) see this plugin as its config item's `value`,
 * which JSON would drop (a function): it names our version there instead, next
 * to the item's `options`, so an upgrade invalidates them as an option change does.
 */
(otelContextTransformerBabel as { toJSON?: () => string }).toJSON = () => PACKAGE_ID;

/** Whether the program's statements are still the parser's (in order, with positions): no plugin has run before us. */
function asParsed(program: BabelNode): boolean {
  let last = -1;
  for (const statement of [...((program.directives as BabelNode[]) ?? []), ...(program.body as BabelNode[])]) {
    if (typeof statement.start !== 'number' || statement.start < last) return false;
    last = statement.start;
  }
  return true;
}

/** A file name for `transform()` (it picks JS/TS/JSX parsing by extension) when Babel was given none. */
function extensionFor(parserOpts: Record<string, any>): string {
  const plugins = ((parserOpts.plugins ?? []) as unknown[]).map((p) => (Array.isArray(p) ? p[0] : p));
  const ts = plugins.includes('typescript');
  const jsx = plugins.includes('jsx');
  return ts ? (jsx ? '.tsx' : '.ts') : '.js';
}

/**
 * Offsets in the transformed text → offsets in the original, from the edits
 * `transform()` made (src/text/edits.ts): it only inserts text, and once moves
 * a catch clause's destructuring pattern, so each run of original text in the
 * output is an anchor with its length; the text between runs is ours.
 */
class PositionMap {
  /** Sorted by generated offset: [generated offset, original offset, length of original text from there]. */
  private readonly anchors: OriginalRun[];
  private readonly lines: LineIndex;
  private readonly startLine: number;
  private readonly startColumn: number;

  constructor(original: string, generated: string, edits: readonly TextEdit[], parserOpts: Record<string, any>) {
    const { code, runs } = layOut(original, edits);
    // The edits must make exactly the text Babel parsed, or no position below would be right.
    if (code !== generated) throw new Error('the recorded edits do not make the transformed text');
    this.anchors = runs;
    this.lines = new LineIndex(original);
    this.startLine = typeof parserOpts.startLine === 'number' ? parserOpts.startLine : 1;
    this.startColumn = typeof parserOpts.startColumn === 'number' ? parserOpts.startColumn : 0;
  }

  /** The original offset of the character at generated offset g, or undefined when we inserted it. */
  private at(g: number): number | undefined {
    const a = this.anchorBefore(g);
    if (a < 0) return undefined;
    const [ag, ao, length] = this.anchors[a]!;
    return g < ag + length ? ao + (g - ag) : undefined;
  }

  /** The original end (exclusive) of the last original character in [start, end), or undefined. */
  private endOf(start: number, end: number): number | undefined {
    for (let a = this.anchorBefore(end - 1); a >= 0; a--) {
      const [ag, ao, length] = this.anchors[a]!;
      const last = Math.min(end - 1, ag + length - 1);
      if (last < start) return undefined;
      if (last >= ag) return ao + (last - ag) + 1;
    }
    return undefined;
  }

  private anchorBefore(g: number): number {
    let lo = 0;
    let hi = this.anchors.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.anchors[mid]![0] <= g) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Babel's position: line from parserOpts.startLine, 0-based column (startColumn added on the first line). */
  private position(offset: number): Position {
    const line = this.lines.lineOf(offset);
    const column = offset - this.lines.lineStarts[line]!;
    return { line: this.startLine + line, column: line === 0 ? column + this.startColumn : column, index: offset };
  }

  /**
   * Moves a node and everything under it to original positions. A node that
   * starts in inserted text is ours: it gets no position at all.
   */
  relocate(node: BabelNode, seen: Set<object>): void {
    if (seen.has(node)) return;
    seen.add(node);
    if (typeof node.start === 'number' && typeof node.end === 'number') {
      const start = this.at(node.start);
      const end = start === undefined ? undefined : node.end > node.start ? (this.endOf(node.start, node.end) ?? start) : start;
      if (start === undefined || end === undefined) {
        node.start = null;
        node.end = null;
        node.loc = null;
        delete node.range;
      } else {
        node.start = start;
        node.end = end;
        if (node.loc) {
          node.loc = { ...node.loc, start: this.position(start), end: this.position(end) };
        }
        if (node.range) node.range = [start, end];
      }
    }
    if (node.extra && typeof node.extra.parenStart === 'number') {
      const parenStart = this.at(node.extra.parenStart);
      if (parenStart === undefined) delete node.extra.parenStart;
      else node.extra = { ...node.extra, parenStart };
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'extra' || key === 'range') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) this.relocate(item, seen);
      } else if (isNode(value)) {
        this.relocate(value, seen);
      }
    }
  }
}

function isNode(value: unknown): value is BabelNode {
  return !!value && typeof value === 'object' && typeof (value as BabelNode).type === 'string';
}
