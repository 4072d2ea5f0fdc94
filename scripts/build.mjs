// Builds dist/esm with the project's own TypeScript (code, declarations, maps),
// then dist/cjs from it with esbuild, file by file (no bundling): one compile,
// two module formats, identical code.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
// Built aside and swapped in at the end, so that tests running meanwhile never see half a dist/.
const staging = `.dist-staging-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', `${staging}/esm`], { stdio: 'inherit' });

const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
const esm = files(`${staging}/esm`);
await build({
  entryPoints: esm.filter((f) => f.endsWith('.js')),
  outdir: `${staging}/cjs`,
  outbase: `${staging}/esm`,
  format: 'cjs',
  platform: 'node',
  target: 'node18',
  sourcemap: true,
  logLevel: 'warning',
  // register.ts reads import.meta.url only when __filename is absent (the ES module build).
  logOverride: { 'empty-import-meta': 'silent' },
  // esbuild drops ordinary comments; the runtime's file marker must survive (see src/runtime/slot.ts).
  banner: { js: '// otel-context-ignore-file' },
});
for (const file of esm.filter((f) => f.endsWith('.d.ts'))) cpSync(file, file.replace(`${staging}/esm`, `${staging}/cjs`));
mkdirSync(`${staging}/cjs`, { recursive: true });
writeFileSync(`${staging}/cjs/package.json`, '{ "type": "commonjs" }\n');
writeFileSync(`${staging}/esm/package.json`, '{ "type": "module" }\n');
// Preludes for plain <script> pages, minified classic scripts.
const prelude = (entry, outfile) =>
  build({
    ...entry,
    outfile: `${staging}/${outfile}`,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2018',
    logLevel: 'warning',
  });
// The helpers (helpers: "global").
await prelude({ entryPoints: [`${staging}/esm/runtime/global.js`] }, 'global.iife.js');
// The same in debug builds (`debug: true`): the logging helpers, with their own copy of @opentelemetry/api.
await prelude({ entryPoints: [`${staging}/esm/runtime/global-debug.js`] }, 'global-debug.iife.js');
// globalThis.AsyncContext when absent, on the slot the compiled code and the helpers prelude share.
await prelude(
  {
    stdin: {
      contents: "import { install } from './runtime/async-context.js';\ninstall();\n",
      resolveDir: `${staging}/esm`,
      sourcefile: 'async-context.iife.js',
    },
  },
  'async-context.iife.js',
);
rmSync('dist', { recursive: true, force: true });
renameSync(staging, 'dist');
