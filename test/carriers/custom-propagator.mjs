// A propagator of the app's own (not W3C): one field, 'x-app-trace.id', holding "traceId:spanId".
import { trace, TraceFlags } from '@opentelemetry/api';

export const appPropagator = {
  fields: () => ['x-app-trace.id'],
  inject(context, carrier, setter) {
    const span = trace.getSpanContext(context);
    if (span) setter.set(carrier, 'x-app-trace.id', `${span.traceId}:${span.spanId}`);
  },
  extract(context, carrier, getter) {
    const value = getter.get(carrier, 'x-app-trace.id');
    if (typeof value !== 'string') return context;
    const [traceId, spanId] = value.split(':');
    return trace.setSpanContext(context, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  },
};
