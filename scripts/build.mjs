// Builds dist/esm with the project's own TypeScript (code, declarations, maps),
// then dist/cjs from it with esbuild, file by file (no bundling): one compile,
// two module formats, identical code.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', 'dist/esm'], { stdio: 'inherit' });

const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
const esm = files('dist/esm');
await build({
  entryPoints: esm.filter((f) => f.endsWith('.js')),
  outdir: 'dist/cjs',
  outbase: 'dist/esm',
  format: 'cjs',
  platform: 'node',
  target: 'node18',
  sourcemap: true,
  logLevel: 'warning',
  // esbuild drops ordinary comments; the runtime's file marker must survive (see src/runtime/slot.ts).
  banner: { js: '// otel-context-ignore-file' },
});
for (const file of esm.filter((f) => f.endsWith('.d.ts'))) cpSync(file, file.replace('dist/esm', 'dist/cjs'));
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
writeFileSync('dist/esm/package.json', '{ "type": "module" }\n');
