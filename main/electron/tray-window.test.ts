import { describe, expect, it } from 'vitest';
import { isAppPage, trayWindowOptions } from './tray-window.js';

describe('isAppPage', () => {
  it('Windows: the same file whatever the drive letter’s case, the encoding of spaces or the fragment', () => {
    const app =
      'file:///C:/Program%20Files/PG%20Tunnel/resources/app.asar/dist/renderer/index.html';
    for (const frame of [
      app,
      'file:///c:/Program%20Files/PG%20Tunnel/resources/app.asar/dist/renderer/index.html',
      'file:///C:/Program Files/PG Tunnel/resources/app.asar/dist/renderer/index.html#/tunnels',
      'file:///C:/program%20files/pg%20tunnel/resources/app.asar/dist/renderer/INDEX.html',
    ]) {
      expect(isAppPage(frame, app, 'win32'), frame).toBe(true);
    }
    expect(
      isAppPage(
        'file:///D:/Program%20Files/PG%20Tunnel/resources/app.asar/dist/renderer/index.html',
        app,
        'win32',
      ),
    ).toBe(false);
  });

  it('macOS and Linux: spaces and other characters however encoded; paths are case-sensitive', () => {
    const app =
      'file:///Applications/PG%20Tunnel.app/Contents/Resources/app.asar/dist/renderer/index.html';
    expect(isAppPage(app.replace(/%20/g, ' '), app, 'darwin')).toBe(true);
    expect(isAppPage(`${app}#/settings`, app, 'darwin')).toBe(true);
    expect(
      isAppPage(
        "file:///home/o'brien/x/index.html",
        'file:///home/o%27brien/x/index.html',
        'linux',
      ),
    ).toBe(true);
    expect(isAppPage(app.replace('PG%20Tunnel', 'pg%20tunnel'), app, 'darwin')).toBe(false);
  });

  it('refuses anything else: other files, other schemes, network hosts, junk', () => {
    const app = 'file:///opt/pg-tunnel/dist/renderer/index.html';
    for (const frame of [
      'file:///opt/pg-tunnel/dist/renderer/other.html',
      'https://evil.example/',
      'file://evil.example/opt/pg-tunnel/dist/renderer/index.html',
      '',
      'not a url',
    ]) {
      expect(isAppPage(frame, app, 'linux'), frame).toBe(false);
    }
  });
});

describe('the window options', () => {
  it('a popover is frameless and out of the taskbar; a framed window has both; both are locked down', () => {
    const popover = trayWindowOptions('/p.cjs', 'popover');
    const framed = trayWindowOptions('/p.cjs', 'framed');
    expect(popover).toMatchObject({ frame: false, skipTaskbar: true, show: false });
    expect(framed.frame).not.toBe(false);
    expect(framed.skipTaskbar).not.toBe(true);
    for (const options of [popover, framed]) {
      expect(options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      });
    }
  });
});
