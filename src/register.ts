/**
 * `otel-context-transformer/register`: the transform at load time, no build step.
 *
 *   node --import otel-context-transformer/register app.js
 *   node --import otel-context-transformer/register app.ts     (Node 22.6+/23.6+, where Node strips types)
 *   node --require otel-context-transformer/register app.cjs
 *   OTEL_CONTEXT_TRANSFORMER_OPTIONS='{"exclude":["**\/legacy/**"]}' node --import ...
 *
 * Two hooks, because Node has two loaders:
 * - ES modules (and TypeScript that Node loads itself): `module.register` with
 *   the `load` hook in register-hooks.ts, on Node's hooks thread;
 * - CommonJS read by `require()`, which those hooks do not see on Node 20: the
 *   `Module._extensions` handlers are wrapped (as pirates and @babel/register
 *   do) to rewrite a matching file's source on its way to `module._compile`.
 * Only files the options select are touched (by default, nothing under
 * node_modules). The code these hooks load is not rewritten: only modules
 * loaded after this one.
 */
import Module, * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { optionsFromEnvironment, SourceTransformer, type LoadHookData } from './register-hooks.js';
import type { TransformOptions } from './options.js';

export { OPTIONS_ENV } from './register-hooks.js';

declare const __filename: string | undefined;

/** One registration per process, whichever build (ESM or CommonJS) of this file runs, and however often. */
const REGISTERED = Symbol.for('otel-context-transformer.register.v1');

function register(): void {
  const state = globalThis as { [REGISTERED]?: boolean };
  if (state[REGISTERED]) return;
  let options: TransformOptions;
  try {
    options = optionsFromEnvironment();
  } catch (error) {
    process.stderr.write(`otel-context-transformer/register: ${(error as Error).message}\n`);
    process.exit(1);
  }
  state[REGISTERED] = true;
  const transformer = new SourceTransformer(options);
  if (typeof nodeModule.register === 'function') {
    const data: LoadHookData = { options };
    nodeModule.register(hooksUrl(), { parentURL: hooksUrl(), data });
  } else {
    process.emitWarning(
      'otel-context-transformer/register: this Node has no module.register (needs 18.19+/20.6+): only CommonJS files are transformed',
    );
  }
  hookRequire(transformer);
}

/** The hooks module: the ES module build's, also when the CommonJS build of this file runs. */
function hooksUrl(): string {
  if (typeof __filename === 'string') return new URL('../esm/register-hooks.js', pathToFileURL(__filename)).href;
  return new URL('./register-hooks.js', import.meta.url).href;
}

type Extension = (module: CompilingModule, filename: string) => unknown;
interface CompilingModule {
  _compile(code: string, filename: string, ...rest: unknown[]): unknown;
}

/**
 * Wraps every registered script extension (Node resolves unknown ones, `.cjs`
 * and `.ts` included, to the `.js` handler): when the file is one to transform,
 * the module's next `_compile` gets the rewritten source. `_compile`'s third
 * argument, where Node passes one, is the format it compiles as (`module` for
 * require(esm)), which decides how the helpers are reached.
 */
function hookRequire(transformer: SourceTransformer): void {
  const extensions = (Module as unknown as { _extensions: Record<string, Extension> })._extensions;
  for (const ext of Object.keys(extensions)) {
    if (ext === '.json' || ext === '.node') continue;
    const original = extensions[ext]!;
    extensions[ext] = function otelContextTransformerRequireHook(this: unknown, module: CompilingModule, filename: string) {
      if (transformer.wants(filename)) {
        const compile = module._compile;
        module._compile = function (this: CompilingModule, code: string, name: string, ...rest: unknown[]) {
          module._compile = compile;
          const format = rest[0];
          const helpers = format === 'module' || format === 'module-typescript' ? 'import' : 'require';
          const rewritten = typeof code === 'string' ? transformer.transform(code, name, helpers) : undefined;
          return compile.call(this, rewritten ?? code, name, ...rest);
        };
      }
      return original.call(this, module, filename);
    };
  }
}

register();
