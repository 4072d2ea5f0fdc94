import { trace } from '@opentelemetry/api';
import { lookup } from '@shop/lib';

const tracer = trace.getTracer('service');

export async function checkout(order: string): Promise<void> {
  await tracer.startActiveSpan(`checkout ${order}`, async (span) => {
    await Promise.all([lookup(`${order}-a`), lookup(`${order}-b`)]);
    span.end();
  });
}

/** Two checkouts at once, as a server would run them. */
export async function main(): Promise<void> {
  await Promise.all([checkout('A'), checkout('B')]);
}
