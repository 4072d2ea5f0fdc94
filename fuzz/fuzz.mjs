// `npm run fuzz -- [options]`: compiles fuzz/run.ts (and the generator) with
// esbuild into test/.tmp/fuzz-cli (Node 20 cannot run TypeScript itself), then
// runs its main(). Options: see fuzz/run.ts.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'test', '.tmp', 'fuzz-cli', `run-${process.pid}.mjs`);
await build({
  entryPoints: [join(root, 'fuzz', 'run.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay imports; our dist (api, TypeScript plugin) is bundled in.
  packages: 'external',
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });
process.exitCode = await main(process.argv.slice(2));
