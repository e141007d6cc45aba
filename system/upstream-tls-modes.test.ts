import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectTunnel } from '../main/testing/in-process.js';
import { psql } from '../main/testing/psql.js';
import {
  issueServerCertificate,
  makeCertificateAuthority,
  type TestCertificate,
  type TestCertificateAuthority,
} from '../main/testing/tls.js';
import { startTlsPostgres, type TlsPostgresServer } from '../main/testing/tls-postgres.js';

/**
 * The connector's TLS as libpq does it, through a direct tunnel (the engine logging in itself with
 * the connector the gateway uses), against a real Postgres with TLS whose pg_hba.conf lets each
 * role in one way only, so that what the server saw proves which way the connector went.
 */
const HBA = `
hostssl   all ssl_only   127.0.0.1/32 scram-sha-256
hostnossl all ssl_only   127.0.0.1/32 reject
hostnossl all plain_only 127.0.0.1/32 scram-sha-256
hostssl   all plain_only 127.0.0.1/32 reject
hostssl   all md5_user   127.0.0.1/32 md5
hostssl   all trust_user 127.0.0.1/32 trust
host      all all        127.0.0.1/32 scram-sha-256
local     all all        trust
`;
const ROLES = `create role ssl_only login password 'pw'; create role plain_only login password 'pw';
  set password_encryption = 'md5'; create role md5_user login password 'pw';
  reset password_encryption; create role trust_user login`;

/** Who the server says logged in, and whether over TLS. */
const WHO =
  'select current_user, coalesce((select ssl from pg_stat_ssl where pid = pg_backend_pid()), false)';

let ca: TestCertificateAuthority;
let otherCa: TestCertificateAuthority;
let serverCert: TestCertificate;
let server: TlsPostgresServer;
const tunnels: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  ca = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-ca-')));
  otherCa = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-other-ca-')));
  serverCert = await issueServerCertificate(ca, { name: 'server' });
  server = await startTlsPostgres({ certificate: serverCert, hba: HBA, setupSql: [ROLES] });
});

afterAll(async () => {
  await Promise.all(tunnels.map((tunnel) => tunnel.stop()));
  await server?.stop();
});

/**
 * psql, with no password and no TLS of its own, through a direct tunnel to
 * `postgres://USER:pw@127.0.0.1:PORT/postgres?QUERY`.
 */
async function through(user: string, query: string, sql = WHO) {
  const { tunnel, host, port } = await openDirectTunnel(
    `postgres://${user}:pw@127.0.0.1:${server.port}/postgres?${query}`,
    'Test',
  );
  tunnels.push(tunnel);
  return psql(host, port, ['-c', sql], {}, 20_000);
}

const ca_ = (authority: () => TestCertificateAuthority) => () =>
  `sslrootcert=${encodeURIComponent(authority().certPath)}`;
const rightCa = ca_(() => ca);
const wrongCa = ca_(() => otherCa);

describe('each sslmode connects as libpq would', () => {
  it.each([
    ['disable: plain text', 'plain_only', 'sslmode=disable', 'plain_only|f'],
    ['allow: plain text first', 'plain_only', 'sslmode=allow', 'plain_only|f'],
    ['allow: TLS when plain text is refused', 'ssl_only', 'sslmode=allow', 'ssl_only|t'],
    ['prefer: TLS first', 'ssl_only', 'sslmode=prefer', 'ssl_only|t'],
    ['prefer: plain text when TLS is refused', 'plain_only', 'sslmode=prefer', 'plain_only|f'],
    ['require', 'ssl_only', 'sslmode=require', 'ssl_only|t'],
  ])('%s', async (_name, user, query, expected) => {
    const result = await through(user, query);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(expected);
  });

  it('verify-ca and verify-full with the CA that signed the server certificate', async () => {
    for (const mode of ['verify-ca', 'verify-full']) {
      const result = await through('ssl_only', `sslmode=${mode}&${rightCa()}`);
      expect(result.stderr, mode).toBe('');
      expect(result.stdout.trim(), mode).toBe('ssl_only|t');
    }
  });

  it('a certificate signed by another CA: named with what it was checked against', async () => {
    for (const mode of ['verify-ca', 'verify-full', 'require']) {
      // With a CA file, libpq's require checks the chain too ("behaves like verify-ca").
      const result = await through('ssl_only', `sslmode=${mode}&${wrongCa()}`);
      expect(result.code, mode).not.toBe(0);
      expect(result.stderr, mode).toContain(
        `FATAL:  PG Tunnel could not log in to “Test” (127.0.0.1:${server.port}): the server's certificate is not signed by a trusted CA (checked against sslrootcert=${otherCa.certPath}:`,
      );
    }
  });
});

describe('a CA file that is not there, as libpq reads it', () => {
  const missing = () => `sslrootcert=${encodeURIComponent(join(ca.dir, 'no-such-ca.crt'))}`;

  it('require goes on unchecked', async () => {
    const result = await through('ssl_only', `sslmode=require&${missing()}`);
    expect(result.stdout.trim()).toBe('ssl_only|t');
  });

  it('verify-ca stops with a sentence naming the file', async () => {
    const result = await through('ssl_only', `sslmode=verify-ca&${missing()}`);
    expect(result.stderr).toContain(
      `sslmode=verify-ca needs a CA to check the server's certificate against, and ${join(ca.dir, 'no-such-ca.crt')} does not exist`,
    );
  });
});

describe('certificates that do not match', () => {
  afterAll(async () => {
    await server.useCertificate(serverCert);
  });

  it('one for another host: verify-full names the host and the names it has; verify-ca accepts it', async () => {
    await server.useCertificate(
      await issueServerCertificate(ca, { name: 'other-host', altNames: 'DNS:db.example.test' }),
    );
    const refused = await through('ssl_only', `sslmode=verify-full&${rightCa()}`);
    expect(refused.stderr).toContain(
      "the server's certificate is for another host (127.0.0.1 is not among its names: DNS:db.example.test)",
    );
    const accepted = await through('ssl_only', `sslmode=verify-ca&${rightCa()}`);
    expect(accepted.stdout.trim()).toBe('ssl_only|t');
  });

  it('an expired one: says so, with its end date', async () => {
    await server.useCertificate(await issueServerCertificate(ca, { name: 'expired', days: -1 }));
    const refused = await through('ssl_only', `sslmode=verify-ca&${rightCa()}`);
    expect(refused.stderr).toMatch(/the server's certificate has expired \(valid until \w+ +\d+ /);
  });

  it('sslmode=require does not look at it, as in libpq', async () => {
    const result = await through('ssl_only', 'sslmode=require');
    expect(result.stdout.trim()).toBe('ssl_only|t');
  });
});

describe('channel binding (SCRAM-SHA-256-PLUS)', () => {
  afterAll(async () => {
    await server.useCertificate(serverCert);
  });

  it('channel_binding=require logs in over TLS with SCRAM, binding the login to the connection', async () => {
    const result = await through('ssl_only', 'sslmode=require&channel_binding=require');
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ssl_only|t');
  });

  it.each([
    ['RSA, SHA-384', { digest: 'sha384' as const }],
    ['RSA, SHA-512', { digest: 'sha512' as const }],
    ['RSA-PSS, SHA-256', { digest: 'sha256' as const, pss: true }],
    ['ECDSA P-384, SHA-384', { key: 'ec-p384' as const, digest: 'sha384' as const }],
    ['RSA, SHA-1 (hashed with SHA-256)', { digest: 'sha1' as const }],
  ])('Postgres accepts the binding of a certificate signed with %s', async (name, options) => {
    await server.useCertificate(
      await issueServerCertificate(ca, { name: name.replace(/\W+/g, '-'), ...options }),
    );
    const result = await through('ssl_only', 'sslmode=require&channel_binding=require');
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ssl_only|t');
  });

  it.each([
    [
      'an md5 password',
      'md5_user',
      'sslmode=require&channel_binding=require',
      'the server asks for an md5 password, which cannot be bound to the connection, and channel_binding=require insists on it',
    ],
    [
      'trust',
      'trust_user',
      'sslmode=require&channel_binding=require',
      'the server let the login through without channel binding, and channel_binding=require insists on it',
    ],
    [
      'plain text',
      'plain_only',
      'sslmode=prefer&channel_binding=require',
      'channel_binding=require needs TLS, and the server was reached without it',
    ],
  ])('channel_binding=require refuses %s', async (_name, user, query, sentence) => {
    const result = await through(user, query);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(sentence);
  });

  it('channel_binding=disable and prefer log in with an md5 password over TLS', async () => {
    for (const binding of ['disable', 'prefer']) {
      const result = await through('md5_user', `sslmode=require&channel_binding=${binding}`);
      expect(result.stdout.trim(), binding).toBe('md5_user|t');
    }
  });
});
