/** otel-context-transformer for webpack: `import otelContext from 'otel-context-transformer/webpack'`. */
import { unplugin } from './unplugin.js';

export default unplugin.webpack;
