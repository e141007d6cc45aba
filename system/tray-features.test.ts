import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { pastedDirectProfile } from '../main/testing/app-core.js';
import { newConfigDir } from '../main/testing/app-core.js';
import { testPageUrls, type TestTrayApp } from '../main/testing/tray-app.js';
import { trayTestBed } from '../main/testing/tray-test-bed.js';
import { until } from '../main/testing/until.js';
import { OPEN_EXTERNAL_CHANNEL } from '../main/electron/ipc-channels.js';
import { psqlTerminalCommand } from '../main/electron/psql-terminal.js';
import { LOG_FILE, ShellLog } from '../main/electron/shell-log.js';

/** What users of a tray tunnel expect of it, on the stand-in for Electron with the real core. */
const postgres = inject('postgres');
const bed = trayTestBed();
const { apiKey } = bed;

/** Clicks the tray menu's `label` once the menu has it (the menu follows snapshots). */
async function clickTrayItem(app: TestTrayApp, label: string): Promise<void> {
  await until(
    () => app.fake.menus.at(-1)?.item(label)?.enabled === true || undefined,
    `the tray menu to offer "${label}"`,
  );
  (await app.trayMenu()).click(label);
}

const launch = (platform: NodeJS.Platform, env = process.env): Promise<TestTrayApp> =>
  bed.launch({ platform, env });

describe('"Open in…"', () => {
  it('the tray hands the tunnel’s postgres:// URL to the OS; the window may open Postgres URLs only', async () => {
    const app = await launch('darwin');
    const profile = await app.run('addProfile', {
      name: 'Staging',
      apiKey,
      gatewayUrl: bed.gatewayUrl(),
    });
    const { port } = await app.run('startTunnel', profile.id);

    await clickTrayItem(app, 'Open in Your Postgres App');
    const url = await until(() => app.fake.opened.external[0], 'the URL handed to the OS');
    expect(url).toMatch(new RegExp(`^postgresql://[^@]+@127\\.0\\.0\\.1:${port}/`));

    const frame = testPageUrls('darwin').frame;
    expect(await app.fake.ipc.invoke(OPEN_EXTERNAL_CHANNEL, frame, url)).toEqual({
      ok: true,
      result: undefined,
    });
    expect(await app.fake.ipc.invoke(OPEN_EXTERNAL_CHANNEL, frame, 'file:///etc/passwd')).toEqual({
      ok: false,
      error: { message: 'Only postgres:// and postgresql:// URLs are opened.' },
    });
    expect(
      await app.fake.ipc.invoke(OPEN_EXTERNAL_CHANNEL, 'https://evil.example/', url),
    ).toMatchObject({ ok: false });
    expect(app.fake.opened.external).toEqual([url, url]);
  });
});

describe('"Open psql in a Terminal"', () => {
  it("Linux: the desktop's terminal runs psql on the tunnel's URL", async () => {
    // A terminal that writes down what it was asked to run, first on PATH.
    const bin = await mkdtemp(join(tmpdir(), 'terminal-'));
    const record = join(bin, 'ran.txt');
    await writeFile(
      join(bin, 'x-terminal-emulator'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`,
    );
    await chmod(join(bin, 'x-terminal-emulator'), 0o755);
    const app = await launch('linux', { ...process.env, PATH: `${bin}:${process.env['PATH']}` });
    const profile = await app.run('addProfile', {
      name: 'Staging',
      apiKey,
      gatewayUrl: bed.gatewayUrl(),
    });
    const { port } = await app.run('startTunnel', profile.id);

    await clickTrayItem(app, 'Open psql in a Terminal');
    const ran = await until(() => readFile(record, 'utf8').catch(() => undefined), 'the terminal');
    expect(ran.split('\n')).toEqual([
      '-e',
      'psql',
      expect.stringMatching(new RegExp(`^postgresql://[^@]+@127\\.0\\.0\\.1:${port}/`)),
      '',
    ]);
  });

  it('macOS Terminal and a Windows console; no terminal or an odd URL is a sentence', () => {
    const url = 'postgresql://me@127.0.0.1:5433/app?sslmode=disable&application_name=x';
    expect(psqlTerminalCommand('darwin', url, () => false).args[1]).toBe(
      `tell application "Terminal" to do script "psql '${url}'"`,
    );
    expect(psqlTerminalCommand('win32', url, () => false)).toMatchObject({
      program: 'cmd.exe',
      args: ['/d', '/c', 'start', '""', 'cmd.exe', '/k', 'psql', `"${url}"`],
    });
    expect(() => psqlTerminalCommand('linux', url, () => false)).toThrow(
      /^No terminal program was found \(x-terminal-emulator, gnome-terminal/,
    );
    expect(() => psqlTerminalCommand('darwin', `${url}"; rm -rf ~"`, () => true)).toThrow(
      'Only a plain postgres:// URL can be opened in psql.',
    );
  });
});

describe('Start All and Stop All in the tray menu', () => {
  it('start every stopped tunnel, and stop every running one', async () => {
    const app = await launch('linux');
    const a = await app.run('addProfile', { name: 'A', apiKey, gatewayUrl: bed.gatewayUrl() });
    const b = await app.run('addProfile', { name: 'B', apiKey, gatewayUrl: bed.gatewayUrl() });
    const statuses = async () => {
      const { tunnels } = await app.run('getSnapshot');
      return [tunnels[a.id]?.status ?? 'stopped', tunnels[b.id]?.status ?? 'stopped'];
    };

    await clickTrayItem(app, 'Start All');
    await until(
      async () => (await statuses()).every((s) => s === 'listening') || undefined,
      'both to listen',
    );
    await clickTrayItem(app, 'Stop All');
    await until(
      async () => (await statuses()).every((s) => s === 'stopped') || undefined,
      'both to stop',
    );
  });
});

describe('the log file', () => {
  it('records a session opening and closing, holds no key or password, and Reveal Logs shows it', async () => {
    const app = await launch('win32');
    const tunnel = await app.run('addProfile', {
      name: 'Staging',
      apiKey,
      gatewayUrl: bed.gatewayUrl(),
    });
    const direct = await app.run('addProfile', pastedDirectProfile('Shop', postgres.url));
    for (const id of [tunnel.id, direct.id]) {
      const { port } = await app.run('startTunnel', id);
      const client = new pg.Client({
        host: '127.0.0.1',
        port: port!,
        user: 'x',
        database: 'postgres',
      });
      await client.connect();
      await client.query('select 1');
      await client.end();
    }
    const log = join(app.configDir, 'logs', LOG_FILE);
    await until(
      async () =>
        /Shop: Session \S+ closed/.test(await readFile(log, 'utf8').catch(() => '')) || undefined,
      'the session to be logged',
    );
    const text = await readFile(log, 'utf8');
    expect(text).toMatch(/Staging: Session \S+ opened from/);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(postgres.password);

    (await app.trayMenu()).click('Reveal Logs');
    expect(app.fake.opened.revealed).toEqual([log]);
  });

  it('rotates past its size, keeping three older files', async () => {
    const dir = join(await newConfigDir(), 'logs');
    const log = new ShellLog(dir, 200);
    for (let i = 0; i < 40; i++) {
      log.info(`line ${i} ${'x'.repeat(40)}`);
    }
    expect((await readdir(dir)).sort()).toEqual([
      'pg-tunnel.1.log',
      'pg-tunnel.2.log',
      'pg-tunnel.3.log',
      'pg-tunnel.log',
    ]);
    expect(await readFile(join(dir, LOG_FILE), 'utf8')).toContain('line 39');
  });
});
