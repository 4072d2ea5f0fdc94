/**
 * Event listeners (issue 10, item 1): the default (`listeners: "dispatch"`) keeps the proposal's
 * semantics, `listeners: "registration"` binds listeners where they are registered; removal with
 * the original function, `once`, handleEvent objects, EventTarget's de-duplication and
 * `listeners()` keep working, and nothing is retained after removal. Compiled programs run in a
 * child process with `node --expose-gc` and the real SDK; CompiledContextManager.bind of emitters
 * is checked against OpenTelemetry's own tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transform } from '../src/api.js';
import { resolveOptions, OptionsError } from '../src/options.js';
import { TMP_DIR } from './harness/run.js';

const PROGRAM = readFileSync(join(import.meta.dirname, 'listeners/node-program.mjs'), 'utf8');

interface Output {
  seen: Record<string, Array<string | null>>;
  register: string;
  dispatch: string;
  targetRegister: string;
  targetDispatch: string;
  listenersHaveOriginal: boolean;
  rawListenersAreFunctions: boolean;
  emitterCountAfterRemoval: number;
  onceRemoved: number;
  contextCollected: boolean;
}

/** Runs the program as written (`listeners` undefined) or compiled in that mode. */
function run(listeners: 'dispatch' | 'registration' | undefined, ...args: string[]): Output {
  const code =
    listeners === undefined
      ? PROGRAM
      : transform(PROGRAM, {
          filename: 'node-program.mjs',
          listeners,
          onDiagnostic: (d) => {
            throw new Error(d.message);
          },
        })!.code;
  mkdirSync(TMP_DIR, { recursive: true });
  const file = join(TMP_DIR, `listeners-${listeners ?? 'plain'}.mjs`);
  writeFileSync(file, code);
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', file, ...args], { encoding: 'utf8' })) as Output;
}

describe('listeners: "registration"', () => {
  const compiled = run('registration', '--remove');
  const plain = run(undefined, '--remove');

  it('binds every EventEmitter registration method to the registration context', () => {
    const { seen, register } = compiled;
    expect(seen.on).toEqual([register, register]);
    expect(seen.addListener).toEqual([register, register]);
    expect(seen.prependListener).toEqual([register, register, register]);
    expect(seen.once).toEqual([register]);
    expect(seen.prependOnceListener).toEqual([register]);
    // Without the transform they see the dispatcher's span.
    expect(plain.seen.on).toEqual([plain.dispatch, plain.dispatch]);
    expect(plain.seen.once).toEqual([plain.dispatch]);
  });

  it('removes with the original function, once included, and keeps listeners() the originals', () => {
    for (const out of [compiled, plain]) {
      expect(out.emitterCountAfterRemoval).toBe(1);
      expect(out.onceRemoved).toBe(0);
      expect(out.seen.never).toBeUndefined();
      expect(out.listenersHaveOriginal).toBe(true);
      expect(out.rawListenersAreFunctions).toBe(true);
    }
  });

  it('binds EventTarget listeners, de-duplicated, handleEvent objects and once too', () => {
    const { seen, targetRegister: register } = compiled;
    // Added twice, run once; removed, not run by the last dispatch.
    expect(seen.eventTarget).toEqual([register]);
    expect(seen.handleEvent).toEqual([register]);
    expect(seen.eventTargetOnce).toEqual([register]);
    expect(plain.seen.eventTarget).toEqual([plain.targetDispatch]);
    expect(plain.seen.handleEvent).toEqual([plain.targetDispatch]);
  });

  it('retains nothing once listeners are removed or have run once (WeakRef, forced gc)', () => {
    expect(compiled.contextCollected).toBe(true);
    // Control: while registered, the wrappers hold the registration context.
    expect(run('registration').contextCollected).toBe(false);
  });
});

describe('listeners: "dispatch" (the default)', () => {
  it('leaves every listener in the dispatcher context, through the transform', () => {
    const out = run('dispatch', '--remove');
    for (const label of ['on', 'addListener', 'once', 'prependOnceListener', 'eventTarget', 'handleEvent', 'eventTargetOnce']) {
      const dispatcher = label.startsWith('event') || label === 'handleEvent' ? out.targetDispatch : out.dispatch;
      expect(
        out.seen[label]!.every((id) => id === dispatcher),
        label,
      ).toBe(true);
    }
    expect(out.seen.prependListener).toEqual([out.dispatch, out.dispatch, null]);
    const code = transform(PROGRAM, { filename: 'node-program.mjs' })?.code ?? PROGRAM;
    expect(code).not.toContain('__otelCtx.listen');
  });
});

describe('the listeners option', () => {
  it('is validated with a clear error', () => {
    expect(resolveOptions({}).listeners).toBe('dispatch');
    expect(resolveOptions({ listeners: 'registration' }).listeners).toBe('registration');
    expect(() => resolveOptions({ listeners: 'capture' })).toThrow(OptionsError);
    expect(() => resolveOptions({ listeners: 'capture' })).toThrow(
      'option "listeners" has unknown value "capture"; allowed values: dispatch, registration',
    );
  });
});

describe('which receivers are rewritten', () => {
  const SOURCE = `
import { EventEmitter } from 'node:events';
class Bus extends EventEmitter {}
class Router { on(route: string, handler: () => void) { return this; } off(route: string, handler: () => void) { return this; } }
declare const bus: Bus;
declare const router: Router;
declare const element: HTMLElement;
declare const loose: any;
declare const xhr: XMLHttpRequest;
declare const image: HTMLImageElement;
declare const style: { onload: unknown };
export function register(fn: () => void, name: string) {
  bus.on('tick', fn);
  bus.on(name, fn);
  router.on('/home', fn);
  router.off('/home', fn);
  element.addEventListener('click', fn);
  element.onclick = fn;
  style.onload = fn;
  loose.on('tick', fn);
  xhr.onload = fn;
  xhr.upload.addEventListener('progress', fn);
  xhr.send();
  image.src = 'a.png';
}
`;
  /** Each statement of register()'s body as compiled. */
  function compiledStatements(code: string): string[] {
    const body = code.slice(code.indexOf('export function register'));
    return body
      .split('\n')
      .slice(1, -2)
      .map((l) => l.trim());
  }

  it('with the type checker: by the receiver type (EventEmitter subclasses, EventTarget; XHR and img by type)', async () => {
    const ts = (await import('typescript')).default;
    const { compileInMemory } = await import('./harness/in-memory.js');
    const plugin = (await import('../src/index.js')).default;
    const { js } = compileInMemory(
      ts,
      { 'a.ts': SOURCE },
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: ['node'],
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        skipLibCheck: true,
      },
      (program) => [
        plugin(
          program,
          { listeners: 'registration' },
          {
            ts,
            addDiagnostic: (d) => {
              throw new Error(String(d.messageText));
            },
          },
        ),
      ],
    );
    expect(compiledStatements(js['a.js']!)).toEqual([
      `__otelCtx.listen(bus, "on").on('tick', fn);`,
      `__otelCtx.listen(bus, "on").on(name, fn);`,
      // A method named on() of a class that is no emitter: left alone.
      `router.on('/home', fn);`,
      `router.off('/home', fn);`,
      `__otelCtx.listen(element, "addEventListener").addEventListener('click', fn);`,
      `element.onclick = __otelCtx.handler(fn);`,
      // Typed, and not an EventTarget.
      `style.onload = fn;`,
      `__otelCtx.listen(loose, "on").on('tick', fn);`,
      `xhr.onload = __otelCtx.handler(fn);`,
      // An XHR's upload, by its type: its events run where the XHR's do.
      `__otelCtx.listen(xhr.upload, "addEventListener").addEventListener('progress', fn);`,
      `__otelCtx.starts(xhr, "send").send();`,
      `__otelCtx.starts(image, "src").src = 'a.png';`,
    ]);
  });

  it('without it: the unambiguous shapes, and XHR/img only when proven by a const', () => {
    const code = transform(SOURCE, { filename: 'a.ts', listeners: 'registration' })!.code;
    expect(compiledStatements(code)).toEqual([
      `__otelCtx.listen(bus, "on").on('tick', fn);`,
      `__otelCtx.listen(bus, "on").on(name, fn);`,
      // No type to tell: the emitter shape is rewritten (the helper calls the receiver's own method).
      `__otelCtx.listen(router, "on").on('/home', fn);`,
      `__otelCtx.listen(router, "off").off('/home', fn);`,
      `__otelCtx.listen(element, "addEventListener").addEventListener('click', fn);`,
      `element.onclick = __otelCtx.handler(fn);`,
      `style.onload = __otelCtx.handler(fn);`,
      `__otelCtx.listen(loose, "on").on('tick', fn);`,
      `xhr.onload = __otelCtx.handler(fn);`,
      `__otelCtx.listen(xhr.upload, "addEventListener").addEventListener('progress', fn);`,
      // A declared name is no proof of an XHR without a checker.
      `xhr.send();`,
      `image.src = 'a.png';`,
    ]);
  });

  it('keeps the receiver evaluated once, optional chains, and leaves super and other arities alone', () => {
    const code = transform(
      `export function f(fn, getEl, a, ee) {
  getEl().addEventListener('x', fn);
  getEl()?.addEventListener('x', fn);
  a?.b.on('x', fn);
  ee.on('x', fn, 1);
  ee.on('x', ...fn);
  ee.on('x', 'literal');
}
export class C extends EventTarget { m(fn) { super.addEventListener('x', fn); } }
`,
      { filename: 'b.js', listeners: 'registration' },
    )!.code;
    expect(code).toContain(`__otelCtx.listen(getEl(), "addEventListener").addEventListener('x', fn);`);
    expect(code).toContain(`__otelCtx.listen(getEl(), "addEventListener")?.addEventListener('x', fn);`);
    expect(code).toContain(`a?.b.on('x', fn);`);
    expect(code).toContain(`ee.on('x', fn, 1);`);
    expect(code).toContain(`ee.on('x', ...fn);`);
    expect(code).toContain(`ee.on('x', 'literal');`);
    expect(code).toContain(`super.addEventListener('x', fn);`);
  });
});
