// runner.mjs for the Hermes bundle: runs the bundled scenarios in sequence on the real OpenTelemetry
// SDK and prints one `@@RESULT <json>` line per scenario, in runner.mjs's shape, so the conformance
// assertions are the same. Plain JavaScript that our plugin never sees (the React Native preset
// lowers it like any module of an app): it is the "code we did not compile".
//
// The probes differ from Node's in one way: React Native's setImmediate is a microtask, so a
// setImmediate chain would never yield; the probe that runs between the scenario's own jobs at every
// turn is a setTimeout(0) chain instead.
import * as api from '@opentelemetry/api';
import * as sdk from '@opentelemetry/sdk-trace-base';
import * as runtime from 'otel-context-transformer/runtime';

var exporter = new sdk.InMemorySpanExporter();
api.trace.setGlobalTracerProvider(new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] }));
api.context.setGlobalContextManager(new runtime.CompiledContextManager().enable());

// A browser API neither React Native nor Node has; runner.mjs provides the same stand-in.
globalThis.scheduler = {
  postTask: function (cb) {
    return new Promise(function (resolve, reject) {
      setTimeout(function () {
        try {
          resolve(cb());
        } catch (e) {
          reject(e);
        }
      }, 0);
    });
  },
};

function activeSpanName() {
  var span = api.trace.getActiveSpan();
  return span === undefined ? undefined : span.name;
}
globalThis.harness = {
  uncompiledSetTimeout: function (fn, ms) {
    setTimeout(fn, ms === undefined ? 0 : ms);
  },
  activeSpanName: activeSpanName,
};

var leaks = [];
var probing = false;
function probe(where) {
  var name = activeSpanName();
  if (name !== undefined) leaks.push(where + ' saw span "' + name + '"');
}
function turnProbe() {
  if (!probing) return;
  probe('uncompiled setTimeout(0)');
  setTimeout(turnProbe, 0);
}

function describe(e) {
  return e instanceof Error ? e.name + ': ' + e.message + '\n' + e.stack : String(e);
}

async function runOne(name, load) {
  exporter.reset();
  leaks = [];
  var events = [];
  var error;
  probing = true;
  setTimeout(turnProbe, 0);
  var probeTimer = setInterval(function () {
    probe('uncompiled setInterval');
    queueMicrotask(function () {
      probe('uncompiled microtask');
    });
  }, 1);
  try {
    var scenario = load().scenario;
    var timer;
    await Promise.race([
      scenario.run(function (event) {
        events.push(event);
      }),
      new Promise(function (_, reject) {
        timer = setTimeout(function () {
          reject(new Error('scenario timed out after 10 s'));
        }, 10000);
      }),
    ]);
    clearTimeout(timer);
    // Let stray timers of the scenario fire before we look at the spans.
    await new Promise(function (resolve) {
      setTimeout(resolve, 20);
    });
  } catch (e) {
    error = describe(e);
  }
  probing = false;
  clearInterval(probeTimer);
  if (api.context.active() !== api.ROOT_CONTEXT) leaks.push('the scenario left a context behind in the slot');
  var spans = exporter.getFinishedSpans().map(function (s) {
    return {
      name: s.name,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext === undefined ? undefined : s.parentSpanContext.spanId,
    };
  });
  print('@@RESULT ' + JSON.stringify({ name: name, spans: spans, events: events, leaks: leaks, error: error }));
}

/** scenarios: [name, () => module][], each module required when its turn comes (its top level runs then). */
export default async function runScenarios(scenarios) {
  try {
    for (var i = 0; i < scenarios.length; i++) await runOne(scenarios[i][0], scenarios[i][1]);
    print('@@DONE');
  } catch (e) {
    print('@@FATAL ' + JSON.stringify(describe(e)));
  }
}
