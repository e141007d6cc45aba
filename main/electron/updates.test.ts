import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { portIsOpen } from '../testing/ports.js';
import type { TestTrayApp } from '../testing/tray-app.js';
import { trayTestBed } from '../testing/tray-test-bed.js';
import { until } from '../testing/until.js';

/** Updates in the tray app, on the stand-in's electron-updater with the real core and tunnels. */
const bed = trayTestBed();

const launch = (platform: NodeJS.Platform): Promise<TestTrayApp> =>
  bed.launch({ platform, updater: true });

/** Version 9.0.0 on the feed, found by Check for Updates… and downloaded. */
async function downloadedUpdate(app: TestTrayApp): Promise<void> {
  app.updater!.available = '9.0.0';
  (await app.trayMenu()).click('Check for Updates…');
  await until(
    async () =>
      (await app.trayMenu()).labels.includes('Version 9.0.0 Installs When You Quit') || undefined,
    'the update to be downloaded',
  );
}

describe('updates', () => {
  it('"Check for Updates…" says when PG Tunnel is up to date', async () => {
    const app = await launch('darwin');
    expect(app.updater!.autoInstallOnAppQuit).toBe(false); // the shell installs, after sessions
    (await app.trayMenu()).click('Check for Updates…');
    await until(
      () => app.fake.notifications.find((n) => n.title === 'PG Tunnel is up to date'),
      'the answer',
    );
  });

  it('a downloaded update is installed when the user quits, once the sessions are closed', async () => {
    const app = await launch('win32');
    await downloadedUpdate(app);

    const profile = await app.run('addProfile', {
      name: 'Staging',
      apiKey: bed.apiKey,
      gatewayUrl: bed.gatewayUrl(),
    });
    const { port } = await app.run('startTunnel', profile.id);
    const client = new pg.Client({
      host: '127.0.0.1',
      port: port!,
      user: 'x',
      database: 'postgres',
    });
    client.on('error', () => undefined);
    await client.connect();
    await until(() => app.tray.tooltip.includes('1 session') || undefined, 'the session');
    let openAtInstall: Promise<boolean> | undefined;
    app.updater!.onInstall = () => (openAtInstall = portIsOpen(port!));

    app.fake.dialogs.answers.push('Cancel');
    (await app.trayMenu()).click('Quit PG Tunnel');
    await until(() => app.fake.dialogs.shown[0], 'the question');
    expect(app.updater!.installed).toBeUndefined();

    app.fake.dialogs.answers.push('Disconnect and Quit');
    (await app.trayMenu()).click('Quit PG Tunnel');
    await until(() => app.updater!.installed, 'the installer');
    expect(app.updater!.installed).toEqual({ isSilent: true, isForceRunAfter: false });
    expect(await openAtInstall).toBe(false);
    await expect(client.query('select 1')).rejects.toThrow();
    expect(app.fake.app.quitted).toBe(true);
  });

  it('Windows logoff exits without installing: there is no time for an installer', async () => {
    const app = await launch('win32');
    await downloadedUpdate(app);
    app.fake.systemShutsDown();
    await until(() => app.fake.app.exitCode, 'the app to exit');
    expect(app.updater!.installed).toBeUndefined();
  });

  it('a feed that cannot be reached says so when the user asked, with what to do', async () => {
    const app = await launch('darwin');
    app.updater!.failure = 'net::ERR_NAME_NOT_RESOLVED';
    (await app.trayMenu()).click('Check for Updates…');
    const notice = await until(
      () => app.fake.notifications.find((n) => n.title === 'PG Tunnel could not look for updates'),
      'the sentence',
    );
    expect(notice.body).toBe(
      'The update feed could not be reached (net::ERR_NAME_NOT_RESOLVED): check the connection and try again later.',
    );
  });
});
