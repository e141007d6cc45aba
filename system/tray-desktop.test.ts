import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { newApiKey } from '../main/testing/gateway.js';
import { closeListenerOn, portIsOpen } from '../main/testing/ports.js';
import type { TestTrayApp } from '../main/testing/tray-app.js';
import { trayTestBed } from '../main/testing/tray-test-bed.js';
import { until } from '../main/testing/until.js';
import { NOTICE_CHANNEL, SHOW_PROFILE_CHANNEL } from '../main/electron/ipc-channels.js';

/**
 * What desktop users meet beyond the happy path: the platform behaviours the stand-in for
 * Electron plays from their public reports (main/testing/fake-electron.ts cites each), with the
 * real shell, core, gateway and Postgres.
 */
const bed = trayTestBed();
const { apiKey, launch } = bed;
const clients: pg.Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
});

/** A tunnel added and started through the window's commands. */
async function startedTunnel(app: TestTrayApp, name = 'Staging', key = apiKey) {
  const profile = await app.run('addProfile', { name, apiKey: key, gatewayUrl: bed.gatewayUrl() });
  const state = await app.run('startTunnel', profile.id);
  return { profile, port: state.port! };
}

/** A node-postgres session through the tunnel on `port`, ended after the test. */
async function sessionThrough(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'postgres' });
  client.on('error', () => undefined); // a session the test ends by quitting
  await client.connect();
  clients.push(client);
  return client;
}

/** A key the gateway rejects: the first session through it makes the tunnel's problem. */
async function rejectedKeyTunnel(app: TestTrayApp) {
  const { profile, port } = await startedTunnel(app, 'Shop', newApiKey());
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'postgres' });
  await client.connect().catch(() => undefined);
  return profile;
}

describe('start at login on an unsigned macOS build (electron/electron#45672)', () => {
  it('the switch stays off with a sentence saying why and what to do', async () => {
    const app = await launch({ platform: 'darwin' });
    app.fake.app.loginSystem.unsigned = true;
    expect(await app.call('updateSettings', { startAtLogin: true })).toEqual({
      ok: false,
      error: {
        message: expect.stringMatching(
          /signed with a Developer ID and notarized: install a signed build, or add PG Tunnel yourself with \+ in System Settings › General › Login Items/,
        ),
      },
    });
    expect((await app.run('getSnapshot')).settings.startAtLogin).toBe(false);
  });
});

describe('notifications', () => {
  it('a click, however late, opens the window at the profile it is about (electron/electron#16922)', async () => {
    const app = await launch({ platform: 'win32' });
    const profile = await rejectedKeyTunnel(app);
    await until(() => app.fake.notifications[0], 'the notification');
    expect(app.fake.notifications[0]!.title).toBe('Shop: the key was rejected');
    app.window.hide();

    expect(await app.fake.clickNotification(0)).toBe(true);
    expect(app.window.visible).toBe(true);
    expect(app.window.webContents.sent).toContainEqual({
      channel: SHOW_PROFILE_CHANNEL,
      args: [profile.id],
    });
  });

  it('where none can be shown, the tray menu’s first line and the window’s notice bar say it', async () => {
    const app = await launch({ platform: 'win32', electron: { notificationsSupported: false } });
    const profile = await rejectedKeyTunnel(app);
    await until(
      async () => (await app.trayMenu()).labels[0] === '⚠ Shop: the key was rejected' || undefined,
      'the notice in the tray menu',
    );
    expect(app.fake.notifications).toEqual([]);
    expect(app.window.webContents.sent).toContainEqual({
      channel: NOTICE_CHANNEL,
      args: [expect.stringMatching(/^Shop: the key was rejected: /)],
    });
    app.window.hide();
    (await app.trayMenu()).click('⚠ Shop: the key was rejected');
    expect(app.window.visible).toBe(true);
    expect(app.window.webContents.sent).toContainEqual({
      channel: SHOW_PROFILE_CHANNEL,
      args: [profile.id],
    });
    // Seen: the line goes.
    await until(
      async () => (await app.trayMenu()).labels[0] !== '⚠ Shop: the key was rejected' || undefined,
      'the notice to go',
    );
  });

  it('Linux without a notification server (signalapp/Signal-Desktop#6314): none is sent into the void', async () => {
    // This test's session bus, like a bare window manager's, has no notification server.
    const app = await launch({ platform: 'linux' });
    await rejectedKeyTunnel(app);
    await until(
      async () => (await app.trayMenu()).labels[0] === '⚠ Shop: the key was rejected' || undefined,
      'the notice in the tray menu',
    );
    expect(app.fake.lostNotifications).toEqual([]);
  });
});

describe('quit with sessions open', () => {
  it('asks; Cancel keeps them; "Disconnect and Quit" ends them and exits', async () => {
    const app = await launch({ platform: 'win32' });
    const { port } = await startedTunnel(app);
    const first = await sessionThrough(port);
    await sessionThrough(port);
    await until(() => app.tray.tooltip.includes('2 sessions') || undefined, 'both sessions');

    app.fake.dialogs.answers.push('Cancel');
    (await app.trayMenu()).click('Quit PG Tunnel');
    await until(() => app.fake.dialogs.shown[0], 'the question');
    expect(app.fake.dialogs.shown[0]).toMatchObject({
      message: '2 sessions are open through Staging.',
      buttons: ['Quit When They End', 'Disconnect and Quit', 'Cancel'],
      cancelId: 2,
    });
    expect((await first.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect(app.fake.app.exitCode).toBeUndefined();

    app.fake.dialogs.answers.push('Disconnect and Quit');
    (await app.trayMenu()).click('Quit PG Tunnel');
    await until(() => app.fake.app.exitCode, 'the app to exit');
    await expect(first.query('select 1')).rejects.toThrow();
    expect(await portIsOpen(port)).toBe(false);
  });

  it('"Quit When They End" takes no new connection and exits once the last session ends', async () => {
    const app = await launch({ platform: 'darwin' });
    const { port } = await startedTunnel(app);
    const session = await sessionThrough(port);
    await until(() => app.tray.tooltip.includes('1 session') || undefined, 'the session');

    app.fake.dialogs.answers.push('Quit When They End');
    (await app.trayMenu()).click('Quit PG Tunnel');
    await until(async () => !(await portIsOpen(port)) || undefined, 'the listener to close');
    expect((await session.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
    expect(app.fake.app.exitCode).toBeUndefined();

    await session.end();
    await until(() => app.fake.app.exitCode, 'the app to exit');
  });

  it('Windows logoff ends sessions and exits without asking, though before-quit never comes (electron/electron#9613)', async () => {
    const app = await launch({ platform: 'win32' });
    const { port } = await startedTunnel(app);
    const session = await sessionThrough(port);
    app.fake.systemShutsDown();
    await until(() => app.fake.app.exitCode, 'the app to exit');
    expect(app.fake.dialogs.shown).toEqual([]);
    await expect(session.query('select 1')).rejects.toThrow();
    expect(await portIsOpen(port)).toBe(false);
  });

  it('macOS and Linux shutdown: the shutdown waits while the app ends its sessions and exits', async () => {
    const app = await launch({ platform: 'linux' });
    const { port } = await startedTunnel(app);
    await sessionThrough(port);
    expect(app.fake.systemShutsDown().defaultPrevented).toBe(true);
    await until(() => app.fake.app.exitCode, 'the app to exit');
    expect(await portIsOpen(port)).toBe(false);
  });
});

describe('Windows double-click on the tray icon (Electron.NET#343)', () => {
  it('ends with the window open', async () => {
    const app = await launch({ platform: 'win32' });
    await until(() => app.window.visible || undefined, 'the first-run window');
    app.window.hide();
    app.tray.userDoubleClick();
    expect(app.window.visible).toBe(true);
  });
});

describe('sleep without a resume event, and network changes (electron/electron#42050, #24244)', () => {
  it('a tunnel whose listener the OS closed is back on its port without powerMonitor resume', async () => {
    const app = await launch({ platform: 'linux', shell: { livenessIntervalMs: 200 } });
    const { port } = await startedTunnel(app);
    await closeListenerOn(port);
    await until(() => portIsOpen(port).then((open) => open || undefined), 'the listener');
    expect(app.fake.powerMonitor.listenerCount('resume')).toBe(1); // never emitted here
  });

  it("a changed network replaces the tunnel's warm sockets", async () => {
    let addresses = '192.168.1.20';
    const app = await launch({
      platform: 'win32',
      shell: { livenessIntervalMs: 200, machineAddresses: () => addresses },
    });
    await startedTunnel(app);
    await until(() => bed.gateway().stats.warmSocketsOpen >= 1 || undefined, 'a warm socket');
    const opened = bed.gateway().stats.warmSocketsTotal;
    addresses = '10.8.0.2'; // another Wi-Fi
    await until(
      () => bed.gateway().stats.warmSocketsTotal > opened || undefined,
      'a new warm socket',
    );
  });
});

describe('the keychain’s size', () => {
  it('Windows: a key longer than Credential Manager holds is refused with a sentence, before saving', async () => {
    const app = await launch({ platform: 'win32' });
    const reply = await app.call('addProfile', {
      name: 'Long',
      apiKey: 'k'.repeat(1300),
      gatewayUrl: bed.gatewayUrl(),
    });
    expect(reply).toEqual({
      ok: false,
      error: {
        field: 'apiKey',
        message:
          'The API key is 1,300 characters long, and Windows Credential Manager holds at most 1,280: use a shorter one (ask whoever issued it).',
      },
    });
    expect((await app.run('getSnapshot')).profiles).toEqual([]);
  });
});
