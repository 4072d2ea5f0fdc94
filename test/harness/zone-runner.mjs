// runner.mjs with zone.js loaded first, as in an Angular app or one moving off ZoneContextManager: zone.js
// replaces the global Promise (and patches timers and the native Promise's then) before anything else loads,
// our runtime included. Same arguments as runner.mjs.
import 'zone.js/node';
if (typeof Zone === 'undefined' || globalThis.Promise === Object.getPrototypeOf((async () => {})()).constructor) {
  throw new Error('zone.js did not replace the global Promise: this runner would test nothing');
}
await import('./runner.mjs');
