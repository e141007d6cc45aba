import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_LOCAL_TLS, type Profile } from '../../shared/profile.js';
import type { TunnelState } from '../../shared/tunnel-state.js';
import {
  createTestCore,
  newConfigDir,
  savedProfile,
  saveProfiles,
  type TestCore,
} from '../testing/app-core.js';
import { start } from '../testing/child-process.js';
import { filesUnder } from '../testing/files.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { privateKeyMaterialIn } from '../testing/key-material.js';
import { closeListenerOn, freePort, portIsOpen } from '../testing/ports.js';
import { psql } from '../testing/psql.js';
import { RawClient } from '../testing/raw-client.js';
import { until } from '../testing/until.js';

const postgres = inject('postgres');
let gateway: RunningGateway;
let test: TestCore;

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres);
  test = await createTestCore();
});

afterAll(async () => {
  await test?.core.dispose();
  await gateway?.process.stop();
});

describe('profiles and keys', () => {
  it('a pasted DATABASE_URL: the key goes to the keychain, and nowhere in the config directory or the snapshot', async () => {
    const { core, secrets, configDir } = test;
    const key = gateway.keys.valid;
    const profile = await core.commands.addProfile({
      name: 'Staging',
      gatewayUrl: gateway.wsUrl,
      apiKey: `prisma+postgres://accelerate.prisma-data.net/?api_key=${key}`,
    });
    expect(await secrets.get(profile.id)).toBe(key);
    expect(profile.secretMask).toBe(`••••${key.slice(-4)}`);
    const files = await filesUnder(configDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file.content.includes(Buffer.from(key)), file.path).toBe(false);
    }
    expect(JSON.stringify(await core.commands.getSnapshot())).not.toContain(key);
    await core.commands.deleteProfile(profile.id);
  });

  it('bad input is refused with a sentence naming the field, and nothing is saved', async () => {
    const { core } = test;
    const before = (await core.commands.getSnapshot()).profiles.length;
    await expect(
      core.commands.addProfile({ name: 'x', apiKey: 'prisma+postgres://host/?nokey=1' }),
    ).rejects.toMatchObject({
      field: 'apiKey',
      message: expect.stringContaining('has no api_key parameter'),
    });
    await expect(
      core.commands.addProfile({ name: ' ', apiKey: gateway.keys.valid }),
    ).rejects.toMatchObject({ field: 'name' });
    await expect(
      core.commands.addProfile({
        name: 'p',
        apiKey: gateway.keys.valid,
        portMode: 'fixed',
        port: 70000,
      }),
    ).rejects.toMatchObject({ field: 'port' });
    expect((await core.commands.getSnapshot()).profiles).toHaveLength(before);
  });

  it('duplicate copies the key under a new id; delete removes the key from the keychain', async () => {
    const { core, secrets } = test;
    const original = await core.commands.addProfile({
      name: 'Orig',
      gatewayUrl: gateway.wsUrl,
      apiKey: gateway.keys.valid,
    });
    const copy = await core.commands.duplicateProfile(original.id);
    expect(copy).toMatchObject({ name: 'Orig (copy)', gatewayUrl: gateway.wsUrl, port: null });
    expect(copy.id).not.toBe(original.id);
    expect(await secrets.get(copy.id)).toBe(gateway.keys.valid);
    await core.commands.deleteProfile(copy.id);
    expect(await secrets.get(copy.id)).toBeUndefined();
    expect(await secrets.get(original.id)).toBe(gateway.keys.valid);
    await core.commands.deleteProfile(original.id);
  });
});

describe('the tunnel manager', () => {
  it('start, a psql session in the state, kill it, stop; the port is kept across restarts of the core', async () => {
    const profile = await test.core.commands.addProfile({
      name: 'Main',
      gatewayUrl: gateway.wsUrl,
      apiKey: gateway.keys.valid,
    });
    const first = await test.core.commands.startTunnel(profile.id);
    expect(first).toMatchObject({ status: 'listening', host: '127.0.0.1', problem: null });
    const port = first.port!;
    expect(
      (await test.core.commands.getSnapshot()).profiles.find((p) => p.id === profile.id)?.port,
    ).toBe(port);

    // A new core on the same config directory: what a restart of the app does.
    await test.core.dispose();
    test = await createTestCore(test.configDir);
    const again = await test.core.commands.startTunnel(profile.id);
    expect(again).toMatchObject({ status: 'listening', port });

    const session = start(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'ada', '-d', 'shop', '-X', '-A', '-t'],
      {
        PGAPPNAME: 'manager-check',
        PGSSLMODE: undefined,
      },
    );
    session.child.stdin!.write('select 1;\n');
    await session.waitFor(/^1$/m);
    const state = await until(async () => {
      const s: TunnelState = (await test.core.commands.getSnapshot()).tunnels[profile.id]!;
      return s.sessions.length === 1 ? s : undefined;
    }, 'the session in the state');
    expect(state.sessions[0]).toMatchObject({
      user: 'ada',
      database: 'shop',
      applicationName: 'manager-check',
      state: 'idle',
    });

    expect(await test.core.commands.killSession(profile.id, state.sessions[0]!.id)).toBe(true);
    session.child.stdin!.end('select 2;\n');
    await session.exited;
    expect(session.stderr).toContain('the session was disconnected from PG Tunnel');
    // What the user chose is not logged as a failure.
    const closed = await until(
      async () =>
        (await test.core.commands.getLog(profile.id)).find((entry) =>
          entry.message.startsWith(`Session ${state.sessions[0]!.id} closed`),
        ),
      'the session closed in the log',
    );
    expect(closed.level).toBe('info');
    expect(
      (await test.core.commands.getLog(profile.id)).filter((entry) => entry.level === 'error'),
    ).toEqual([]);

    const logEntries = async (): Promise<number> =>
      (await test.core.commands.getSnapshot()).tunnels[profile.id]!.logEntries;
    const entriesBefore = await logEntries();
    const tested = await test.core.commands.testConnection(profile.id);
    expect(tested).toMatchObject({ ok: true, serverVersion: expect.stringMatching(/^\d+/) });
    // A window re-reads the log when this count moves, also for entries that change no state.
    expect(await logEntries()).toBeGreaterThan(entriesBefore);

    const log = await test.core.commands.getLog(profile.id);
    expect(log.map((e) => e.message).join('\n')).toMatch(/Session \d+ opened from 127\.0\.0\.1/);

    // A client's application_name reaches the log with its control characters escaped.
    const named = await psql('127.0.0.1', port, ['-c', 'select 1'], {
      PGAPPNAME: 'evil\nSession 99 closed',
    });
    expect(named.code).toBe(0);
    const opened = await until(
      async () =>
        (await test.core.commands.getLog(profile.id)).find((e) => e.message.includes('evil')),
      'the session line of the named client',
    );
    expect(opened.message).toMatch(
      /^Session \d+ opened from 127\.0\.0\.1:\d+ \(evil\\nSession 99 closed\)$/,
    );

    expect(await test.core.commands.stopTunnel(profile.id)).toMatchObject({ status: 'stopped' });
    expect(await portIsOpen(port)).toBe(false);
    await test.core.commands.deleteProfile(profile.id);
  });

  it('after sleep, a tunnel whose listener is gone is restarted on the same port', async () => {
    const profile = await test.core.commands.addProfile({
      name: 'Sleepy',
      gatewayUrl: gateway.wsUrl,
      apiKey: gateway.keys.valid,
    });
    const { port } = await test.core.commands.startTunnel(profile.id);
    await closeListenerOn(port!);
    expect(await portIsOpen(port!)).toBe(false);

    expect(await test.core.onResume()).toEqual([profile.id]);
    const state = (await test.core.commands.getSnapshot()).tunnels[profile.id]!;
    expect(state).toMatchObject({ status: 'listening', port });
    expect(await psql('127.0.0.1', port!, ['-c', 'select 41 + 1'])).toMatchObject({
      code: 0,
      stdout: '42\n',
    });
    const log = await test.core.commands.getLog(profile.id);
    expect(log.map((e) => e.message)).toContain(
      'The listener was gone after the computer woke up; restarting',
    );
    // A second look finds nothing to revive.
    expect(await test.core.onResume()).toEqual([]);
    await test.core.commands.deleteProfile(profile.id);
  });

  it('a wrong key shows a sentence with the fix "edit the key" after a connection attempt', async () => {
    const profile = await test.core.commands.addProfile({
      name: 'Wrong',
      gatewayUrl: gateway.wsUrl,
      apiKey: 'a-key-the-gateway-never-saw',
    });
    const state = await test.core.commands.startTunnel(profile.id);
    await psql('127.0.0.1', state.port!, ['-c', 'select 1']);
    const after = await until(async () => {
      const s = (await test.core.commands.getSnapshot()).tunnels[profile.id]!;
      return s.problem ? s : undefined;
    }, 'the problem');
    expect(after.problem).toEqual({
      message: expect.stringMatching(/^API key is invalid/),
      fix: 'edit-key',
    });
    await test.core.commands.deleteProfile(profile.id);
  });

  it('a fixed port in use: status error, the port named, the fix "pick another port"', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const profile = await test.core.commands.addProfile({
        name: 'Busy',
        gatewayUrl: gateway.wsUrl,
        apiKey: gateway.keys.valid,
        portMode: 'fixed',
        port,
      });
      const state = await test.core.commands.startTunnel(profile.id);
      expect(state.status).toBe('error');
      expect(state.problem?.fix).toBe('change-port');
      expect(state.problem?.message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      await test.core.commands.deleteProfile(profile.id);
    } finally {
      blocker.close();
    }
  });
});

describe('what every shell does at launch', () => {
  it('the window opens on the first run, then as the settings and the login flag say; auto-start tunnels start when the setting is on', async () => {
    const { core } = await createTestCore();
    try {
      expect(core.opensWindowAtLaunch(true)).toBe(true); // no tunnel yet: always, even hidden
      const auto = await core.commands.addProfile({
        name: 'Auto',
        gatewayUrl: gateway.wsUrl,
        apiKey: gateway.keys.valid,
        autoStart: true,
      });
      const manual = await core.commands.addProfile({
        name: 'Manual',
        gatewayUrl: gateway.wsUrl,
        apiKey: gateway.keys.valid,
      });
      expect(core.opensWindowAtLaunch(false)).toBe(false); // "start hidden" is on by default
      await core.commands.updateSettings({ startHidden: false });
      expect(core.opensWindowAtLaunch(false)).toBe(true);
      expect(core.opensWindowAtLaunch(true)).toBe(false); // launched at login with --hidden

      await core.commands.updateSettings({ autoStartTunnels: false });
      await core.startUp();
      expect((await core.commands.getSnapshot()).tunnels[auto.id]?.status).toBe('stopped');

      await core.commands.updateSettings({ autoStartTunnels: true });
      await core.startUp();
      const { tunnels } = await core.commands.getSnapshot();
      expect(tunnels[auto.id]?.status).toBe('listening');
      expect(tunnels[manual.id]?.status).toBe('stopped');
      expect(await psql('127.0.0.1', tunnels[auto.id]!.port!, ['-c', 'select 1'])).toMatchObject({
        code: 0,
        stdout: '1\n',
      });
      for (const id of [auto.id, manual.id]) {
        await core.commands.deleteProfile(id);
      }
    } finally {
      await core.dispose();
    }
  });
});

describe('TLS on the local port', () => {
  it('a profile with TLS serves it; the window gets the CA certificate, never a key; turned off, clients that insist are refused', async () => {
    // A core of its own: the CA is made by this tunnel's first start, and said so in its log.
    const { core, configDir } = await createTestCore();
    try {
      const profile = await core.commands.addProfile({
        name: 'Encrypted',
        gatewayUrl: gateway.wsUrl,
        apiKey: gateway.keys.valid,
        tls: true,
      });
      expect(profile.tls).toBe(true);
      const state = await core.commands.startTunnel(profile.id);
      expect(state.status).toBe('listening');

      const ca = await core.commands.getLocalCa();
      expect(ca.path).toBe(join(configDir, 'tls', 'ca.crt'));
      expect(ca.pem).toBe(await readFile(ca.path, 'utf8'));
      expect(
        await psql('127.0.0.1', state.port!, ['-c', 'select 1'], {
          PGSSLMODE: 'verify-full',
          PGSSLROOTCERT: ca.path,
        }),
      ).toMatchObject({ code: 0, stdout: '1\n', stderr: '' });
      const log = await core.commands.getLog(profile.id);
      expect(log.map((entry) => entry.message)).toContain(
        `Made the local certificate authority ${ca.path}.`,
      );

      // What the window can see: the snapshot, the CA answer and the log.
      const seen = JSON.stringify([await core.commands.getSnapshot(), ca, log]);
      expect(await privateKeyMaterialIn(seen, configDir)).toEqual([]);

      const off = await core.commands.updateProfile(profile.id, { name: 'Encrypted', tls: false });
      expect(off.tls).toBe(false);
      const refused = await psql('127.0.0.1', state.port!, ['-c', 'select 1'], {
        PGSSLMODE: 'require',
      });
      expect(refused.stderr).toContain('server does not support SSL, but SSL was required');
      await core.commands.deleteProfile(profile.id);
    } finally {
      await core.dispose();
      await rm(configDir, { recursive: true, force: true });
    }
  });

  it("a running tunnel's check serves the certificate renewed on disk to new connections, and logs it", async () => {
    // Checks every 200 ms stand for the daily ones.
    const { core, configDir } = await createTestCore(undefined, { localTlsCheckIntervalMs: 200 });
    try {
      const profile = await core.commands.addProfile({
        name: 'Long-running',
        gatewayUrl: gateway.wsUrl,
        apiKey: gateway.keys.valid,
        tls: true,
      });
      const { port } = await core.commands.startTunnel(profile.id);
      const ca = await core.commands.getLocalCa();
      const servedSerial = async (): Promise<string> => {
        const client = await RawClient.openTls('127.0.0.1', port!, {
          negotiation: 'ssl-request',
          ca: ca.pem,
        });
        const serial = client.socket.getPeerX509Certificate()!.serialNumber;
        client.socket.destroy();
        return serial;
      };
      const before = await servedSerial();
      // The certificate gone from disk (another start found it damaged, say): the next check
      // makes a new one and serves it.
      await rm(join(configDir, 'tls', 'server.crt'));
      await until(
        async () =>
          (await core.commands.getLog(profile.id)).find((entry) =>
            entry.message.startsWith('New connections get the new certificate'),
          ),
        'the renewed certificate to be served',
        30_000,
      );
      const log = (await core.commands.getLog(profile.id)).map((entry) => entry.message);
      expect(log).toContain('Made a new certificate for the local port: there was none.');
      const after = await servedSerial();
      expect(after).not.toBe(before);
      expect(after).toBe(
        new X509Certificate(await readFile(join(configDir, 'tls', 'server.crt'))).serialNumber,
      );
      await core.commands.deleteProfile(profile.id);
    } finally {
      await core.dispose();
      await rm(configDir, { recursive: true, force: true });
    }
  });

  it("profiles saved before the setting existed read as TLS on, the default, and 'remote' as a tunnel", async () => {
    const configDir = await newConfigDir();
    const { tls: _tls, ...before } = savedProfile('old-one', {
      kind: 'remote' as Profile['kind'],
      name: 'Old',
      gatewayUrl: 'wss://gateway.example/websocket',
    });
    const { tls: _playgroundTls, ...playground } = savedProfile('pg');
    await saveProfiles(configDir, [before as Profile, playground as Profile]);
    const { core } = await createTestCore(configDir);
    try {
      const { profiles } = await core.commands.getSnapshot();
      expect(profiles.map((p) => [p.kind, p.tls])).toEqual([
        ['tunnel', DEFAULT_LOCAL_TLS],
        ['playground', DEFAULT_LOCAL_TLS],
      ]);
    } finally {
      await core.dispose();
      await rm(configDir, { recursive: true, force: true });
    }
  });
});
