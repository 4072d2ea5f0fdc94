// The browser tests drive Debian's Chromium (never a downloaded browser build).
// `npm test` calls this first: on a machine without /usr/bin/chromium it installs
// the Debian package when it can (root with apt-get), or says what to do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    console.error(`${CHROMIUM} not found. Install Debian's chromium package (apt-get install chromium) and run npm test again.`);
    process.exit(1);
  }
  console.log('Installing Debian chromium for the browser tests (apt-get)…');
  const apt = (args) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'chromium']);
}
