import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Gateway } from '../gateway/index.js';
import { pastedDirectProfile } from '../testing/app-core.js';
import { newApiKey } from '../testing/gateway.js';
import { keyFor, startInProcessGateway } from '../testing/in-process.js';
import { newConfigDir } from '../testing/app-core.js';
import { launchTestTrayApp, testPageUrls, type TestTrayApp } from '../testing/tray-app.js';
import { until } from '../testing/until.js';
import { OPEN_EXTERNAL_CHANNEL } from './ipc-channels.js';
import { LOG_FILE, ShellLog } from './shell-log.js';

/** What users of a tray tunnel expect of it, on the stand-in for Electron with the real core. */
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
  if (running?.fake.app.exitCode === undefined) {
    await running?.quit();
  }
  running = undefined;
});

async function launch(platform: NodeJS.Platform): Promise<TestTrayApp> {
  running = await launchTestTrayApp({ platform });
  return running;
}

describe('"Open in…"', () => {
  it('the tray hands the tunnel’s postgres:// URL to the OS; the window may open Postgres URLs only', async () => {
    const app = await launch('darwin');
    const profile = await app.run('addProfile', { name: 'Staging', apiKey, gatewayUrl });
    const { port } = await app.run('startTunnel', profile.id);

    (await app.trayMenu()).click('Open in Your Postgres App');
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

describe('Start All and Stop All in the tray menu', () => {
  it('start every stopped tunnel, and stop every running one', async () => {
    const app = await launch('linux');
    const a = await app.run('addProfile', { name: 'A', apiKey, gatewayUrl });
    const b = await app.run('addProfile', { name: 'B', apiKey, gatewayUrl });
    const statuses = async () => {
      const { tunnels } = await app.run('getSnapshot');
      return [tunnels[a.id]?.status ?? 'stopped', tunnels[b.id]?.status ?? 'stopped'];
    };

    await until(
      async () => (await app.trayMenu()).labels.includes('Start All') || undefined,
      'the menu to list both',
    );
    (await app.trayMenu()).click('Start All');
    await until(
      async () => (await statuses()).every((s) => s === 'listening') || undefined,
      'both to listen',
    );
    (await app.trayMenu()).click('Stop All');
    await until(
      async () => (await statuses()).every((s) => s === 'stopped') || undefined,
      'both to stop',
    );
  });
});

describe('the log file', () => {
  it('records a session opening and closing, holds no key or password, and Reveal Logs shows it', async () => {
    const app = await launch('win32');
    const tunnel = await app.run('addProfile', { name: 'Staging', apiKey, gatewayUrl });
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
