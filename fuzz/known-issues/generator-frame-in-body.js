// Known issue generator-frame-in-body (all backends).
// A generator body runs in the context of its creation, through a frame made in the parameter list
// (`...{ __otelFrame = genFrame() }`). When the parameter list cannot take it — a rest parameter, or a
// 'use strict' directive (illegal with non-simple parameters) — the frame is made at the top of the
// body, i.e. at the first next(): the body runs in the context of the first next() call instead.
// Stays, as a documented limit: why, in fuzz/README.md ("Known issues") and KNOWN_ISSUES in fuzz/generator.ts.
export {};
const { log, chk, V } = globalThis.__fuzz;
function* withRest(ct, ...rest) {
  chk(ct, 'generator with a rest parameter');
  yield rest.length;
}
function* strict(ct) {
  'use strict';
  chk(ct, "generator whose body starts with 'use strict'");
  yield 1;
}
const a = V.run('creation', () => withRest('creation'));
const b = V.run('creation', () => strict('creation'));
log(a.next(), b.next());
log('end');
