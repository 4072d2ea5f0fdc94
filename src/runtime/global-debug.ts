// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The prelude for `helpers: "global"` in debug builds (`debug: true`): global.ts's helpers with the
 * logging ones of debug mode (debug-helpers.ts), and `debugSummary`. Load it instead of global.iife.js:
 *
 *   <script src="node_modules/otel-context-transformer/dist/global-debug.iife.js"></script>
 *   import 'otel-context-transformer/global-debug'
 *
 * The classic-script bundle carries its own copy of @opentelemetry/api, which logs through the diag
 * logger the page's API registered (the API keeps one registry per page, by a registered symbol).
 */
import { bind, debugSummary, frame, genFrame, reenter, resetDebugSummary, resume } from './debug-helpers.js';
import { GLOBAL_HELPERS, installGlobalHelpers } from './global-install.js';

// Every helper global.ts installs (declared boundaries' and listeners' too), the crossing ones logging.
installGlobalHelpers({ ...GLOBAL_HELPERS, bind, frame, genFrame, reenter, resume, debugSummary, resetDebugSummary });
