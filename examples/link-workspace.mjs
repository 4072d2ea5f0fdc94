// Copies the example workspace and gives it a node_modules as `npm install` would:
// this checkout as the installed `otel-context-transformer`, the workspace's own
// packages, and every other package from the checkout's node_modules (no network).
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const examples = dirname(fileURLToPath(import.meta.url));
const repo = join(examples, '..');

export const WORKSPACE_PACKAGES = { '@shop/lib': 'packages/lib', '@shop/service': 'packages/service', '@shop/web': 'apps/web' };

export function copyWorkspace(dest) {
  rmSync(dest, { recursive: true, force: true });
  cpSync(join(examples, 'workspace'), dest, { recursive: true });
  linkNodeModules(dest, WORKSPACE_PACKAGES);
}

export function linkNodeModules(root, own) {
  const modules = join(root, 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (entry.startsWith('.') || entry === 'otel-context-transformer') continue;
    if (entry.startsWith('@')) {
      mkdirSync(join(modules, entry), { recursive: true });
      for (const scoped of readdirSync(join(repo, 'node_modules', entry))) {
        if (!own[`${entry}/${scoped}`]) symlinkSync(join(repo, 'node_modules', entry, scoped), join(modules, entry, scoped));
      }
    } else if (!own[entry]) {
      symlinkSync(join(repo, 'node_modules', entry), join(modules, entry));
    }
  }
  symlinkSync(repo, join(modules, 'otel-context-transformer'));
  for (const [name, dir] of Object.entries(own)) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, dir), join(modules, name));
  }
}
