import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localCaDir, LocalCaError, openLocalCa } from './local-ca.js';
import { CA_LIFETIME_MS, SERVER_LIFETIME_MS } from './policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let configDir: string;

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-ca-'));
});
afterEach(async () => {
  await rm(configDir, { recursive: true, force: true });
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const tlsFile = (name: string): string => join(localCaDir(configDir), name);

describe('openLocalCa', () => {
  it('first use: makes a CA and a server certificate, keys owner-only, and says so', async () => {
    const ca = await openLocalCa(configDir);
    expect(ca.caCertPath).toBe(tlsFile('ca.crt'));
    expect(await readFile(ca.caCertPath, 'utf8')).toBe(ca.caCertPem);
    expect(ca.changes).toEqual([`Made the local certificate authority ${ca.caCertPath}.`]);
    expect(await mode(localCaDir(configDir))).toBe(0o700);
    expect(await mode(tlsFile('ca.key'))).toBe(0o600);
    expect(await mode(tlsFile('server.key'))).toBe(0o600);
    expect(await readFile(tlsFile('server.key'), 'utf8')).toBe(ca.server.key);
    const server = new X509Certificate(ca.server.cert);
    expect(server.verify(new X509Certificate(ca.caCertPem).publicKey)).toBe(true);
    // Nothing left over from making it.
    expect((await readdir(configDir)).sort()).toEqual(['tls']);
  });

  it('later starts: the same CA and certificate, nothing made', async () => {
    const first = await openLocalCa(configDir);
    const second = await openLocalCa(configDir);
    expect(second).toEqual({ ...first, changes: [] });
  });

  it('a server certificate past its renewal point is replaced at start; the CA is kept', async () => {
    const first = await openLocalCa(configDir);
    const renewalDay = new Date(Date.now() + SERVER_LIFETIME_MS - 20 * DAY_MS);
    const renewed = await openLocalCa(configDir, renewalDay);
    expect(renewed.caCertPem).toBe(first.caCertPem);
    expect(renewed.server.cert).not.toBe(first.server.cert);
    expect(renewed.changes).toEqual([
      expect.stringMatching(/^Made a new certificate for the local port: it expires on /),
    ]);
    expect(await readFile(tlsFile('server.crt'), 'utf8')).toBe(renewed.server.cert);
    expect(await readFile(tlsFile('server.key'), 'utf8')).toBe(renewed.server.key);
    expect(await mode(tlsFile('server.key'))).toBe(0o600);
    const certificate = new X509Certificate(renewed.server.cert);
    expect(certificate.verify(new X509Certificate(first.caCertPem).publicKey)).toBe(true);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(renewalDay.getTime());
  });

  it('a server certificate of another CA, or missing, is made again', async () => {
    const first = await openLocalCa(configDir);
    const other = await mkdtemp(join(tmpdir(), 'pg-tunnel-other-ca-'));
    try {
      const foreign = await openLocalCa(other);
      await rm(tlsFile('server.crt'));
      expect((await openLocalCa(configDir)).changes).toEqual([
        'Made a new certificate for the local port: there was none.',
      ]);
      await writeFile(tlsFile('server.crt'), foreign.server.cert);
      await writeFile(tlsFile('server.key'), foreign.server.key);
      const again = await openLocalCa(configDir);
      expect(again.changes).toEqual([
        'Made a new certificate for the local port: it was not signed by the current local CA.',
      ]);
      expect(again.caCertPem).toBe(first.caCertPem);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a CA in its last 30 days is moved aside, never deleted, and a new one made', async () => {
    const first = await openLocalCa(configDir);
    const late = new Date(Date.now() + CA_LIFETIME_MS - 10 * DAY_MS);
    const replaced = await openLocalCa(configDir, late);
    expect(replaced.caCertPem).not.toBe(first.caCertPem);
    const aside = (await readdir(configDir)).find((name) => name.startsWith('tls-expired-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(configDir, aside!, 'ca.crt'), 'utf8')).toBe(first.caCertPem);
    expect(replaced.changes[0]).toMatch(
      /^The local certificate authority was replaced \(it expires on .*\); the old one is in /,
    );
  });

  it('a damaged CA is a sentence naming the folder, and is left as it is', async () => {
    const first = await openLocalCa(configDir);
    await unlink(tlsFile('ca.key'));
    const error = await openLocalCa(configDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalCaError);
    expect((error as Error).message).toBe(
      `The local certificate authority in ${localCaDir(configDir)} cannot be used: ca.key is missing. Move that folder away and PG Tunnel makes a new one at the next start (clients that verify the tunnel must then be given the new ca.crt).`,
    );
    expect(await readFile(tlsFile('ca.crt'), 'utf8')).toBe(first.caCertPem);
  });

  it('a tls path that is no folder is a sentence, not a crash', async () => {
    await writeFile(localCaDir(configDir), 'not a folder');
    const error = await openLocalCa(configDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalCaError);
    expect((error as Error).message).toMatch(
      /^The local certificate authority's file .*ca\.crt cannot be read \(ENOTDIR: .*\)\. Check that it and its folder are yours\.$/,
    );
  });

  it('several starts at once on a fresh directory agree on one CA', async () => {
    const opened = await Promise.all(Array.from({ length: 4 }, () => openLocalCa(configDir)));
    const onDisk = await readFile(tlsFile('ca.crt'), 'utf8');
    for (const ca of opened) {
      expect(ca.caCertPem).toBe(onDisk);
      expect(
        new X509Certificate(ca.server.cert).verify(new X509Certificate(onDisk).publicKey),
      ).toBe(true);
    }
    expect((await readdir(configDir)).sort()).toEqual(['tls']);
  });
});
