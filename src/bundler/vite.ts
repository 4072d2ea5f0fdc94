/** otel-context-transformer for vite: `import otelContext from 'otel-context-transformer/vite'`. */
import { unplugin } from './unplugin.js';

export default unplugin.vite;
