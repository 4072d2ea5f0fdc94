// What React Native gives every bundle and the bare `hermes` CLI (hermes-engine-cli 0.12.0) does not.
// Runs first in the Hermes bundle, as Metro's prelude and InitializeCore do in an app. Each shim is
// built on what Hermes itself has (its setTimeout and its microtask queue), the way React Native
// builds them, and only when the global is missing. Nothing else is added: what neither the CLI nor
// React Native has (process.nextTick, Promise.allSettled/any on Hermes 0.12, Symbol.asyncIterator)
// stays missing, and scenarios that need it declare so (Scenario.notOn).
//
// - global, process.env: Metro's prelude defines `global` and `process = { env: { NODE_ENV } }` (no nextTick).
// - window, self: React Native's setUpGlobals sets both to the global object.
// - setTimeout / clearTimeout: the CLI has them but runs every timer at the next turn, ignoring the
//   delay. React Native's timers fire by due time, so these keep a due-ordered queue (a timer due
//   later runs after every timer due earlier, ties in scheduling order) and run one timer per turn of
//   the CLI's own setTimeout(0), which drains Hermes' microtask queue in between like a real event
//   loop. The clock is the wall clock, except that when the next timer is not due yet the clock jumps
//   to it instead of waiting (nothing asserts timing, and the suite stays fast).
// - setInterval / clearInterval, requestAnimationFrame / cancelAnimationFrame, requestIdleCallback /
//   cancelIdleCallback: React Native's JSTimers (the CLI has none of them), on the timer queue above.
// - queueMicrotask: React Native's setUpTimers sets it to HermesInternal.enqueueJob when Hermes runs
//   its own microtask queue (HermesInternal.useEngineQueue(), the -Xmicrotask-queue flag).
// - setImmediate / clearImmediate: React Native's immediateShim, a microtask (queueMicrotask), not a
//   macrotask: the CLI's own setImmediate is replaced, as setUpTimers replaces it in an app.
// - performance.now / performance.timeOrigin: React Native's performance object (OTel's hrTime reads both).
// - console: React Native's console (the CLI only has print).
/* eslint-disable no-var */
var g = globalThis;
if (typeof g.HermesInternal !== 'object' || !g.HermesInternal.useEngineQueue()) {
  throw new Error('run the hermes CLI with -Xmicrotask-queue, as React Native configures Hermes');
}

if (g.global === undefined) g.global = g;
if (g.process === undefined) g.process = { env: { NODE_ENV: 'development' } };
if (g.window === undefined) g.window = g;
if (g.self === undefined) g.self = g;

var cliSetTimeout = g.setTimeout;
var origin = Date.now();
var skipped = 0; // ms the clock jumped ahead instead of waiting
function now() {
  return Date.now() - origin + skipped;
}
var timerSeq = 0;
var timers = []; // { id, due, seq, fn, args }, sorted by (due, seq)
var turnScheduled = false;

function insertTimer(timer) {
  var i = timers.length;
  while (i > 0 && (timers[i - 1].due > timer.due || (timers[i - 1].due === timer.due && timers[i - 1].seq > timer.seq))) i--;
  timers.splice(i, 0, timer);
  if (!turnScheduled) {
    turnScheduled = true;
    cliSetTimeout(runOneTimer, 0);
  }
}

function runOneTimer() {
  turnScheduled = false;
  var timer = timers.shift();
  if (timers.length > 0) {
    turnScheduled = true;
    cliSetTimeout(runOneTimer, 0);
  }
  if (timer === undefined) return;
  var early = timer.due - now();
  if (early > 0) skipped += early;
  timer.fn.apply(undefined, timer.args);
}

function addTimer(fn, ms, args) {
  if (typeof fn !== 'function') throw new TypeError('callback must be a function');
  var id = ++timerSeq;
  insertTimer({ id: id, due: now() + Math.max(0, Number(ms) || 0), seq: id, fn: fn, args: args });
  return id;
}

function clearTimer(id) {
  for (var i = 0; i < timers.length; i++) {
    if (timers[i].id === id) {
      timers.splice(i, 1);
      return;
    }
  }
}

g.setTimeout = function setTimeout(fn, ms) {
  return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2));
};
g.clearTimeout = clearTimer;

// Intervals keep their first id across ticks, as JSTimers' do.
var intervals = {};
g.setInterval = function setInterval(fn, ms) {
  var args = Array.prototype.slice.call(arguments, 2);
  var id;
  var tick = function () {
    intervals[id] = addTimer(tick, ms, []);
    fn.apply(undefined, args);
  };
  id = addTimer(tick, ms, []);
  intervals[id] = id;
  return id;
};
g.clearInterval = function clearInterval(id) {
  if (intervals[id] === undefined) return;
  clearTimer(intervals[id]);
  delete intervals[id];
};

var FRAME_MS = 16;
g.requestAnimationFrame = function requestAnimationFrame(fn) {
  return addTimer(
    function () {
      fn(g.performance.now());
    },
    FRAME_MS,
    [],
  );
};
g.cancelAnimationFrame = clearTimer;
g.requestIdleCallback = function requestIdleCallback(fn) {
  return addTimer(
    function () {
      fn({
        didTimeout: false,
        timeRemaining: function () {
          return 5;
        },
      });
    },
    1,
    [],
  );
};
g.cancelIdleCallback = clearTimer;

g.queueMicrotask = g.HermesInternal.enqueueJob;

var immediateSeq = 0;
var clearedImmediates = new Set();
g.setImmediate = function setImmediate(fn) {
  var args = Array.prototype.slice.call(arguments, 1);
  var id = ++immediateSeq;
  g.queueMicrotask(function () {
    if (clearedImmediates.has(id)) clearedImmediates.delete(id);
    else fn.apply(undefined, args);
  });
  return id;
};
g.clearImmediate = function clearImmediate(id) {
  clearedImmediates.add(id);
};

if (g.performance === undefined) g.performance = { timeOrigin: origin, now: now };

if (g.console === undefined) {
  var out = function () {
    g.print(Array.prototype.map.call(arguments, String).join(' '));
  };
  g.console = { log: out, info: out, warn: out, error: out, debug: out, trace: out };
}
