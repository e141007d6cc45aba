import { launchTestTrayApp, type TestTrayApp } from '../main/testing/tray-app.js';
import { openPsqlSession } from './fixtures/psql-session.js';
import { openStandInWindow } from './fixtures/stand-in-window.js';
import { expect, test } from './fixtures/test.js';

/**
 * The tray app's window with the shell behind it: the real renderer in Chromium, the real shell
 * and core on the Electron stand-in (main/testing/fake-electron.ts), which plays the platform
 * (a macOS build that is not signed, the Quit dialog).
 */
let app: TestTrayApp | undefined;

test.afterEach(async () => {
  if (app?.fake.app.exitCode === undefined) {
    await app?.quit();
  }
  app = undefined;
});

test('start at login refused by macOS: the sentence stands under the switch', async ({
  page,
  ui,
}) => {
  app = await launchTestTrayApp({ platform: 'darwin' });
  app.fake.app.loginSystem.unsigned = true;
  await openStandInWindow(page, app, ui.url);
  await page.getByRole('button', { name: 'Settings' }).click();
  const startAtLogin = page.getByRole('switch', { name: 'Start at login' });
  await startAtLogin.click();
  await expect(page.getByRole('alert').filter({ hasText: 'install a signed build' })).toHaveText(
    /^macOS did not accept PG Tunnel as a login item, which it does only for builds signed with a Developer ID and notarized/,
  );
  await expect(startAtLogin).not.toBeChecked();
});

test('Quit with two sessions open asks whether to wait for them or disconnect them', async ({
  page,
  ui,
  gateway,
}) => {
  app = await launchTestTrayApp({ platform: 'win32' });
  await openStandInWindow(page, app, ui.url);
  const profile = await app.run('addProfile', {
    name: 'Staging',
    gatewayUrl: gateway.wsUrl,
    apiKey: gateway.keys.valid,
  });
  await page.getByRole('button', { name: 'Staging', exact: true }).click();
  const { port } = await app.run('startTunnel', profile.id);
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
  const sessions = [await openPsqlSession(url), await openPsqlSession(url)];
  try {
    await expect(page.getByText('2 sessions').first()).toBeVisible();
    app.fake.dialogs.answers.push('Cancel');
    (await app.trayMenu()).click('Quit PG Tunnel');
    await expect.poll(() => app!.fake.dialogs.shown.length).toBe(1);
    expect(app.fake.dialogs.shown[0]).toMatchObject({
      message: '2 sessions are open through Staging.',
      detail:
        'Quitting closes them: the database tools connected through PG Tunnel lose their connection. PG Tunnel can stop taking new connections and quit when the last one ends, or disconnect them and quit now.',
      buttons: ['Quit When They End', 'Disconnect and Quit', 'Cancel'],
    });
    await expect(page.getByRole('heading', { name: 'Staging' })).toBeVisible(); // still running
  } finally {
    for (const session of sessions) {
      session.child.stdin!.end();
    }
  }
});
