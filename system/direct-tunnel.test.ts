import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run, start } from '../main/testing/child-process.js';
import { CLI_PATH, startDirectTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { pgbenchThrough } from '../main/testing/pgbench.js';
import { freePort } from '../main/testing/ports.js';
import { psql } from '../main/testing/psql.js';
import {
  issueServerCertificate,
  makeCertificateAuthority,
  type TestCertificateAuthority,
} from '../main/testing/tls.js';
import { startTlsPostgres, type TlsPostgresServer } from '../main/testing/tls-postgres.js';
import { localCaDir } from '../main/tls/index.js';
import { until } from '../main/testing/until.js';

/**
 * `pg-tunnel` as a direct tunnel, as users run it: DATABASE_URL=postgres://… with a password,
 * against a real Postgres with TLS (a private CA, a server certificate for 127.0.0.1 and
 * localhost) and scram-sha-256, where the role `app` may log in over TLS only.
 */
const PASSWORD = `S3cret p@ss:/?#${Math.random().toString(36).slice(2)}`;
const HBA = `
hostssl   all app 127.0.0.1/32 scram-sha-256
hostnossl all app 127.0.0.1/32 reject
host      all all 127.0.0.1/32 scram-sha-256
local     all all trust
`;

const sharedPostgres = inject('postgres');
let ca: TestCertificateAuthority;
let otherCa: TestCertificateAuthority;
let server: TlsPostgresServer;
const running: RunningTunnel[] = [];

beforeAll(async () => {
  ca = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-ca-')));
  otherCa = await makeCertificateAuthority(await mkdtemp(join(tmpdir(), 'pg-tunnel-other-ca-')));
  server = await startTlsPostgres({
    certificate: await issueServerCertificate(ca, { name: 'server' }),
    hba: HBA,
    setupSql: [
      `create role app login password '${PASSWORD.replace(/'/g, "''")}'`,
      'create database appdb owner app',
    ],
  });
});

afterAll(async () => {
  await Promise.all(running.map((tunnel) => tunnel.process.stop()));
  await server?.stop();
});

/** postgres://app:PASSWORD@127.0.0.1:PORT/appdb?QUERY, the password percent-encoded. */
const urlOf = (query: string, password = PASSWORD): string =>
  `postgres://app:${encodeURIComponent(password)}@127.0.0.1:${server.port}/appdb?${query}`;
const withCa = (authority: () => TestCertificateAuthority) => () =>
  `sslmode=verify-full&sslrootcert=${encodeURIComponent(authority().certPath)}`;
const verifiedByCa = withCa(() => ca);

async function directTunnel(
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<RunningTunnel> {
  const tunnel = await startDirectTunnelCli(databaseUrl, env, args);
  running.push(tunnel);
  return tunnel;
}

const SEEN_BY_SERVER =
  'select current_user, current_database(), (select ssl from pg_stat_ssl where pid = pg_backend_pid())';

describe('a direct tunnel with sslmode=verify-full and the private CA', () => {
  let tunnel: RunningTunnel;
  beforeAll(async () => {
    tunnel = await directTunnel(urlOf(verifiedByCa()));
  });

  it('prints the same banner, saying where it logs in, and takes psql with no password', async () => {
    expect(tunnel.process.stdout).toContain(
      `PG Tunnel logs in to 127.0.0.1:${server.port} as app (database appdb, sslmode=verify-full); your clients need no password.`,
    );
    expect(tunnel.process.stdout).toMatch(/username: {2}<anything>\npassword: {2}<none>/);
    const result = await psql(tunnel.host, tunnel.port, ['-d', 'appdb', '-c', SEEN_BY_SERVER]);
    expect(result.stderr).toBe('');
    // The server sees the profile's role, its database, and TLS.
    expect(result.stdout.trim()).toBe('app|appdb|t');
    await tunnel.process.waitFor(
      /⏩ \[\d+\] 127\.0\.0\.1:\d+ connected: user anything, database appdb/,
    );
    await tunnel.process.waitFor(/✖️ {2}\[\d+\] closed after/);
  });

  it("a client naming another database (GUI clients' postgres) gets it, as the profile's role", async () => {
    const result = await psql(tunnel.host, tunnel.port, [
      '-d',
      'postgres',
      '-c',
      'select current_user, current_database()',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('app|postgres');
  });

  it("psql's Ctrl-C cancels pg_sleep(30): the CancelRequest reaches the database", async () => {
    const proc = start(
      'psql',
      [
        '-h',
        tunnel.host,
        '-p',
        String(tunnel.port),
        '-d',
        'appdb',
        '-X',
        '-c',
        'select pg_sleep(30)',
      ],
      { PGSSLMODE: undefined, PGPASSWORD: undefined, PGAPPNAME: 'cancel-check' },
    );
    // Sent once the database runs the query, as a person pressing Ctrl-C would.
    await until(
      async () => ((await activeQueries('select pg_sleep(30)')) === 1 ? true : undefined),
      'the database to run pg_sleep(30)',
      15_000,
    );
    proc.child.kill('SIGINT');
    expect(await proc.exited).not.toBe(0);
    expect(proc.stderr).toContain('canceling statement due to user request');
  });

  it('pgbench -c 8 -j 2 -T 10 through it: zero failed transactions', async () => {
    const { processed, failed } = await pgbenchThrough(
      tunnel.host,
      tunnel.port,
      'anything',
      'appdb',
    );
    console.info(`pgbench through a direct tunnel: ${processed} transactions, ${failed} failed`);
    expect(processed).toBeGreaterThan(100);
    expect(failed).toBe(0);
  }, 120_000);

  it('the password is in none of the process arguments, nor in what the tunnel printed', async () => {
    const processes = await run('ps', ['-eo', 'args']);
    expect(processes.code).toBe(0);
    expect(processes.stdout).toContain(CLI_PATH);
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD)]) {
      expect(processes.stdout).not.toContain(form);
      expect(tunnel.process.output).not.toContain(form);
      expect(await readFile(`/proc/${tunnel.process.child.pid}/cmdline`, 'utf8')).not.toContain(
        form,
      );
    }
  });
});

describe('a direct tunnel with TLS on its local port', () => {
  /**
   * Two legs, each with its own TLS: psql → the local port (the local CA of the config directory)
   * and PG Tunnel → the database (the URL's sslmode=verify-full with the database's private CA).
   */
  let configDir: string;
  let tunnel: RunningTunnel;
  let localCaPath: string;
  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-direct-tls-'));
    tunnel = await directTunnel(urlOf(verifiedByCa()), {}, [
      '--tls',
      'on',
      '--config-dir',
      configDir,
    ]);
    localCaPath = join(localCaDir(configDir), 'ca.crt');
  });
  afterAll(async () => {
    await rm(configDir, { recursive: true, force: true });
  });

  it('psql with sslmode=verify-full, sslrootcert=<the local CA>, host=localhost: TLS on both legs', async () => {
    // The banner names the local CA, as for a tunnel through a gateway.
    expect(tunnel.process.stdout).toContain(`sslmode=verify-full sslrootcert=${localCaPath}`);
    const result = await psql(
      'localhost',
      tunnel.port,
      ['-d', 'appdb', '-c', SEEN_BY_SERVER, '-c', '\\conninfo'],
      { PGSSLMODE: 'verify-full', PGSSLROOTCERT: localCaPath },
    );
    expect(result.stderr).toBe('');
    // The database sees the profile's role over its own TLS leg...
    expect(result.stdout.split('\n')[0]).toBe('app|appdb|t');
    // ...and psql's leg to the local port is TLS, verified against the local CA.
    expect(result.stdout).toMatch(/^SSL connection \(protocol: TLSv1\.[23], cipher: \S+/m);
  });

  it("the local port's certificate is the local CA's, not the database's", async () => {
    // Verifying the local port against the database's CA fails: the legs do not share a certificate.
    const refused = await psql('localhost', tunnel.port, ['-d', 'appdb', '-c', 'select 1'], {
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: ca.certPath,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('certificate verify failed');
  });

  it('a client that does not ask for TLS still connects, in plain text', async () => {
    const result = await psql(
      tunnel.host,
      tunnel.port,
      ['-d', 'appdb', '-c', SEEN_BY_SERVER, '-c', '\\conninfo'],
      { PGSSLMODE: 'disable' },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('app|appdb|t');
    expect(result.stdout).not.toContain('SSL connection');
  });
});

/** How many backends of the test's Postgres are running `query` now (asked as its owner). */
async function activeQueries(query: string): Promise<number> {
  const owner = new pg.Client({ connectionString: server.url });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ count: string }>(
      "select count(*) from pg_stat_activity where query = $1 and state = 'active'",
      [query],
    );
    return Number(rows[0]!.count);
  } finally {
    await owner.end();
  }
}

describe('what psql shows when the direct login fails', () => {
  /** psql through a direct tunnel to `databaseUrl`: its exit code and what it printed. */
  async function psqlThrough(databaseUrl: string, env: NodeJS.ProcessEnv = {}) {
    const tunnel = await directTunnel(databaseUrl, env);
    const result = await psql(tunnel.host, tunnel.port, ['-d', 'appdb', '-c', 'select 1']);
    expect(result.code).not.toBe(0);
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD)]) {
      expect(result.stderr).not.toContain(form);
      expect(tunnel.process.output).not.toContain(form);
    }
    return result.stderr;
  }

  it('a wrong password: FATAL 28P01 naming where, and what to correct', async () => {
    const stderr = await psqlThrough(urlOf(verifiedByCa(), 'not-the-password'));
    expect(stderr).toContain(
      `FATAL:  PG Tunnel could not log in to 127.0.0.1:${server.port}: password authentication failed for user "app"`,
    );
    expect(stderr).toContain('HINT:  Check the password in DATABASE_URL.');
  });

  it('a certificate from another CA: names the host and what it was checked against', async () => {
    const stderr = await psqlThrough(urlOf(withCa(() => otherCa)()));
    expect(stderr).toContain(
      `FATAL:  PG Tunnel could not log in to 127.0.0.1:${server.port}: the server's certificate is not signed by a trusted CA (checked against sslrootcert=${otherCa.certPath}`,
    );
  });

  it('sslmode=require against a server without TLS: says TLS is refused', async () => {
    const stderr = await psqlThrough(
      `postgres://${sharedPostgres.user}:${encodeURIComponent(sharedPostgres.password)}@127.0.0.1:${sharedPostgres.port}/postgres?sslmode=require`,
    );
    expect(stderr).toContain(
      `FATAL:  PG Tunnel could not log in to 127.0.0.1:${sharedPostgres.port}: the server does not accept TLS, and sslmode=require requires it`,
    );
  });

  it('a port nobody listens on, and a host name that does not resolve: name host:port', async () => {
    const closed = await freePort();
    expect(await psqlThrough(`postgres://app@127.0.0.1:${closed}/appdb`)).toContain(
      `FATAL:  PG Tunnel could not reach 127.0.0.1:${closed}: connection refused (ECONNREFUSED)`,
    );
    expect(await psqlThrough('postgres://app@no-such-host.invalid/appdb')).toMatch(
      /FATAL: {2}PG Tunnel could not reach no-such-host\.invalid:5432: (no such host \(ENOTFOUND\)|the host name could not be resolved just now \(EAI_AGAIN\))/,
    );
  });

  it('no password anywhere, for a role that needs one: says so, and where to give it', async () => {
    const stderr = await psqlThrough(urlOf(verifiedByCa()).replace(/:[^:@]*@/, '@'));
    expect(stderr).toContain('the database asks for a password, and none is saved');
    expect(stderr).toContain(
      'HINT:  Put the password in DATABASE_URL, set PGPASSWORD, or add it to the password file (PGPASSFILE, ~/.pgpass).',
    );
  });
});

describe('where the CA and the password come from', () => {
  it('sslrootcert=system: the system store, which NODE_EXTRA_CA_CERTS adds the private CA to', async () => {
    const url = urlOf('sslrootcert=system');
    const trusted = await directTunnel(url, { NODE_EXTRA_CA_CERTS: ca.certPath });
    const result = await psql(trusted.host, trusted.port, ['-d', 'appdb', '-c', SEEN_BY_SERVER]);
    expect(result.stdout.trim()).toBe('app|appdb|t');

    const untrusted = await directTunnel(url, { NODE_EXTRA_CA_CERTS: undefined });
    const refused = await psql(untrusted.host, untrusted.port, ['-d', 'appdb', '-c', 'select 1']);
    expect(refused.stderr).toContain(
      "the server's certificate is not signed by a trusted CA (checked against the system's trusted CAs",
    );
  });

  it("without sslrootcert, libpq's ~/.postgresql/root.crt, or a sentence when there is none", async () => {
    const home = await mkdtemp(join(tmpdir(), 'pg-tunnel-home-'));
    const url = urlOf('sslmode=verify-full');
    const without = await directTunnel(url, { HOME: home });
    const refused = await psql(without.host, without.port, ['-d', 'appdb', '-c', 'select 1']);
    expect(refused.stderr).toContain(
      `sslmode=verify-full needs a CA to check the server's certificate against, and ${home}/.postgresql/root.crt does not exist: set sslrootcert to the CA's file, or sslrootcert=system for the system's trusted CAs`,
    );

    await mkdir(join(home, '.postgresql'));
    await copyFile(ca.certPath, join(home, '.postgresql', 'root.crt'));
    const withFile = await directTunnel(url, { HOME: home });
    const result = await psql(withFile.host, withFile.port, ['-d', 'appdb', '-c', SEEN_BY_SERVER]);
    expect(result.stdout.trim()).toBe('app|appdb|t');
  });

  it('--url takes the URL without its password, and PGPASSWORD gives it, as libpq reads it', async () => {
    const url = urlOf(verifiedByCa()).replace(/:[^:@]*@/, '@');
    const tunnel = await directTunnel(undefined, { PGPASSWORD: PASSWORD }, ['--url', url]);
    const result = await psql(tunnel.host, tunnel.port, ['-d', 'appdb', '-c', SEEN_BY_SERVER]);
    expect(result.stdout.trim()).toBe('app|appdb|t');

    // DATABASE_URL, set too, is not where the password came from: the HINT names PGPASSWORD.
    const wrong = await directTunnel(urlOf(verifiedByCa()), { PGPASSWORD: 'not-it' }, [
      '--url',
      url,
    ]);
    await wrong.process.waitFor(/Using --url; DATABASE_URL is set too, and ignored\./);
    const refused = await psql(wrong.host, wrong.port, ['-d', 'appdb', '-c', 'select 1']);
    expect(refused.stderr).toContain('HINT:  Check the password in PGPASSWORD.');
  });

  it('--url with a password in it is refused: the process list would show it to everyone', async () => {
    const result = await run(
      process.execPath,
      [CLI_PATH, '--url', urlOf(verifiedByCa())],
      { PDP_API_KEY: undefined, DATABASE_URL: undefined },
      { timeoutMs: 10_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      '--url holds a password, which every user of this machine can read in the process list: put the URL in DATABASE_URL instead, or the password in PGPASSWORD.',
    );
  });

  it('warns about a server whose certificate is not checked, and names the ignored client settings', async () => {
    const tunnel = await directTunnel(
      'postgres://app@db.example.test/appdb?sslmode=require&schema=public&application_name=x',
    );
    await tunnel.process.waitFor(
      /⚠️ {2}The connection to db\.example\.test is encrypted, but nothing checks that the server is who it says \(sslmode=require\)/,
    );
    await tunnel.process.waitFor(
      /Ignored in DATABASE_URL: schema, application_name \(client settings: each client brings its own\)\./,
    );
  });
});
