import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication } from '@playwright/test';
import { saveProfiles, savedProfile } from '../main/testing/app-core.js';
import { electronBinary } from '../main/testing/electron-binary.js';
import { openPsqlSession, runPsql } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { addTunnel } from './fixtures/window.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const binary = electronBinary();
if ('why' in binary) {
  console.warn(`Electron e2e not run: ${binary.why}.`);
}
// Decided before any fixture starts, so a machine without Electron starts no servers for it.
test.skip('why' in binary, `not run: ${'why' in binary ? binary.why : ''}`);

/** A fresh configuration home: the app's config directory is `<home>/pg-tunnel`. */
async function configHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'pg-tunnel-electron-'));
  await chmod(home, 0o755);
  return home;
}

/** The tray app from this source tree, on the configuration home given. */
function launchTrayApp(home: string, env: NodeJS.ProcessEnv = {}): Promise<ElectronApplication> {
  return electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [PROJECT_ROOT],
    env: { ...process.env, XDG_CONFIG_HOME: home, ...env },
  });
}

/** Whether the app's only window is still there but hidden. */
function windowHidden(app: ElectronApplication): Promise<boolean> {
  return app.evaluate(({ BrowserWindow }) => {
    const windows = BrowserWindow.getAllWindows();
    return windows.length === 1 && !windows[0]!.isDestroyed() && !windows[0]!.isVisible();
  });
}

test('the tray app: the window opens, a tunnel starts, its psql session shows; closing the window only hides it', async ({
  gateway,
}) => {
  const app = await launchTrayApp(await configHome());
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
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable&application_name=electron-e2e`;
    const session = await openPsqlSession(url);
    try {
      await expect(window.getByText('electron-e2e')).toBeVisible();
    } finally {
      session.child.stdin!.end();
      await session.exited;
    }

    // Alt+F4 or Cmd+W: the window hides, the app and its tunnel stay.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    await expect.poll(() => windowHidden(app)).toBe(true);
    const after = await runPsql(url, 'select 6 * 7');
    expect(after.stdout.trim()).toBe('42');
  } finally {
    await app.close();
  }
});

test('a profiles file that is not JSON: the window says so with Retry, and Retry starts once it is fixed', async () => {
  const home = await configHome();
  const profiles = join(home, 'pg-tunnel', 'profiles.json');
  await mkdir(join(home, 'pg-tunnel'), { recursive: true });
  await writeFile(profiles, '{"profiles": [');
  const app = await launchTrayApp(home);
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'PG Tunnel is not running' })).toBeVisible();
    await expect(window.getByText(/profiles\.json is not valid JSON/)).toBeVisible();
    expect(await readFile(profiles, 'utf8')).toBe('{"profiles": [');

    await writeFile(profiles, '{}');
    await window.getByRole('button', { name: 'Retry' }).click();
    await expect(window.getByRole('button', { name: 'Add a tunnel' })).toBeVisible();
  } finally {
    await app.close();
  }
});

test('a keychain that cannot be used at launch: the app comes up, and the tunnel says what is missing', async () => {
  const home = await configHome();
  await mkdir(join(home, 'pg-tunnel'));
  await saveProfiles(join(home, 'pg-tunnel'), [
    savedProfile('staging', {
      kind: 'tunnel',
      name: 'Staging',
      gatewayUrl: 'ws://127.0.0.1:9/websocket',
      autoStart: true,
    }),
  ]);
  const app = await launchTrayApp(home, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
  try {
    const window = await app.firstWindow();
    const staging = window.getByRole('listitem').filter({ hasText: 'Staging' });
    await expect(staging.getByRole('alert')).toContainText(/^No OS keychain is available/);
  } finally {
    await app.close();
  }
});

test('Quit with a psql session open asks first; "Disconnect and Quit" ends the session and the app', async ({
  gateway,
}) => {
  const app = await launchTrayApp(await configHome());
  const window = await app.firstWindow();
  await window.getByRole('button', { name: 'Add a tunnel' }).click();
  await addTunnel(window, { name: 'Quitting', key: gateway.keys.valid, gatewayUrl: gateway.wsUrl });
  await window.getByRole('switch').first().click();
  const status = window.locator('.detail-status');
  await expect(status).toContainText('Listening');
  const [, port] = /:(\d+)/.exec((await status.textContent()) ?? '') ?? [];
  const session = await openPsqlSession(
    `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
  );
  // The native message box cannot be clicked from here: what it asks is kept to be read, and
  // it is answered as the user would, when the test says.
  type Asked = { asked: Electron.MessageBoxOptions[]; answer?: () => void };
  await app.evaluate(({ dialog }) => {
    const state: Asked = { asked: [] };
    (globalThis as unknown as { quitDialog: Asked }).quitDialog = state;
    dialog.showMessageBox = ((options: Electron.MessageBoxOptions) => {
      state.asked.push(options);
      const response = options.buttons!.indexOf('Disconnect and Quit');
      return new Promise((resolve) => {
        state.answer = () => resolve({ response, checkboxChecked: false });
      });
    }) as typeof dialog.showMessageBox;
  });
  const closed = new Promise<void>((resolve) => app.once('close', () => resolve()));
  await app.evaluate(({ app: electronApp }) => electronApp.quit());
  const messages = () =>
    app.evaluate(() =>
      (globalThis as unknown as { quitDialog: Asked }).quitDialog.asked.map((o) => o.message),
    );
  await expect.poll(messages).toEqual(['1 session is open through Quitting.']);
  void app
    .evaluate(() => (globalThis as unknown as { quitDialog: Asked }).quitDialog.answer!())
    .catch(() => undefined); // the app may be gone before the answer's reply
  await closed;
  // The session was cut: psql, reading a script, finds its connection gone and stops (status 2).
  session.child.stdin!.end('select 1;\n');
  expect(await session.exited).toBe(2);
});
