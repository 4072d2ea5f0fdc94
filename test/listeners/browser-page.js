// Bundled by test/listeners-browser.test.ts (compiled, and as written), run in Chromium: each
// handler starts a span, whose parent must be the span active at send() / at setting src.
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CompiledContextManager } from 'otel-context-transformer/runtime';

context.setGlobalContextManager(new CompiledContextManager().enable());
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
const tracer = trace.getTracer('browser-listeners');
const mark = (name) => tracer.startSpan(name).end();

function xhrLoad(done) {
  const xhr = new XMLHttpRequest();
  // Registered before send(), outside any span.
  xhr.addEventListener('readystatechange', () => {
    if (xhr.readyState === 4) mark('xhr readystatechange');
  });
  xhr.onload = () => mark('xhr onload');
  xhr.open('GET', '/api');
  tracer.startActiveSpan('send', (span) => {
    xhr.send();
    span.end();
  });
  // Registered after send().
  xhr.addEventListener('progress', () => mark('xhr progress'), { once: true });
  xhr.addEventListener('load', () => {
    mark('xhr load');
    done();
  });
}

function xhrUpload(done) {
  const xhr = new XMLHttpRequest();
  // The upload's own events, registered before send() (the browser fires them only then), outside any span.
  xhr.upload.addEventListener('load', () => mark('xhr upload load'));
  xhr.upload.onloadend = () => mark('xhr upload onloadend');
  xhr.onloadend = () => done();
  xhr.open('POST', '/upload');
  tracer.startActiveSpan('send upload', (span) => {
    xhr.send('x'.repeat(4096));
    span.end();
  });
}

function xhrError(done) {
  const xhr = new XMLHttpRequest();
  xhr.onerror = () => {
    mark('xhr onerror');
    done();
  };
  xhr.open('GET', window.closedPortUrl);
  tracer.startActiveSpan('send error', (span) => {
    xhr.send();
    span.end();
  });
}

function image(done) {
  const img = document.createElement('img');
  img.addEventListener('load', () => {
    mark('img load');
    done();
  });
  tracer.startActiveSpan('img src', (span) => {
    img.src = '/pixel.gif';
    span.end();
  });
}

function script(done) {
  const element = document.createElement('script');
  element.onerror = () => {
    mark('script onerror');
    done();
  };
  tracer.startActiveSpan('script src', (span) => {
    element.src = '/missing.js';
    span.end();
  });
  document.head.appendChild(element);
}

window.run = () =>
  Promise.all([xhrLoad, xhrUpload, xhrError, image, script].map((start) => new Promise((done) => start(done)))).then(() =>
    exporter.getFinishedSpans().map((s) => ({ name: s.name, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId })),
  );
