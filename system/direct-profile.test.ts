import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_MASK } from '../shared/direct-upstream.js';
import type { Profile, ProfileInput } from '../shared/profile.js';
import {
  createTestCore,
  newConfigDir,
  pastedDirectProfile,
  saveProfiles,
  savedProfile,
  TEST_KEYCHAIN_SERVICE,
  type TestCore,
} from '../main/testing/app-core.js';
import { filesUnder } from '../main/testing/files.js';
import { freePort } from '../main/testing/ports.js';
import { psql } from '../main/testing/psql.js';
import { secretToolLookup } from '../main/testing/secret-tool.js';
import {
  issueServerCertificate,
  makeCertificateAuthority,
  type TestCertificateAuthority,
} from '../main/testing/tls.js';
import { startTlsPostgres, type TlsPostgresServer } from '../main/testing/tls-postgres.js';
import { until } from '../main/testing/until.js';

/**
 * Direct profiles in the app core, with the real OS keychain and a Postgres with TLS (a private
 * CA) and scram-sha-256: a pasted postgres:// URL's password lives in the keychain only, and the
 * tunnel logs in with it, verifying the server.
 */
let postgres: TlsPostgresServer;
let ca: TestCertificateAuthority;
let test: TestCore;

beforeAll(async () => {
  ca = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-ca-')));
  postgres = await startTlsPostgres({
    certificate: await issueServerCertificate(ca, { name: 'server' }),
  });
  test = await createTestCore();
});

afterAll(async () => {
  await test?.core.dispose();
  await postgres?.stop();
});

/** The add form after this test's Postgres URL with `password` was pasted (verify-full, the CA). */
function pasted(name: string, password: string): ProfileInput {
  const tls = `sslmode=verify-full&sslrootcert=${encodeURIComponent(ca.certPath)}`;
  return pastedDirectProfile(
    name,
    `postgres://${postgres.user}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/postgres?${tls}`,
  );
}

const sessionProblem = (id: string) =>
  until(
    async () => (await test.core.commands.getSnapshot()).tunnels[id]?.problem ?? undefined,
    'a problem',
  );

describe('a direct profile', () => {
  it('keeps its password in the keychain only, and its tunnel logs in with it', async () => {
    const { core, configDir } = test;
    const profile = await core.commands.addProfile(pasted('Direct', postgres.password));
    expect(profile).toMatchObject({
      kind: 'direct',
      gatewayUrl: '',
      upstream: {
        host: '127.0.0.1',
        port: postgres.port,
        user: postgres.user,
        sslmode: 'verify-full',
        sslrootcert: ca.certPath,
      },
      secretMask: PASSWORD_MASK,
    });
    // Another Secret Service client finds it under the profile's id.
    expect(await secretToolLookup(TEST_KEYCHAIN_SERVICE, profile.id)).toBe(postgres.password);

    const state = await core.commands.startTunnel(profile.id);
    expect(state.status).toBe('listening');
    const result = await psql('127.0.0.1', state.port!, [
      '-c',
      'select current_user, (select ssl from pg_stat_ssl where pid = pg_backend_pid())',
    ]);
    // The server sees the profile's role, over TLS.
    expect(result.stdout.trim()).toBe(`${postgres.user}|t`);
    expect(await core.commands.testConnection(profile.id)).toMatchObject({
      ok: true,
      serverVersion: expect.stringMatching(/^\d+/),
    });

    const secretForms = [postgres.password, encodeURIComponent(postgres.password)];
    for (const file of await filesUnder(configDir)) {
      for (const form of secretForms) {
        expect(file.content.includes(Buffer.from(form)), file.path).toBe(false);
      }
    }
    const seen = JSON.stringify([
      await core.commands.getSnapshot(),
      await core.commands.getLog(profile.id),
    ]);
    for (const form of secretForms) {
      expect(seen).not.toContain(form);
    }
    await core.commands.deleteProfile(profile.id);
    expect(await secretToolLookup(TEST_KEYCHAIN_SERVICE, profile.id)).toBeUndefined();
  });

  it('a wrong password: psql and the card name the profile and say to edit the password; editing it fixes it', async () => {
    const { core } = test;
    const profile = await core.commands.addProfile(pasted('Shop', 'not-the-password'));
    const { port } = await core.commands.startTunnel(profile.id);
    const refused = await psql('127.0.0.1', port!, ['-c', 'select 1']);
    expect(refused.stderr).toContain(
      `FATAL:  PG Tunnel could not log in to “Shop” (127.0.0.1:${postgres.port}): password authentication failed for user "${postgres.user}"`,
    );
    expect(refused.stderr).toContain('HINT:  Edit the password of “Shop” in PG Tunnel.');
    expect(await sessionProblem(profile.id)).toEqual({
      message: expect.stringMatching(/^PG Tunnel could not log in to “Shop”/),
      fix: 'edit-password',
    });

    // The form sends the new password alone: the connection is kept, and the tunnel restarts.
    await core.commands.updateProfile(profile.id, { name: 'Shop', password: postgres.password });
    const state = (await core.commands.getSnapshot()).tunnels[profile.id]!;
    expect(state).toMatchObject({ status: 'listening', port, problem: null });
    const result = await psql('127.0.0.1', port!, ['-c', 'select 42']);
    expect(result.stdout.trim()).toBe('42');
    await core.commands.deleteProfile(profile.id);
  });

  it('a host that refuses is said on the card as the tunnel starts, before any client, and the tunnel keeps listening', async () => {
    const { core } = test;
    const closed = await freePort();
    const profile = await core.commands.addProfile(
      pastedDirectProfile('Closed', `postgres://someone:pw@127.0.0.1:${closed}/db?sslmode=disable`),
    );
    const started = await core.commands.startTunnel(profile.id);
    expect(started.status).toBe('listening');
    expect(await sessionProblem(profile.id)).toEqual({
      message: `PG Tunnel could not reach “Closed” at 127.0.0.1:${closed}: connection refused (ECONNREFUSED). The tunnel keeps listening, and connects clients once it answers.`,
      fix: 'none',
    });
    await core.commands.deleteProfile(profile.id);
  });

  it('duplicate copies the password under the copy’s id; a key cannot be set on it', async () => {
    const { core, secrets } = test;
    const original = await core.commands.addProfile(pasted('Orig', postgres.password));
    const copy = await core.commands.duplicateProfile(original.id);
    expect(copy).toMatchObject({ kind: 'direct', upstream: original.upstream, port: null });
    expect(await secrets.get(copy.id)).toBe(postgres.password);
    await expect(
      core.commands.updateProfile(copy.id, { name: 'Copy', apiKey: 'abcdefghijklmnopqrstuvwxyz' }),
    ).rejects.toMatchObject({
      field: 'apiKey',
      message: expect.stringMatching(/password, not an API key/),
    });
    for (const id of [original.id, copy.id]) {
      await core.commands.deleteProfile(id);
    }
  });
});

describe('profiles saved by earlier versions', () => {
  it("'remote' profiles are read as tunnel profiles, and the file is rewritten once, nothing lost", async () => {
    const configDir = await newConfigDir();
    const legacy = savedProfile('legacy', {
      name: 'Staging',
      kind: 'remote' as Profile['kind'],
      gatewayUrl: 'wss://gateway.example/websocket',
      port: 54321,
      portMode: 'fixed',
      autoStart: true,
    });
    await saveProfiles(configDir, [legacy, savedProfile('pg')]);
    const { core } = await createTestCore(configDir);
    try {
      const { profiles } = await core.commands.getSnapshot();
      expect(profiles).toEqual([
        { ...legacy, kind: 'tunnel', secretMask: null },
        { ...savedProfile('pg'), secretMask: null },
      ]);
      const stored = JSON.parse(await readFile(join(configDir, 'profiles.json'), 'utf8')) as {
        profiles: Profile[];
      };
      expect(stored.profiles.map((p) => p.kind)).toEqual(['tunnel', 'playground']);
    } finally {
      await core.dispose();
    }
  });
});
