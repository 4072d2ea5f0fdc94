/**
 * Whether code is already the output of our transform when the helper
 * namespace's name (`__otelCtx`, what the text backend itself looks for) is
 * gone: bundled, minified output of any integration. Minifiers rename
 * identifiers and drop comments (Vite drops even `/*! … *\/` ones) but keep
 * string literals and property names, so the evidence is those, and the shape
 * of a rewritten `await`:
 *
 * - the runtime as a module (`import {suspend as s} from "…/runtime"`, `r.suspend(`
 *   after a `require`): the runtime module's name next to a helper only compiled
 *   code imports;
 * - `helpers: "global"`: the registered symbol key the helpers are read from;
 * - the runtime bundled in (its slot key) and at least one `R(f, await S(f, x))`,
 *   the rewrite of `await` whatever R, S and f were renamed to. The slot key
 *   alone is no evidence: an application that registers CompiledContextManager
 *   bundles the runtime with or without the transform.
 *
 * A bundle whose rewritten modules hold no framed `await` (callbacks only) is not
 * recognised by the third rule.
 */
import { CARRIER_HELPERS, DEBUG_RUNTIME_MODULE, DEFAULT_RUNTIME_MODULE, GLOBAL_HELPERS_KEY, HELPERS } from '../catalog.js';

export type ProcessedEvidence = 'runtime-module' | 'global-helpers' | 'bundled-runtime';

/** The key of the runtime's context slot (src/runtime/slot.ts), any version (a bundle holds the runtime it was built with). */
export const SLOT_KEY = /otel-context-transformer\.slot\.v\d+/;

/** Helpers no application code imports by hand (`bind`, `frame` and `exit` are common words). */
const COMPILED_ONLY = [
  HELPERS.suspend,
  HELPERS.resume,
  HELPERS.genFrame,
  HELPERS.rootFrame,
  HELPERS.reenter,
  HELPERS.forAwait,
  HELPERS.leave,
  HELPERS.tail,
  // The carrier helpers the planner puts at spawn sites (planSpawn).
  ...Object.values(CARRIER_HELPERS),
];
const HELPER_NAME = `(?:${COMPILED_ONLY.join('|')})`;
const ID = '[\\w$]+(?:\\.[\\w$]+)*';
/** A callee: a name, a member (`n.U`, webpack's mangled exports), or `(0, n.U)` (an unbound call of one). */
const CALLEE = `(?:${ID}|\\(\\s*0\\s*,\\s*${ID}\\s*\\))`;
/** `R(f, await S(f,` (spaces optional). */
const REWRITTEN_AWAIT = new RegExp(`${CALLEE}\\(\\s*(${ID})\\s*,\\s*await\\s+${CALLEE}\\(\\s*\\1\\s*,`);
const IMPORTED_HELPER = new RegExp(`(?:^|[{,\\s])${HELPER_NAME}(?:\\s+as\\s+[\\w$]+)?\\s*[,}]`);

export function processedOutputEvidence(code: string, runtimeModule: string = DEFAULT_RUNTIME_MODULE): ProcessedEvidence | undefined {
  if (code.includes(GLOBAL_HELPERS_KEY)) return 'global-helpers';
  for (const name of new Set([runtimeModule, DEFAULT_RUNTIME_MODULE, DEBUG_RUNTIME_MODULE])) {
    if (importsCompiledHelpers(code, name)) return 'runtime-module';
  }
  if (SLOT_KEY.test(code) && REWRITTEN_AWAIT.test(code)) return 'bundled-runtime';
  return undefined;
}

/** The runtime module named in an import or require, and a compiled-only helper imported from it or called on it. */
function importsCompiledHelpers(code: string, runtimeModule: string): boolean {
  for (const quote of ['"', "'", '`']) {
    const quoted = `${quote}${runtimeModule}${quote}`;
    for (let at = code.indexOf(quoted); at !== -1; at = code.indexOf(quoted, at + 1)) {
      const before = code.slice(Math.max(0, at - 2000), at);
      // `import { suspend as s, … } from "…"`
      const clause = /\{([^{}]*)\}\s*from\s*$/.exec(before);
      if (clause && IMPORTED_HELPER.test(`{${clause[1]}}`)) return true;
      // A namespace: `import * as r from "…"`, `r = require("…")`, `r = __toESM(require("…"))`; its helpers are `r.suspend(`.
      const namespace = /(?:import\s*\*\s*as\s*([\w$]+)\s*from\s*|([\w$]+)\s*=\s*(?:[\w$]+\()?require\(\s*)$/.exec(before);
      const name = namespace?.[1] ?? namespace?.[2];
      if (name && new RegExp(`(?:^|[^\\w$.])${name.replace(/\$/g, '\\$')}\\.${HELPER_NAME}\\(`).test(code)) return true;
    }
  }
  return false;
}
