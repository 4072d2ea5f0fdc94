/**
 * The README's option examples (Listeners, Messages, Declared boundaries, Presets), built as written: each JSON
 * entry is what the tsconfig plugin accepts, and each code block compiles to the rewrite the prose next to it
 * describes. (The integrations' own snippets run from the packed package in readme-snippets.test.ts; the
 * debug-mode example runs in debug-mode.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { transform } from '../src/api.js';
import { resolveOptions, type TransformOptions } from '../src/options.js';
import { blocks } from './harness/readme.js';

/** A tsconfig plugin entry from the README: valid options once the host's own key is set aside. */
function pluginEntry(json: string): TransformOptions {
  const entry = JSON.parse(json) as Record<string, unknown>;
  expect(entry.transform).toBe('otel-context-transformer');
  resolveOptions(entry, ['transform']);
  const { transform: _host, ...options } = entry;
  return options as TransformOptions;
}

function compile(code: string, options: TransformOptions, filename = 'snippet.mjs'): string {
  const out = transform(code, { ...options, filename });
  expect(out, 'the snippet is rewritten').toBeDefined();
  return out!.code;
}

describe('README: Listeners', () => {
  const [json, registration, xhr] = blocks('Listeners');

  it('the listeners entry is valid, and the mount example registers through the helpers', () => {
    expect(json!.lang).toBe('json');
    const options = pluginEntry(json!.code);
    expect(options.listeners).toBe('registration');
    const out = compile(registration!.code, options);
    expect(out).toContain('__otelCtx.listen(button, "addEventListener").addEventListener(');
    expect(out).toContain('__otelCtx.listen(socket, "on").on(');
    expect(out).toContain('button.onfocus = __otelCtx.handler(onFocus)');
    expect(out).toContain('__otelCtx.listen(button, "removeEventListener").removeEventListener(');
    // Without the option the same code keeps the dispatch semantics: nothing of it is rewritten.
    expect(transform(registration!.code, { filename: 'snippet.mjs' })?.code ?? registration!.code).not.toContain('listen(');
  });

  it('the XHR example runs its handler in the context of send(), with or without the option', () => {
    for (const options of [{}, { listeners: 'registration' as const }]) {
      const out = compile(xhr!.code, options);
      expect(out).toContain('__otelCtx.starts(xhr, "send").send()');
      expect(out).toMatch(/xhr\.onload = __otelCtx\.(startedHandler|handler)\(/);
    }
  });
});

describe('README: Messages (opt-in)', () => {
  const [json] = blocks('Messages (opt-in)');

  it('the broadcastChannels entry is valid: a declared channel goes through declaredChannel, another is left alone', () => {
    expect(json!.lang).toBe('json');
    const options = pluginEntry(json!.code);
    const out = compile("const sync = new BroadcastChannel('app-sync');\nconst other = new BroadcastChannel('other');\n", options);
    expect(out).toContain(`__otelCtx.declaredChannel(["app-sync"], BroadcastChannel, 'app-sync')`);
    expect(out).toContain(`new BroadcastChannel('other')`);
    expect(out).toContain('otel-context-transformer/runtime/messages');
  });
});

describe('README: Declared boundaries', () => {
  const [json] = blocks('Declared boundaries');

  it('the boundaries entry is valid, and each declared call binds its callback', () => {
    const options = pluginEntry(json!.code);
    const code = [
      "import PQueue from 'p-queue';",
      "import { createPool } from '@acme/jobs';",
      'const queue = new PQueue();',
      'const pool = createPool();',
      'export function run(task, done) { queue.add(task); pool.submit(task, 1, done); }',
    ].join('\n');
    const out = compile(code, options);
    expect(out).toContain('queue.add(__otelCtx.bindAlways(task))');
    expect(out).toContain('pool.submit(__otelCtx.bindAlways(task), 1, __otelCtx.bindAlways(done))');
    // @acme/jobs is the README's own declaration: without it only the shipped p-queue entry applies.
    const shipped = compile(code, {});
    expect(shipped).toContain('queue.add(__otelCtx.bindAlways(task))');
    expect(shipped).toContain('pool.submit(task, 1, done)');
  });
});

describe('README: Presets', () => {
  const [config] = blocks('Presets');

  it("the vite example's preset is one the options accept, and it leaves what AsyncLocalStorage carries alone", () => {
    const preset = /preset: '([^']+)'/.exec(config!.code)?.[1];
    expect(preset).toBe('node');
    const code =
      "import PQueue from 'p-queue';\nconst q = new PQueue();\nexport async function f(t) { setTimeout(t, 1); await q.add(t); }\n";
    const out = compile(code, { preset: 'node' });
    expect(out).toContain('q.add(__otelCtx.bindAlways(t))');
    expect(out).toContain('setTimeout(t, 1)');
    expect(out).not.toContain('__otelCtx.frame');
  });
});
