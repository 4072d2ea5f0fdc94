/** otel-context-transformer for rspack: `import otelContext from 'otel-context-transformer/rspack'`. */
import { unplugin } from './unplugin.js';

export default unplugin.rspack;
