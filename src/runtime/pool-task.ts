// otel-context-ignore-file: the runtime itself is never rewritten (a bundler may see it outside node_modules)
/**
 * The task module of a pool constructed by code compiled with `messages: true`
 * (messages-node.ts): each task arrives as `{ [ENVELOPE]: fields, data,
 * filename, name }`. The task's own module is loaded as the pools load it
 * (import; then its default export, or the export named `name`, or that
 * property of a CommonJS module's exports), and its handler is called with
 * `data` inside the carried context: the context of the `run` call.
 */
import { context } from '@opentelemetry/api';
import { carriedContext, ENVELOPE, isEnvelope } from './messages.js';
import type { Fields } from './carrier.js';

const handlers = new Map<string, Promise<(task: unknown) => unknown>>();

async function load(filename: string, name: string): Promise<(task: unknown) => unknown> {
  const ns = await import(filename);
  const handler =
    name === 'default' && typeof ns.default === 'function' ? ns.default : typeof ns[name] === 'function' ? ns[name] : ns.default?.[name];
  if (typeof handler !== 'function') throw new Error(`No handler function exported from ${filename}`);
  return handler;
}

export default async function carriedTask(envelope: unknown): Promise<unknown> {
  if (!isEnvelope(envelope)) throw new TypeError('otel-context-transformer: a pool task arrived without its envelope');
  const { filename, name, data } = envelope as unknown as { filename: string; name: string; data: unknown };
  const key = `${filename}\0${name}`;
  let handler = handlers.get(key);
  if (!handler) handlers.set(key, (handler = load(filename, name)));
  const run = await handler;
  // Extracted after the task's module loaded: it is usually what registers the propagator.
  return context.with(carriedContext(envelope[ENVELOPE] as Fields), () => run(data));
}
