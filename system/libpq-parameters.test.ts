import { chmod, copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../main/gateway/keys.js';
import { run } from '../main/testing/child-process.js';
import {
  CLI_PATH,
  startDirectTunnelCli,
  startTunnelCli,
  type RunningTunnel,
} from '../main/testing/cli.js';
import { newApiKey, startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { psql } from '../main/testing/psql.js';
import {
  issueServerCertificate,
  makeCertificateAuthority,
  revokeCertificate,
  type TestCertificate,
  type TestCertificateAuthority,
} from '../main/testing/tls.js';
import { startTlsPostgres, type TlsPostgresServer } from '../main/testing/tls-postgres.js';
import { until } from '../main/testing/until.js';

/**
 * libpq's connection parameters through a direct tunnel and a gateway key, against a Postgres 18
 * with TLS (a private CA) that logs the role `certuser` in by its client certificate (pg_hba
 * `hostssl … cert`) and `app` by password.
 */
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;
const HBA = `
hostssl all certuser 127.0.0.1/32 cert
host    all app      127.0.0.1/32 scram-sha-256
host    all all      127.0.0.1/32 scram-sha-256
local   all all trust
`;

const postgres = inject('postgres');
let ca: TestCertificateAuthority;
let client: TestCertificate;
let server: TlsPostgresServer;
let serverCertificate: TestCertificate;
let gateway: RunningGateway;
let dir: string;
const certKey = newApiKey();
const tunnels: RunningTunnel[] = [];

/** sslmode, the CA and the client certificate of `certuser`, as a URL query. */
const certQuery = (): string =>
  `sslmode=verify-full&sslrootcert=${encodeURIComponent(ca.certPath)}&sslcert=${encodeURIComponent(client.certPath)}&sslkey=${encodeURIComponent(client.keyPath)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-libpq-'));
  ca = await makeCertificateAuthority(dir);
  // The server, run as the postgres user when the tests run as root, reads the CA from here.
  await chmod(dir, 0o755);
  await chmod(ca.certPath, 0o644);
  client = await issueServerCertificate(ca, { name: 'certuser', commonName: 'certuser' });
  await chmod(client.keyPath, 0o600);
  serverCertificate = await issueServerCertificate(ca, { name: 'server' });
  server = await startTlsPostgres({
    certificate: serverCertificate,
    hba: HBA,
    setupSql: [
      'create role certuser login',
      `create role app login password '${PASSWORD}'`,
      'create database appdb owner app',
      `alter system set ssl_ca_file = '${ca.certPath}'`,
      'select pg_reload_conf()',
    ],
  });
  // The server reloads on its own time: psql straight to it logs in by certificate once it has.
  await until(
    async () =>
      (
        await psql('127.0.0.1', server.port, ['-U', 'certuser', '-c', 'select 1'], {
          PGSSLMODE: 'verify-full',
          PGSSLROOTCERT: ca.certPath,
          PGSSLCERT: client.certPath,
          PGSSLKEY: client.keyPath,
        })
      ).code === 0
        ? true
        : undefined,
    'the server to take the CA for client certificates',
    20_000,
  );
  gateway = await startGatewayProcess(postgres, {
    edit: (config) => {
      config.keys.push({
        id: 'cert',
        keyHash: hashApiKey(certKey),
        upstream: `postgres://certuser@localhost:${server.port}/postgres?${certQuery()}`,
      });
    },
  });
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.process.stop()));
  await gateway?.process.stop();
  await server?.stop();
});

async function direct(url: string, env: NodeJS.ProcessEnv = {}): Promise<RunningTunnel> {
  const tunnel = await startDirectTunnelCli(url, env);
  tunnels.push(tunnel);
  return tunnel;
}

/** One value from `sql` through `tunnel`; fails the test with psql's error otherwise. */
async function queryThrough(
  tunnel: RunningTunnel,
  sql: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const result = await psql(tunnel.host, tunnel.port, ['-c', sql], env);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

describe('client certificates (pg_hba cert): current_user is the certificate’s role', () => {
  it('through a direct tunnel', async () => {
    const tunnel = await direct(
      `postgres://certuser@localhost:${server.port}/postgres?${certQuery()}`,
    );
    expect(await queryThrough(tunnel, 'select current_user')).toBe('certuser');
  });

  it('through a gateway key', async () => {
    const tunnel = await startTunnelCli(gateway.wsUrl, certKey);
    tunnels.push(tunnel);
    expect(await queryThrough(tunnel, 'select current_user')).toBe('certuser');
  });
});

describe('the other parameters of libpq', () => {
  const appUrl = (query: string, password = `:${PASSWORD}`): string =>
    `postgres://app${password}@localhost:${server.port}/appdb?${query}`;
  /** The server checked against the test CA. */
  const verified = (): string =>
    `sslmode=verify-full&sslrootcert=${encodeURIComponent(ca.certPath)}`;

  it('sslnegotiation=direct: TLS from the first byte (pg_stat_ssl.ssl is true)', async () => {
    const tunnel = await direct(appUrl(`${verified()}&sslnegotiation=direct`));
    expect(
      await queryThrough(tunnel, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'),
    ).toBe('t');
  });

  it("options=-c search_path=… takes effect, and the client's own options come after it", async () => {
    const tunnel = await direct(appUrl('sslmode=require&options=-c%20search_path%3Dfrom_url'));
    expect(await queryThrough(tunnel, 'show search_path')).toBe('from_url');
    expect(
      await queryThrough(tunnel, 'show search_path', { PGOPTIONS: '-c search_path=from_client' }),
    ).toBe('from_client');
  });

  it('a password from PGPASSFILE when the URL has none', async () => {
    const passfile = join(dir, 'pgpass');
    await writeFile(
      passfile,
      `# test\nlocalhost:${server.port}:*:app:${PASSWORD.replace(/:/g, '\\:')}\n`,
    );
    await chmod(passfile, 0o600);
    const tunnel = await direct(appUrl('sslmode=require', ''), { PGPASSFILE: passfile });
    expect(await queryThrough(tunnel, 'select current_user')).toBe('app');
  });

  it('service=NAME from PGSERVICEFILE', async () => {
    const serviceFile = join(dir, 'pg_service.conf');
    await writeFile(
      serviceFile,
      `[other]\nhost=nowhere.invalid\n\n[shop]\nhost=localhost\nport=${server.port}\nuser=app\ndbname=appdb\nsslmode=require\n`,
    );
    const tunnel = await direct('service=shop', {
      PGSERVICEFILE: serviceFile,
      PGPASSWORD: PASSWORD,
    });
    expect(await queryThrough(tunnel, "select current_user || '@' || inet_server_port()")).toBe(
      `app@${server.port}`,
    );
  });

  it('gssencmode=require and krbsrvname are refused with a sentence saying why', async () => {
    for (const query of ['gssencmode=require', 'krbsrvname=postgres']) {
      const result = await run(
        process.execPath,
        [CLI_PATH],
        {
          DATABASE_URL: appUrl(query),
          PDP_API_KEY: undefined,
        },
        { timeoutMs: 10_000 },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PG Tunnel cannot log in with Kerberos (GSSAPI)');
    }
  });

  it('ssl_min_protocol_version and ssl_max_protocol_version choose the TLS version', async () => {
    const version = 'select version from pg_stat_ssl where pid = pg_backend_pid()';
    const newest = await direct(appUrl(`${verified()}&ssl_min_protocol_version=TLSv1.3`));
    expect(await queryThrough(newest, version)).toBe('TLSv1.3');
    const older = await direct(appUrl(`${verified()}&ssl_max_protocol_version=TLSv1.2`));
    expect(await queryThrough(older, version)).toBe('TLSv1.2');
  });

  it('sslcrl and sslcrldir: a server certificate they revoke is refused', async () => {
    const other = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-crl-')));
    // The server's certificate, issued again by a CA that then revokes it: the test's CA is
    // untouched, so the other tests keep their server.
    const revoked = await issueServerCertificate(other, { name: 'revoked' });
    const crl = await revokeCertificate(other, revoked);
    const crlDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-crldir-'));
    await copyFile(crl, join(crlDir, 'revoked.crl'));
    await server.useCertificate(revoked);
    try {
      const checked = `sslmode=verify-full&sslrootcert=${encodeURIComponent(other.certPath)}`;
      for (const list of [
        `sslcrl=${encodeURIComponent(crl)}`,
        `sslcrldir=${encodeURIComponent(crlDir)}`,
      ]) {
        const tunnel = await direct(appUrl(`${checked}&${list}`));
        const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 1']);
        expect(result.stderr).toContain('CERT_REVOKED: the certificate revocation list');
      }
      const unchecked = await direct(appUrl(checked));
      expect(await queryThrough(unchecked, 'select current_user')).toBe('app');
    } finally {
      await server.useCertificate(serverCertificate);
    }
  });

  it('require_auth: a method the server does not use is refused before a password is sent', async () => {
    const refused = await direct(appUrl('sslmode=require&require_auth=password,md5'));
    const result = await psql(refused.host, refused.port, ['-c', 'select 1']);
    expect(result.stderr).toContain(
      'the server asks for scram-sha-256 authentication, which require_auth=password,md5 does not allow',
    );
    const allowed = await direct(appUrl('sslmode=require&require_auth=scram-sha-256'));
    expect(await queryThrough(allowed, 'select current_user')).toBe('app');
  });

  it('hostaddr: the address connected to, without resolving host', async () => {
    const tunnel = await direct(
      `host=db.invalid hostaddr=127.0.0.1 port=${server.port} user=app dbname=appdb sslmode=require password=${PASSWORD}`,
    );
    expect(await queryThrough(tunnel, 'select current_user')).toBe('app');
  });

  it('a Unix-socket host (its directory) reaches the server over its socket', async () => {
    const tunnel = await direct(
      `host=/tmp port=${postgres.port} user=${postgres.user} dbname=postgres password=${postgres.password}`,
    );
    expect(
      await queryThrough(tunnel, "select coalesce(inet_server_port()::text, 'unix socket')"),
    ).toBe('unix socket');
  });

  it('gssencmode=prefer goes on without GSS encryption', async () => {
    const tunnel = await direct(appUrl('sslmode=require&gssencmode=prefer'));
    expect(await queryThrough(tunnel, 'select current_user')).toBe('app');
  });
});
