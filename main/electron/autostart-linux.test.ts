import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AUTOSTART_FILE, setLinuxAutostart } from './autostart-linux.js';
import { applyStartAtLogin, type LoginItemApp } from './login-items.js';

const run = promisify(execFile);

describe('the Linux autostart entry', () => {
  it('passes Debian desktop-file-validate, even for a path with spaces and quotes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autostart-'));
    await setLinuxAutostart(true, ['/opt/PG Tunnel/pg "tunnel"', '--hidden'], dir);
    const file = join(dir, AUTOSTART_FILE);
    const { stdout, stderr } = await run('desktop-file-validate', [file]);
    expect(stdout + stderr).toBe('');
    expect(await readFile(file, 'utf8')).toContain(
      'Exec="/opt/PG Tunnel/pg \\\\"tunnel\\\\"" --hidden\n',
    );
  });

  it('is removed when start at login is turned off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autostart-'));
    await setLinuxAutostart(true, ['/usr/bin/pg-tunnel'], dir);
    await setLinuxAutostart(false, ['/usr/bin/pg-tunnel'], dir);
    expect(existsSync(join(dir, AUTOSTART_FILE))).toBe(false);
    await setLinuxAutostart(false, ['/usr/bin/pg-tunnel'], dir); // turning off twice is fine
  });
});

describe('start at login', () => {
  const recordingApp = () => {
    const calls: unknown[] = [];
    const app: LoginItemApp = {
      setLoginItemSettings: (settings) => calls.push(settings),
      getLoginItemSettings: () => ({ openAtLogin: false }),
    };
    return { app, calls };
  };

  it('macOS: a login item opened hidden', async () => {
    const { app, calls } = recordingApp();
    await applyStartAtLogin(true, {
      platform: 'darwin',
      app,
      command: ['/Applications/PG Tunnel.app'],
      hidden: true,
    });
    expect(calls).toEqual([{ openAtLogin: true, openAsHidden: true }]);
  });

  it('Windows: a login item with the --hidden flag, removed when off', async () => {
    const { app, calls } = recordingApp();
    await applyStartAtLogin(true, {
      platform: 'win32',
      app,
      command: ['C:\\PG Tunnel.exe'],
      hidden: true,
    });
    await applyStartAtLogin(false, {
      platform: 'win32',
      app,
      command: ['C:\\PG Tunnel.exe'],
      hidden: false,
    });
    expect(calls).toEqual([
      { openAtLogin: true, args: ['--hidden'] },
      { openAtLogin: false, args: [] },
    ]);
  });

  it('Linux: the autostart entry, with --hidden when asked; login items are not touched', async () => {
    const { app, calls } = recordingApp();
    const dir = await mkdtemp(join(tmpdir(), 'autostart-'));
    await applyStartAtLogin(true, {
      platform: 'linux',
      app,
      command: ['/tmp/PG.AppImage'],
      hidden: true,
      autostartDir: dir,
    });
    expect(await readFile(join(dir, AUTOSTART_FILE), 'utf8')).toContain(
      'Exec=/tmp/PG.AppImage --hidden\n',
    );
    expect(calls).toEqual([]);
  });
});
