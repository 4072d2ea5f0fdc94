import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';

export const provider = new WebTracerProvider();
provider.register();
