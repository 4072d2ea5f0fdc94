// Makes this checkout resolvable as the installed package `otel-context-transformer`
// from examples/ (ts-patch, Vite's config loader and bundlers resolve it like an
// application that ran `npm install otel-context-transformer` would).
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function linkPackage() {
  const examples = dirname(fileURLToPath(import.meta.url));
  const installed = join(examples, 'node_modules', 'otel-context-transformer');
  if (!existsSync(installed)) {
    mkdirSync(dirname(installed), { recursive: true });
    symlinkSync(join(examples, '..'), installed, 'dir');
  }
}
