// A worker we compiled (it loads our runtime): bundled once as a classic script, once as a module.
// It reports the name it reads, its spans (top level and message handler) and the baggage it started in.
import { baggage, spans, tracer } from './otel-web.js';

const nameSeen = self.name;
const topBaggage = baggage();
tracer.startSpan('worker top level').end();
self.addEventListener('message', () => {
  tracer.startSpan('worker message handler').end();
  self.postMessage({ name: nameSeen, baggage: topBaggage, spans: spans(), href: self.location.href });
});
