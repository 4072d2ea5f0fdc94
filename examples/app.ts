/**
 * A small checkout service: plain application code that uses only the
 * OpenTelemetry API. Nothing here knows about otel-context-transformer.
 */
import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('example-shop');
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function lookUpStock(sku: string): Promise<number> {
  return tracer.startActiveSpan(`inventory.lookup ${sku}`, async (span) => {
    await delay(3);
    span.end();
    return 3;
  });
}

async function* lineItems(orderId: string) {
  for (let line = 1; line <= 2; line++) {
    await delay(1);
    tracer.startSpan(`line-item ${orderId}/${line}`).end();
    yield line;
  }
}

export async function checkout(orderId: string): Promise<void> {
  await tracer.startActiveSpan(`checkout ${orderId}`, async (span) => {
    const stock = await lookUpStock('sku-42');
    for await (const line of lineItems(orderId)) void line;
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        tracer.startSpan('payment.authorize').end();
        resolve();
      }, 2),
    );
    await Promise.resolve(stock).then(() => tracer.startSpan('receipt.render').end());
    await Promise.all(
      ['customer', 'warehouse'].map(async (to) => {
        await delay(1);
        tracer.startSpan(`email ${to}`).end();
      }),
    );
    span.end();
  });
}

/** Two orders at once, so their continuations interleave. */
export async function main(): Promise<void> {
  await Promise.all([checkout('A-1'), checkout('B-2')]);
}
