/**
 * What a backend decided, read back from its output: the runtime helper calls
 * (`__otelCtx.<helper>(…)`, frame declarations included) in source order. With
 * the type checker off, both backends must make the same decisions for the
 * same source, so these lists must be equal (test/backend-equivalence.test.ts,
 * and the fuzzer's comparison).
 */
import { parseSync } from 'oxc-parser';

const NAMESPACE = '__otelCtx';

interface Node {
  type: string;
  start: number;
  [key: string]: unknown;
}

/**
 * The helper names called in `code`, ordered by where each call starts; undefined when it does not parse.
 * `withSites`: each followed by the site a debug build passes as the last argument (`bind test/a.ts:3:5`).
 */
export function helperCalls(code: string, filename: string, withSites = false): string[] | undefined {
  const lang = /\.[cm]?tsx$/.test(filename) ? 'tsx' : /\.[cm]?ts$/.test(filename) ? 'ts' : 'jsx';
  const parsed = parseSync(filename, code, { lang, sourceType: 'module' });
  if (parsed.errors.length > 0) return undefined;
  const calls: Array<{ at: number; name: string }> = [];
  // A call in a parameter list (a generator's frame made at creation) is marked: where the frame is made is a decision too.
  const walk = (value: unknown, inParameters: boolean): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, inParameters);
      return;
    }
    const node = value as Node;
    if (node.type === 'CallExpression') {
      // A .ts file's output may cast a helper for the type checker after us: `(__otelCtx.forAwait as …)(…)`.
      let callee = node.callee as Node;
      while (callee.type === 'ParenthesizedExpression' || callee.type === 'TSAsExpression') callee = callee.expression as Node;
      const object = callee.type === 'MemberExpression' ? (callee.object as Node) : undefined;
      if (object?.type === 'Identifier' && object.name === NAMESPACE && !callee.computed) {
        let name = (callee.property as Node).name as string;
        const last = (node.arguments as Node[]).at(-1);
        if (withSites && last?.type === 'Literal' && typeof last.value === 'string') name += ` ${last.value}`;
        calls.push({ at: node.start, name: inParameters ? `${name} (in parameters)` : name });
      }
    }
    const isFunction = /Function(Declaration|Expression)$/.test(node.type);
    for (const key in node) if (key !== 'type') walk(node[key], isFunction ? key === 'params' : inParameters);
  };
  walk(parsed.program, false);
  return calls.sort((a, b) => a.at - b.at).map((c) => c.name);
}

/** Where two decision lists part, for a failure message; undefined when they are equal. */
export function firstDecisionDifference(text: readonly string[], ts: readonly string[]): string | undefined {
  const n = Math.max(text.length, ts.length);
  for (let i = 0; i < n; i++) {
    if (text[i] !== ts[i]) {
      const around = (list: readonly string[]) => list.slice(Math.max(0, i - 2), i + 3).join(' ') || '(nothing)';
      const textCall = `${text[i] ?? '(nothing)'} [${around(text)}]`;
      return `helper call #${i}: text backend ${textCall}, TypeScript backend ${ts[i] ?? '(nothing)'} [${around(ts)}]`;
    }
  }
  return undefined;
}
