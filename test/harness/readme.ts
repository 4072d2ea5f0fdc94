/** The README's fenced code blocks, by section: tests build these, so the README cannot drift from what works. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './packed.js';

export const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

export interface Block {
  lang: string;
  code: string;
}

/** The fenced blocks under a heading (up to the next heading of the same or a higher level). */
export function blocks(heading: string): Block[] {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => /^#{2,4} /.test(l) && l.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = lines[start]!.indexOf(' ');
  const found: Block[] = [];
  let fence: Block | undefined;
  for (const line of lines.slice(start + 1)) {
    if (!fence && new RegExp(`^#{1,${level}} `).test(line)) break;
    if (line.startsWith('```')) {
      if (fence) found.push(fence);
      fence = fence ? undefined : { lang: line.slice(3).trim(), code: '' };
    } else if (fence) fence.code += `${line}\n`;
  }
  return found;
}

/** A README shell block's command lines (comments dropped). */
export function commands(block: Block): string[] {
  return block.code
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** A multi-file block split at its `// <file>` header comments, by the header's first word (a later file of the same name wins). */
export function files(block: Block): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  for (const line of block.code.split('\n')) {
    const header = /^\/\/ ([\w.-]+)/.exec(line);
    if (header && /^\/\/ ([\w-]+\.config\.\w+|esbuild)\b/.test(line)) {
      name = header[1]!;
      out.set(name, '');
    } else if (name) out.set(name, out.get(name)! + `${line}\n`);
  }
  return out;
}
