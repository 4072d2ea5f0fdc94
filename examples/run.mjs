// `npm run example`: compiles examples/app.ts twice, with `tspc` (the tsconfig
// plugin applies the transform) and with plain `tsc` (plugins are ignored), runs
// both on the real OTel SDK and prints the two trace forests side by side.
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { forest, printSideBySide } from './forest.mjs';
import { linkPackage } from './link-package.mjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const bin = (pkg, file) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

// ts-patch resolves `"transform": "otel-context-transformer"` from the project.
linkPackage();

function compile(compiler, outDir) {
  execFileSync(process.execPath, [compiler, '-p', join(here, 'tsconfig.json'), '--outDir', join(here, outDir)], { stdio: 'inherit' });
  renameSync(join(here, outDir, 'app.js'), join(here, outDir, 'app.mjs'));
  return join(here, outDir, 'app.mjs');
}

function run(file) {
  const out = execFileSync(process.execPath, [join(here, 'trace-app.mjs'), file], { encoding: 'utf8' });
  return JSON.parse(out);
}

const plain = forest(run(compile(bin('typescript', 'bin/tsc'), '.out/plain')));
const transformed = forest(run(compile(bin('ts-patch', 'bin/tspc.js'), '.out/transformed')));

printSideBySide('Without the transform', plain, 'With otel-context-transformer', transformed);
console.log(
  `\nSame source, same SDK, same CompiledContextManager. Without the transform every async hop starts a new` +
    `\nroot trace; with it, each checkout is one connected trace.\n`,
);
