import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Gateway } from '../gateway/index.js';
import { newApiKey } from '../testing/gateway.js';
import { keyFor, startInProcessGateway } from '../testing/in-process.js';
import { portIsOpen } from '../testing/ports.js';
import { launchTestTrayApp, type TestTrayApp } from '../testing/tray-app.js';
import { until } from '../testing/until.js';

/** Updates in the tray app, on the stand-in's electron-updater with the real core and tunnels. */
const postgres = inject('postgres');
const apiKey = newApiKey();
let gateway: Gateway;
let gatewayUrl: string;
let running: TestTrayApp | undefined;

beforeAll(async () => {
  ({ gateway, gatewayUrl } = await startInProcessGateway([keyFor(apiKey, postgres.url)]));
});

afterAll(async () => {
  await gateway?.close();
});

afterEach(async () => {
  if (running?.fake.app.exitCode === undefined && !running?.updater?.installed) {
    await running?.quit();
  }
  running = undefined;
});

async function launch(platform: NodeJS.Platform): Promise<TestTrayApp> {
  running = await launchTestTrayApp({ platform, updater: true });
  return running;
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
    app.updater!.available = '9.0.0';
    (await app.trayMenu()).click('Check for Updates…');
    await until(
      async () =>
        (await app.trayMenu()).labels.includes('Version 9.0.0 Installs When You Quit') || undefined,
      'the update to be downloaded',
    );

    const profile = await app.run('addProfile', { name: 'Staging', apiKey, gatewayUrl });
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
    app.updater!.available = '9.0.0';
    (await app.trayMenu()).click('Check for Updates…');
    await until(
      async () =>
        (await app.trayMenu()).labels.includes('Version 9.0.0 Installs When You Quit') || undefined,
      'the update to be downloaded',
    );
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
