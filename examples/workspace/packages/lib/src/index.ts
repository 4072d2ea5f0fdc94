import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('inventory');
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Library code the service calls: awaits and a timer between its spans. */
export async function lookup(sku: string): Promise<number> {
  await pause(2);
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      tracer.startSpan(`inventory.timer ${sku}`).end();
      resolve();
    }, 1),
  );
  tracer.startSpan(`inventory.lookup ${sku}`).end();
  return sku.length;
}
