/** otel-context-transformer for rollup: `import otelContext from 'otel-context-transformer/rollup'`. */
import { unplugin } from './unplugin.js';

export default unplugin.rollup;
