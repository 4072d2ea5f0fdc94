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
import { GLOBAL_HELPERS, installGlobalHelpers } from './global-install.js';

installGlobalHelpers(GLOBAL_HELPERS);
