import { existsSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from '@playwright/test';
import { openPsqlSession } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { addTunnel } from './fixtures/window.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Electron binary, when this machine has one: ELECTRON_PATH, else the one the electron package
 * downloaded. Machines that cannot reach Electron's download host have none; the test then says so
 * and is reported as skipped, never as passed.
 */
function electronBinary(): { path: string } | { why: string } {
  const fromEnv = process.env['ELECTRON_PATH'];
  if (fromEnv) {
    return existsSync(fromEnv)
      ? { path: fromEnv }
      : { why: `ELECTRON_PATH=${fromEnv} does not exist` };
  }
  try {
    const path = createRequire(import.meta.url)('electron') as string;
    return existsSync(path)
      ? { path }
      : { why: `the electron package points at ${path}, which does not exist` };
  } catch (error) {
    return {
      why: `the electron package has no binary (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

const binary = electronBinary();
if ('why' in binary) {
  console.warn(
    `Electron e2e NOT RUN: ${binary.why}. Set ELECTRON_PATH, or run \`npm start\` once on a machine that can download Electron.`,
  );
}
// Decided before any fixture starts, so a machine without Electron starts no servers for it.
test.skip(
  'why' in binary,
  `not run: no Electron binary on this machine (${'why' in binary ? binary.why : ''})`,
);

test('the tray app: the window opens, a tunnel starts, its psql session shows', async ({
  gateway,
}) => {
  const configHome = await mkdtemp(join(tmpdir(), 'pg-tunnel-electron-'));
  await chmod(configHome, 0o755);
  const app = await electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [PROJECT_ROOT],
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
  });
  try {
    // With no profiles, the first start shows the window without a click on the tray icon.
    const window = await app.firstWindow();
    await window.getByRole('button', { name: 'Add a tunnel' }).click();
    await addTunnel(window, {
      name: 'Through Electron',
      key: gateway.keys.valid,
      gatewayUrl: gateway.wsUrl,
    });
    await window.getByRole('switch').first().click();
    const status = window.locator('.detail-status');
    await expect(status).toContainText('Listening');
    const [, port] = /:(\d+)/.exec((await status.textContent()) ?? '') ?? [];
    const session = await openPsqlSession(
      `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable&application_name=electron-e2e`,
    );
    try {
      await expect(window.getByText('electron-e2e')).toBeVisible();
    } finally {
      session.child.stdin!.end();
      await session.exited;
    }
  } finally {
    await app.close();
  }
});
