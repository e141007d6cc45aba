import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import {
  newConfigDir,
  pastedDirectProfile,
  saveProfiles,
  savedProfile,
} from '../testing/app-core.js';
import { run } from '../testing/child-process.js';
import { portIsOpen } from '../testing/ports.js';
import { psql } from '../testing/psql.js';
import type { TestTrayApp } from '../testing/tray-app.js';
import { trayTestBed } from '../testing/tray-test-bed.js';
import { until } from '../testing/until.js';
import { APP_USER_MODEL_ID } from './app-id.js';
import { eventChannel } from './ipc-channels.js';

/**
 * The tray app's start-up and desktop behaviour: the real shell and core, on the recording
 * stand-in for Electron (main/testing/fake-electron.ts), which plays each platform's documented
 * behaviour and the user's clicks.
 */
const postgres = inject('postgres');
const bed = trayTestBed();
const { apiKey, launch } = bed;

/** A tunnel added and started through the window's commands; resolves with its port. */
async function startedTunnel(app: TestTrayApp, name = 'Staging'): Promise<number> {
  const profile = await app.run('addProfile', { name, apiKey, gatewayUrl: bed.gatewayUrl() });
  const state = await app.run('startTunnel', profile.id);
  expect(state.status).toBe('listening');
  return state.port!;
}

describe('a core that cannot start', () => {
  it('leaves the tray and the window up with its sentence and Retry; Retry starts it once fixed', async () => {
    const configDir = await newConfigDir();
    const profilesFile = join(configDir, 'profiles.json');
    await writeFile(profilesFile, '{"profiles": [');
    // Launched hidden (the login item's flag): the window shows anyway, since it has news.
    const app = await launch({ platform: 'darwin', argv: ['--hidden'], configDir });

    await until(() => app.window.visible || undefined, 'the window to show');
    const reply = await app.call('getSnapshot');
    expect(reply).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(/^The profiles file .*profiles\.json is not valid JSON/),
      },
    });
    expect(app.fake.notifications).toEqual([
      { title: 'PG Tunnel could not start', body: expect.stringContaining('not valid JSON') },
    ]);
    expect((await app.trayMenu()).labels).toEqual([
      'PG Tunnel could not start',
      'Retry',
      '---',
      'Open PG Tunnel',
      'Reveal Logs',
      '---',
      'Quit PG Tunnel',
    ]);

    // The window's Retry asks again; still broken, the same sentence, and the file is untouched.
    expect(await app.call('getSnapshot')).toMatchObject({ ok: false });
    expect(await readFile(profilesFile, 'utf8')).toBe('{"profiles": [');

    // Fixed by hand, then the tray's Retry: the core runs, and the window gets its snapshot.
    await writeFile(profilesFile, '{"profiles": []}');
    (await app.trayMenu()).click('Retry');
    await until(() => app.shell.start.current.phase === 'running' || undefined, 'the core');
    expect(await app.run('getSnapshot')).toMatchObject({ profiles: [] });
    expect((await app.trayMenu()).labels[0]).toBe('No tunnels yet');
  });

  it('a second launch shows the window and tries again', async () => {
    const configDir = await newConfigDir();
    await writeFile(join(configDir, 'profiles.json'), 'not json');
    const app = await launch({ platform: 'win32', configDir });
    await until(() => app.window.visible || undefined, 'the window to show');
    app.window.hide();
    await writeFile(join(configDir, 'profiles.json'), '{}');

    app.fake.app.emit('second-instance');
    expect(app.window.visible).toBe(true);
    await until(() => app.shell.start.current.phase === 'running' || undefined, 'the core');
  });
});

describe('closing the window', () => {
  it('hides it; tunnels keep serving clients; only Quit quits, and stops them', async () => {
    const app = await launch({ platform: 'win32' });
    const port = await startedTunnel(app);
    await until(() => app.window.visible || undefined, 'the first-run window');

    const close = app.window.userClose(); // Alt+F4
    expect(close.defaultPrevented).toBe(true);
    expect(app.window.visible).toBe(false);
    app.fake.app.allWindowsClosed(); // were the window gone: Electron's default would quit
    expect(app.fake.app.quitted).toBe(false);
    expect(app.fake.app.exitCode).toBeUndefined();

    const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'postgres' });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();

    await app.quit();
    expect(app.fake.app.exitCode).toBe(0);
    expect(await portIsOpen(port)).toBe(false);
  });
});

describe('the tray icon', () => {
  it('macOS: a left click toggles the window, a right click pops the menu up; no context menu is set', async () => {
    const app = await launch({ platform: 'darwin' });
    await until(() => app.window.visible || undefined, 'the first-run window');

    app.tray.userLeftClick();
    expect(app.window.visible).toBe(false);
    app.tray.userLeftClick();
    expect(app.window.visible).toBe(true);
    expect(app.tray.shownMenus).toEqual([]);

    expect((await app.trayMenu()).labels).toContain('Quit PG Tunnel');
    expect(app.tray.calls.setContextMenu).toBe(0);
    expect(app.window.visible).toBe(true);
  });

  it('macOS: the window opens on the current Space, over full-screen apps too', async () => {
    const app = await launch({ platform: 'darwin' });
    expect(app.window.allWorkspaces).toEqual([
      { visible: true, options: { visibleOnFullScreen: true } },
    ]);
  });

  it('the popover hides when it loses focus; the click on the icon that caused it does not reopen it', async () => {
    const app = await launch({ platform: 'win32' });
    await until(() => app.window.visible || undefined, 'the first-run window');
    app.window.userBlur();
    expect(app.window.visible).toBe(false);
    app.tray.userLeftClick(); // the same click, arriving just after the blur
    expect(app.window.visible).toBe(false);
  });

  it('Linux: the menu is the context menu (the only menu an AppIndicator icon has); activate toggles the window', async () => {
    const app = await launch({ platform: 'linux' });
    expect(app.tray.calls.setContextMenu).toBeGreaterThan(0);
    await until(() => app.window.visible || undefined, 'the first-run window');
    app.tray.userLeftClick();
    expect(app.window.visible).toBe(false);
    app.tray.userLeftClick();
    expect(app.window.visible).toBe(true);
    expect((await app.trayMenu()).labels).toContain('Quit PG Tunnel');
  });

  it('menu, icon and tooltip are set again only when what they show changes, not for byte counts', async () => {
    const app = await launch({ platform: 'linux' });
    const port = await startedTunnel(app);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'postgres' });
    await client.connect();
    try {
      await until(() => app.tray.tooltip.includes('1 session') || undefined, 'the session');
      const snapshots = () =>
        app.window.webContents.sent.filter((m) => m.channel === eventChannel('snapshot')).length;
      const before = { ...app.tray.calls, menus: app.fake.menus.length, snapshots: snapshots() };

      // Traffic: the core sends a snapshot with new byte counts every second.
      for (let i = 0; snapshots() < before.snapshots + 3; i++) {
        await client.query('SELECT repeat($1, 10000)', [String(i)]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect({ ...app.tray.calls, menus: app.fake.menus.length }).toEqual({
        setImage: before.setImage,
        setToolTip: before.setToolTip,
        setContextMenu: before.setContextMenu,
        menus: before.menus,
      });
    } finally {
      await client.end();
    }
    // What the tooltip shows does change when the session ends; the menu still does not.
    const menus = app.fake.menus.length;
    await until(() => app.tray.tooltip.includes('0 sessions') || undefined, 'the session to end');
    expect(app.fake.menus.length).toBe(menus);
  }, 60_000);
});

describe('Windows', () => {
  it('sets the installer’s AppUserModelID before any notification, so toasts show under it', async () => {
    const app = await launch({ platform: 'win32' });
    expect(app.fake.app.appUserModelId).toBe(APP_USER_MODEL_ID);
    expect(app.fake.app.notificationsBeforeUserModelId).toBe(0);
  });
});

describe('a desktop without a tray (GNOME without the AppIndicator extension)', () => {
  it('shows the window at launch even when started hidden, as an ordinary window with Quit in its menu', async () => {
    // This test's session bus has no StatusNotifierWatcher, like GNOME Shell without the extension.
    const configDir = await newConfigDir();
    await saveProfiles(configDir, [savedProfile('p', { kind: 'tunnel', name: 'Staging' })]);
    const app = await launch({ platform: 'linux', argv: ['--hidden'], configDir });
    await until(() => app.window.visible || undefined, 'the window to show');
    expect(app.window.options.frame).not.toBe(false);
    expect(app.fake.menus.find((menu) => menu === app.window.menu)?.labels()).toEqual([
      'PG Tunnel',
    ]);
  });

  it('on macOS the same launch stays hidden: the menu bar always has the icon', async () => {
    const configDir = await newConfigDir();
    await saveProfiles(configDir, [savedProfile('p', { kind: 'tunnel', name: 'Staging' })]);
    const app = await launch({ platform: 'darwin', argv: ['--hidden'], configDir });
    await new Promise((resolve) => setTimeout(resolve, 50)); // past ready-to-show
    expect(app.window.visible).toBe(false);
  });
});

describe('start at login', () => {
  it('macOS 13+: a login item waiting for approval leaves the switch off and says where to allow it; once allowed, the switch follows', async () => {
    const app = await launch({ platform: 'darwin' });
    app.fake.app.loginSystem.needsApproval = true;
    expect(await app.call('updateSettings', { startAtLogin: true })).toEqual({
      ok: false,
      error: { message: expect.stringContaining('System Settings › General › Login Items') },
    });
    expect((await app.run('getSnapshot')).settings.startAtLogin).toBe(false);

    app.fake.app.loginSystem.needsApproval = false; // the user allows it in System Settings
    app.window.hide();
    app.tray.userLeftClick(); // and opens the window
    await until(
      async () => (await app.run('getSnapshot')).settings.startAtLogin || undefined,
      'the switch to turn on',
    );
  });

  it('Windows: an entry the user turned off among the startup apps shows as off, with the sentence', async () => {
    const app = await launch({ platform: 'win32' });
    app.fake.app.loginSystem.turnedOffByUser = true;
    expect(await app.call('updateSettings', { startAtLogin: true })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Settings › Apps › Startup') },
    });
    expect((await app.run('getSnapshot')).settings.startAtLogin).toBe(false);
  });

  it('Linux: the autostart entry launches this copy, with the flags it was started with', async () => {
    const app = await launch({
      platform: 'linux',
      argv: ['--no-sandbox'],
      env: { ...process.env, APPIMAGE: '/home/me/Apps/PG Tunnel.AppImage' },
    });
    expect(await app.run('updateSettings', { startAtLogin: true })).toMatchObject({
      startAtLogin: true,
    });
    const entry = await readFile(join(app.autostartDir, 'pg-tunnel.desktop'), 'utf8');
    expect(entry).toContain('Exec="/home/me/Apps/PG Tunnel.AppImage" --no-sandbox --hidden\n');
  });
});

describe('a direct profile', () => {
  it('a refused password notifies as such; once the password is edited, the URL the tray copies works in psql', async () => {
    const app = await launch({ platform: 'win32' });
    const url = (password: string): string =>
      `postgres://${postgres.user}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/${postgres.database}?sslmode=disable`;
    const profile = await app.run('addProfile', pastedDirectProfile('Shop', url('not-it')));
    const { port } = await app.run('startTunnel', profile.id);

    const refused = await psql('127.0.0.1', port!, ['-c', 'select 1']);
    expect(refused.stderr).toContain('HINT:  Edit the password of “Shop” in PG Tunnel.');
    await until(() => app.fake.notifications.length > 0 || undefined, 'a notification');
    expect(app.fake.notifications).toEqual([
      {
        title: 'Shop: the password was rejected',
        body: expect.stringMatching(/^PG Tunnel could not log in to “Shop” \(127\.0\.0\.1:\d+\)/),
      },
    ]);

    // The window's fix: the password edited alone; the tunnel restarts on its port.
    await app.run('updateProfile', profile.id, { name: 'Shop', password: postgres.password });
    (await app.trayMenu()).click('Copy connection URL');
    const copied = await until(() => app.fake.clipboard.text || undefined, 'the copied URL');
    // The profile's own role and database, no password: the tunnel logs in.
    expect(copied).toBe(
      `postgresql://${postgres.user}@127.0.0.1:${port}/${postgres.database}?sslmode=disable`,
    );
    const result = await run('psql', [copied, '-X', '-A', '-t', '-c', 'select current_user'], {
      PGPASSWORD: undefined,
      PGSSLMODE: undefined,
    });
    expect(result.stdout.trim(), result.stderr).toBe(postgres.user);
  }, 60_000);
});
