// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * Contexts across threads and processes, on W3C carriers (issue 9). This file
 * ships to browsers; carrier-node.ts adds what Node needs (entry runtime/node.ts).
 *
 * The receiving end: the context this worker or process was spawned in is the
 * root everything here starts from (CompiledContextManager reports it while
 * the slot is empty). The carrier is found when the runtime loads — in a
 * browser Worker, a suffix of `self.name` after NAME_MARK, cut off again at
 * once (`name` is [Replaceable]) so the worker's own code reads the name it
 * was given; in Node, see carrier-node.ts — and turned into a Context when it
 * is first asked for, through the propagator registered by then (the SDK is
 * usually set up after the runtime loads), and again if another one is registered.
 *
 * The sending end: webWorkerOptions and webWorkerName in web-spawn.ts, the Node helpers in carrier-node.ts.
 * They inject the active context through `propagation.inject` (the propagator
 * the app registered) and carry nothing when it writes nothing (no span, no
 * baggage): the worker or process then gets exactly what it would have.
 */
import { propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';
import { setCarriedRoot } from './slot.js';
import { NAME_MARK, type Fields } from './web-spawn.js';

// The sending end, without side effects (the default runtime exports it for pages that spawn workers).
export { activeFields, dictionary, NAME_MARK, webWorkerName, webWorkerOptions, withOwn, type Fields } from './web-spawn.js';

export interface Carried {
  /** What the propagator reads from, and how (the default getter when absent). */
  carrier?: Fields;
  getter?: TextMapGetter<Fields>;
  /** Set once carrier-node.ts has looked. */
  node?: boolean;
  /** The propagator the context was extracted with, and the context. */
  propagator?: unknown;
  context?: Context;
}

const g = globalThis as Record<string | symbol, any>;
export const OTEL_API = Symbol.for('opentelemetry.js.api.1');

/** Shared by every copy of the runtime (like the slot): the first to load reads the carrier. */
// (No `??=` on a computed key: TypeScript would declare a temporary above the ignore-file marker.)
const CARRIED = Symbol.for('otel-context-transformer.carrier.v1');
export const carried: Carried = g[CARRIED] || (g[CARRIED] = readWorkerName());

function readWorkerName(): Carried {
  const name: unknown = g.WorkerGlobalScope && g.name;
  const at = typeof name === 'string' ? name.indexOf(NAME_MARK) : -1;
  if (at < 0) return {};
  try {
    // `name` is [Replaceable]: the assignment shadows it with the user's own name.
    g.name = (name as string).slice(0, at);
    return { carrier: JSON.parse((name as string).slice(at + NAME_MARK.length)) };
  } catch {
    return {};
  }
}

/** The root context here: the carried one, or ROOT_CONTEXT when nothing was carried. */
export function carriedRoot(): Context {
  const c = carried;
  if (!c.carrier) return ROOT_CONTEXT;
  const propagator = g[OTEL_API]?.propagation;
  if (!c.context || c.propagator !== propagator) {
    // Set first: a propagator that asks for the active context while extracting gets the plain root.
    c.propagator = propagator;
    c.context = ROOT_CONTEXT;
    try {
      c.context = propagation.extract(ROOT_CONTEXT, c.carrier, c.getter);
    } catch {
      // A propagator that throws on what it was handed: this root starts a trace of its own.
    }
  }
  return c.context;
}

// The manager's root from now on (it asks the slot, so pages without this module carry none of it).
setCarriedRoot(carriedRoot);
