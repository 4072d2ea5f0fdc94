/** otel-context-transformer for rolldown: `import otelContext from 'otel-context-transformer/rolldown'`. */
import { transformFirst } from './order.js';
import { unplugin } from './unplugin.js';

export default transformFirst(unplugin.rolldown);
