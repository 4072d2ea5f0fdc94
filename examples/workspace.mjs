// `npm run example`, second part: a monorepo (examples/workspace: a library and a
// service on `tsc -b` project references, and a Vite app), built as it is, then set
// up by `otel-context-transformer init --write` and built again. The service runs
// two checkouts at once on the real OTel SDK under CompiledContextManager.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forest, printSideBySide } from './forest.mjs';
import { copyWorkspace } from './link-workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const root = join(here, '.out', 'workspace');
const node = (args, options = {}) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', ...options });
const traceService = () => JSON.parse(node([join(here, 'trace-app.mjs'), join(root, 'packages/service/dist/main.js')]));

copyWorkspace(root);
node([require.resolve('typescript/bin/tsc'), '-b']);
const before = forest(traceService());

const plan = node([join(here, '..', 'bin', 'otel-context-transformer.mjs'), 'init', '--write']);
console.log(`\n$ npx otel-context-transformer init --write    (in examples/workspace)\n${plan}`);
// ts-patch's live mode here; in a real workspace the root `prepare` script init added patches tsc once.
node([require.resolve('ts-patch/bin/tspc.js'), '-b']);
const after = forest(traceService());
printSideBySide('Workspace as it was', before, 'After init --write', after);

const { build } = await import('vite');
await build({ root: join(root, 'apps/web'), logLevel: 'silent' });
const assets = join(root, 'apps/web/dist/assets');
const bundled = readdirSync(assets).some((f) => readFileSync(join(assets, f), 'utf8').includes('otel-context-transformer.slot.v2'));
console.log(`\napps/web: vite build ${bundled ? 'ran the plugin (the runtime is in the bundle)' : 'did NOT run the plugin'}.\n`);
if (after.traces !== 2 || !bundled) process.exitCode = 1;
