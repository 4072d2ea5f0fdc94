// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The prelude for `helpers: "global"`: puts the helpers compiled code calls on
 * globalThis under a registered symbol, for plain scripts that can neither
 * import nor require. Load it once before any compiled script:
 *
 *   <script src="node_modules/otel-context-transformer/dist/global.iife.js"></script>
 *   import 'otel-context-transformer/global'
 *
 * It adds one symbol-keyed property and patches nothing.
 */
import { handler, listen, listenStarted, startedHandler, starts } from './listeners.js';
import { bind, bindAlways, exit, forAwait, frame, genFrame, leave, reenter, resume, rootFrame, suspend, tail } from './slot.js';

const KEY = Symbol.for('otel-context-transformer.helpers.v1');
const g = globalThis as Record<symbol, unknown>;
if (g[KEY] === undefined)
  g[KEY] = Object.freeze({
    bind,
    bindAlways,
    frame,
    genFrame,
    rootFrame,
    suspend,
    tail,
    leave,
    resume,
    reenter,
    exit,
    forAwait,
    listen,
    listenStarted,
    handler,
    startedHandler,
    starts,
  });
