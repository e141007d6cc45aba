// Starts the tray app that `electron-builder` packaged into release/ once, as a user would open it:
// its window must come up and show the app, then it quits. Run by the desktop CI workflow after
// packaging (Linux under Xvfb); exits non-zero with a sentence when the app does not start.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from '@playwright/test';

const RELEASE = new URL('../release/', import.meta.url).pathname.replace(/^\/(\w:)/, '$1');

/** The packaged executable electron-builder leaves unpacked beside the installers. */
function packagedExecutable() {
  const dirs = existsSync(RELEASE) ? readdirSync(RELEASE) : [];
  const candidates = [
    ...dirs
      .filter((d) => d.startsWith('mac'))
      .map((d) => join(RELEASE, d, 'PG Tunnel.app', 'Contents', 'MacOS', 'PG Tunnel')),
    join(RELEASE, 'win-unpacked', 'PG Tunnel.exe'),
    join(RELEASE, 'linux-unpacked', 'pg-tunnel'),
  ];
  return candidates.find((path) => existsSync(path));
}

const executablePath = packagedExecutable();
if (!executablePath) {
  console.error(
    `No packaged app in ${RELEASE}: run \`npx electron-builder --publish never\` first.`,
  );
  process.exit(1);
}
const home = mkdtempSync(join(tmpdir(), 'pg-tunnel-packaged-'));
const app = await electron.launch({
  executablePath,
  // An AppImage-style sandbox is not there in CI's unpacked Linux build.
  args: process.platform === 'linux' ? ['--no-sandbox'] : [],
  env: { ...process.env, XDG_CONFIG_HOME: home, APPDATA: home },
  timeout: 60_000,
});
try {
  const window = await app.firstWindow({ timeout: 60_000 });
  // With no profiles, the first start shows the window with the welcome.
  await window.getByText('PG Tunnel').first().waitFor({ timeout: 60_000 });
  const versions = await app.evaluate(() => process.versions);
  console.info(
    `The packaged app started: Electron ${versions.electron}, Node ${versions.node}, Chromium ${versions.chrome}.`,
  );
} finally {
  await app.close();
}
