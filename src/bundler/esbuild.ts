/** otel-context-transformer for esbuild: `import otelContext from 'otel-context-transformer/esbuild'`. */
import { unplugin } from './unplugin.js';

export default unplugin.esbuild;
