// `npm start` on a desktop: Electron's binary is not fetched at install time (the project denies its
// install script, so `npm ci` works on machines without access to its download host); fetch it now.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const pathFile = join(electronDir, 'path.txt');
const installed =
  existsSync(pathFile) &&
  existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
if (!installed) {
  console.info('Downloading the Electron binary (once)…');
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(
      'The Electron binary could not be downloaded. The headless window still works: npx pg-tunnel ui',
    );
    process.exit(1);
  }
}
