/** otel-context-transformer for rollup: `import otelContext from 'otel-context-transformer/rollup'`. */
import { transformFirst } from './order.js';
import { unplugin } from './unplugin.js';

export default transformFirst(unplugin.rollup);
