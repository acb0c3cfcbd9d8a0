// Runs before `npm start` and `npm test`: on a fresh clone, install the locked dependencies first, so the
// README's two commands are all a new machine needs. Uses Node's built-ins only (nothing is installed yet).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('qcards: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
