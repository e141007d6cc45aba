import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCli } from '../testing/cli.js';
import { freePort } from '../testing/ports.js';
import { newApiKey } from '../testing/gateway.js';
import { keyFor, openTunnel, startInProcessGateway } from '../testing/in-process.js';
import type { PostgresServer } from '../testing/postgres.js';
import { psql } from '../testing/psql.js';
import {
  issueServerCertificate,
  makeCertificateAuthority,
  type TestCertificate,
} from '../testing/tls.js';
import { startTlsPostgres } from '../testing/tls-postgres.js';
import type { Gateway } from '../gateway/server.js';
import { createJsonLogger } from '../gateway/log.js';
import { probeUpstream } from './connect.js';
import { parseUpstreamUrl } from './target.js';

/**
 * A Postgres of its own with TLS on and one role per authentication method, so that the gateway's
 * upstream login is exercised against the real server for each of them.
 */
const HBA = `
hostnossl all tls_user 127.0.0.1/32 reject
hostssl   all tls_user 127.0.0.1/32 scram-sha-256
host      all trust_user 127.0.0.1/32 trust
host      all md5_user 127.0.0.1/32 md5
host      all clear_user 127.0.0.1/32 password
host      all all 127.0.0.1/32 scram-sha-256
local     all all trust
`;

const sharedPostgres = inject('postgres');
let server: PostgresServer;
let cert: TestCertificate;
let caPath: string;
let otherCa: TestCertificate;
let gateway: Gateway;
let gatewayUrl: string;
const apiKeys = new Map<string, string>();
const tunnels: Array<{ stop(): Promise<void> }> = [];
const gatewayLog: string[] = [];
/** A CA file the gateway's key names but its machine does not have. */
const MISSING_CA = '/nonexistent/pg-tunnel-gateway/root.crt';

beforeAll(async () => {
  const ca = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-tls-')));
  caPath = ca.certPath;
  otherCa = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-other-ca-')));
  cert = await issueServerCertificate(ca, { name: 'server' });
  server = await startTlsPostgres({
    certificate: cert,
    hba: HBA,
    setupSql: [
      `create role trust_user login;
      set password_encryption = 'md5'; create role md5_user login password 'md5-secret';
      reset password_encryption; create role clear_user login password 'clear-secret';
      create role tls_user login password 'tls-secret'`,
    ],
  });

  const base = `127.0.0.1:${server.port}/postgres`;
  const upstreams: Record<string, string> = {
    trust: `postgres://trust_user@${base}?sslmode=disable`,
    md5: `postgres://md5_user:md5-secret@${base}?sslmode=disable`,
    cleartext: `postgres://clear_user:clear-secret@${base}?sslmode=disable`,
    'scram over tls (prefer)': `postgres://${server.user}:${encodeURIComponent(server.password)}@${base}`,
    'tls require': `postgres://tls_user:tls-secret@${base}?sslmode=require`,
    'tls verify-full': `postgres://tls_user:tls-secret@${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caPath)}`,
    'verify-full, wrong CA': `postgres://tls_user:tls-secret@${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCa.certPath)}`,
    'require, server without TLS': `postgres://${sharedPostgres.user}@127.0.0.1:${sharedPostgres.port}/postgres?sslmode=require`,
    'wrong md5 password': `postgres://md5_user:nope@${base}?sslmode=disable`,
    'no password configured': `postgres://md5_user@${base}?sslmode=disable`,
    'verify-full, CA file missing': `postgres://tls_user:tls-secret@${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(MISSING_CA)}`,
  };
  const keys = Object.entries(upstreams).map(([name, url], i) => {
    apiKeys.set(name, newApiKey());
    return keyFor(apiKeys.get(name)!, url, `key-${i}`);
  });
  const log = createJsonLogger((line) => gatewayLog.push(line));
  ({ gateway, gatewayUrl } = await startInProcessGateway(keys, { tls: undefined, log }));
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.stop()));
  await gateway?.close();
  await server?.stop();
});

async function queryThrough(name: string, sql: string): Promise<Awaited<ReturnType<typeof psql>>> {
  const { tunnel, host, port } = await openTunnel({ apiKey: apiKeys.get(name)!, gatewayUrl });
  tunnels.push(tunnel);
  return psql(host, port, ['-c', sql], {}, 20_000);
}

const WHO =
  'select current_user, coalesce((select ssl from pg_stat_ssl where pid = pg_backend_pid()), false)';

describe('the gateway logs in to the upstream with each authentication method', () => {
  it.each([
    ['trust', 'trust_user|f'],
    ['md5', 'md5_user|f'],
    ['cleartext', 'clear_user|f'],
    ['scram over tls (prefer)', 'tunnel_owner|t'],
    ['tls require', 'tls_user|t'],
    ['tls verify-full', 'tls_user|t'],
  ])('%s', async (name, expected) => {
    const result = await queryThrough(name, WHO);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(expected);
  });
});

describe('upstream failures reach the client as a FATAL sentence', () => {
  it.each([
    [
      'verify-full, wrong CA',
      "the gateway could not verify the database server's certificate: the server's certificate is not signed by a trusted CA",
    ],
    [
      'require, server without TLS',
      'the gateway could not log in to the database: the server does not accept TLS, and sslmode=require requires it',
    ],
    ['wrong md5 password', 'password authentication failed for user "md5_user"'],
    [
      'no password configured',
      'the database asks for a password and the gateway has none for this key',
    ],
  ])('%s', async (name, sentence) => {
    const result = await queryThrough(name, 'select 1');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('FATAL:');
    expect(result.stderr).toContain(sentence);
  });

  it("the gateway's files and what the certificate says stay in the gateway's log, out of the client's FATAL", async () => {
    const missing = await queryThrough('verify-full, CA file missing', 'select 1');
    expect(missing.stderr).toContain('FATAL:  the gateway could not log in to the database');
    expect(missing.stderr).toContain("HINT:  The gateway's log says why; its operator can fix it.");
    expect(missing.stderr).not.toContain(MISSING_CA);
    const wrongCa = await queryThrough('verify-full, wrong CA', 'select 1');
    expect(wrongCa.stderr).not.toContain(otherCa.certPath);

    const failures = gatewayLog.filter((line) => line.includes('upstream login failed'));
    expect(failures.some((line) => line.includes(`${MISSING_CA} does not exist`))).toBe(true);
    expect(failures.some((line) => line.includes(`sslrootcert=${otherCa.certPath}`))).toBe(true);
  });
});

describe('the gateway over TLS (wss://)', () => {
  it('serves the CLI tunnel when the client trusts its certificate', async () => {
    const apiKey = newApiKey();
    const secure = await startInProcessGateway([keyFor(apiKey, sharedPostgres.url)], {
      tls: { cert: cert.certPath, key: cert.keyPath },
    });
    const cli = startCli(['--gateway', secure.gatewayUrl], {
      PDP_API_KEY: apiKey,
      NODE_EXTRA_CA_CERTS: caPath,
    });
    try {
      const [, port] = await cli.waitFor(/port:\s+(\d+)/);
      const result = await psql('127.0.0.1', Number(port), ['-c', "select 'over wss'"]);
      expect(result.stdout.trim()).toBe('over wss');
    } finally {
      await cli.stop();
      await secure.gateway.close();
    }
  });
});

describe("the reachability check at a direct tunnel's start", () => {
  const postgres = inject('postgres');

  it('with several hosts, one that accepts is enough; none that accepts is database-unreachable', async () => {
    const refusing = await freePort();
    const listed = parseUpstreamUrl(
      `postgres://u@127.0.0.1:${refusing},${postgres.host}:${postgres.port}/db`,
    );
    await expect(probeUpstream(listed)).resolves.toBeUndefined();
    const none = parseUpstreamUrl(`postgres://u@127.0.0.1:${refusing},127.0.0.1:${refusing}/db`);
    await expect(probeUpstream(none)).rejects.toMatchObject({
      cause: { kind: 'database-unreachable' },
    });
  });
});
