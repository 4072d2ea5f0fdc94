/** otel-context-transformer for rolldown: `import otelContext from 'otel-context-transformer/rolldown'`. */
import { unplugin } from './unplugin.js';

export default unplugin.rolldown;
