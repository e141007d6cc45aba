import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTOSTART_FILE, autostartEntry, autostartEntryEnabled } from './autostart-linux.js';
import { loginCommand, loginItemReport, readStartAtLogin } from './login-items.js';

describe('what the system reports about start at login', () => {
  it('macOS 13+: only "enabled" starts; "requires-approval" is off, with where to allow it', () => {
    expect(loginItemReport('darwin', { openAtLogin: true, status: 'enabled' })).toEqual({
      enabled: true,
    });
    const waiting = loginItemReport('darwin', { openAtLogin: false, status: 'requires-approval' });
    expect(waiting.enabled).toBe(false);
    expect(waiting.problem).toMatch(/System Settings › General › Login Items/);
    expect(loginItemReport('darwin', { openAtLogin: false, status: 'not-registered' })).toEqual({
      enabled: false,
    });
    expect(loginItemReport('darwin', { openAtLogin: true })).toEqual({ enabled: true }); // macOS 12
  });

  it('Windows: an entry the user turned off among the startup apps is off, with the sentence', () => {
    expect(
      loginItemReport('win32', { openAtLogin: true, executableWillLaunchAtLogin: true }),
    ).toEqual({ enabled: true });
    const off = loginItemReport('win32', { openAtLogin: true, executableWillLaunchAtLogin: false });
    expect(off.enabled).toBe(false);
    expect(off.problem).toMatch(/Settings › Apps › Startup/);
    expect(
      loginItemReport('win32', { openAtLogin: false, executableWillLaunchAtLogin: false }),
    ).toEqual({ enabled: false });
  });

  it('Linux: the autostart entry, unless the desktop turned it off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autostart-'));
    const read = () =>
      readStartAtLogin({
        platform: 'linux',
        app: unusedApp,
        command: [],
        hidden: true,
        autostartDir: dir,
      });
    expect(await read()).toEqual({ enabled: false });
    await writeFile(join(dir, AUTOSTART_FILE), autostartEntry(['/usr/bin/pg-tunnel']));
    expect(await read()).toEqual({ enabled: true });
    await writeFile(
      join(dir, AUTOSTART_FILE),
      autostartEntry(['/usr/bin/pg-tunnel']).replace('enabled=true', 'enabled=false'),
    );
    expect(await read()).toEqual({ enabled: false });
  });

  it('an entry marked Hidden=true counts as deleted (XDG Autostart)', () => {
    expect(autostartEntryEnabled('[Desktop Entry]\nExec=x\n')).toBe(true);
    expect(autostartEntryEnabled('[Desktop Entry]\nExec=x\nHidden=true\n')).toBe(false);
    expect(autostartEntryEnabled('[Desktop Entry]\nX-GNOME-Autostart-enabled = false\n')).toBe(
      false,
    );
  });
});

describe('the command a login entry runs', () => {
  const facts = {
    appImage: undefined,
    execPath: '/opt/PG Tunnel/pg-tunnel',
    appPath: '/opt/PG Tunnel/resources/app.asar',
    isPackaged: true,
    argv: ['/opt/PG Tunnel/pg-tunnel'],
  };

  it('the AppImage file, not the executable inside its temporary mount', () => {
    expect(
      loginCommand({
        ...facts,
        appImage: '/home/me/Apps/PG-Tunnel.AppImage',
        execPath: '/tmp/.mount_PG-TunXYZ/pg-tunnel',
      }),
    ).toEqual(['/home/me/Apps/PG-Tunnel.AppImage']);
  });

  it('carries --no-sandbox over only when this run has it (an AppImage on Ubuntu 24.04+)', () => {
    expect(
      loginCommand({ ...facts, appImage: '/a.AppImage', argv: ['/a', '--no-sandbox'] }),
    ).toEqual(['/a.AppImage', '--no-sandbox']);
    expect(loginCommand(facts)).toEqual(['/opt/PG Tunnel/pg-tunnel']);
  });

  it('from the source tree: Electron with the app’s folder', () => {
    expect(
      loginCommand({ ...facts, isPackaged: false, execPath: '/e/electron', appPath: '/src' }),
    ).toEqual(['/e/electron', '/src']);
  });
});

const unusedApp = {
  getLoginItemSettings: () => {
    throw new Error('Linux has no login items');
  },
  setLoginItemSettings: () => {
    throw new Error('Linux has no login items');
  },
};
