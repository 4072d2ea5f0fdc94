// Builds dist/esm and dist/cjs with the project's own TypeScript. Two emits of
// one program setup: the ESM build keeps `import`, the CJS build gets a
// package.json that marks it CommonJS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
const run = (args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', ...args], { stdio: 'inherit' });
run(['--outDir', 'dist/esm']);
run(['--outDir', 'dist/cjs', '--module', 'CommonJS', '--moduleResolution', 'Node10']);
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
writeFileSync('dist/esm/package.json', '{ "type": "module" }\n');
