import type pg from 'pg';
import { run } from '../main/testing/child-process.js';
import type { Connection } from './targets.js';

/**
 * node-postgres's settings for a connection, its sslmode read as libpq reads it: require is TLS
 * with the certificate unchecked, disable plain text. A login may take 30 s on a loaded machine.
 */
export function nodePgConfig(connection: Connection): pg.ClientConfig {
  const { sslmode, ...where } = connection;
  return {
    ...where,
    ssl: sslmode === 'require' ? { rejectUnauthorized: false } : false,
    connectionTimeoutMillis: 30_000,
  };
}

/**
 * The libpq environment of pgbench and psql. sslmode=disable for every target on loopback but
 * pg-tunnel-tls: the reference client requires it, and with it no target pays for an SSLRequest
 * round trip the others skip; pg-tunnel-tls is there to measure TLS on the local leg
 * (sslmode=require). Across the simulated network, direct-tls is require: a remote database
 * wants TLS.
 */
function libpqEnv(connection: Connection): NodeJS.ProcessEnv {
  return {
    PGHOST: connection.host,
    PGPORT: String(connection.port),
    PGUSER: connection.user,
    PGDATABASE: connection.database,
    PGPASSWORD: connection.password,
    PGSSLMODE: connection.sslmode,
    PGCONNECT_TIMEOUT: '10',
    // Settings from the shell running the benchmark must not reach the clients.
    PGSERVICE: undefined,
    PGOPTIONS: undefined,
    PGAPPNAME: undefined,
  };
}

/** Runs psql -c for each command (in one session); throws with its stderr unless it succeeds. */
export async function psql(
  connection: Connection,
  commands: string[],
  timeoutMs = 600_000,
): Promise<string> {
  const args = ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1'];
  const result = await run(
    'psql',
    [...args, ...commands.flatMap((command) => ['-c', command])],
    libpqEnv(connection),
    { timeoutMs },
  );
  if (result.code !== 0) {
    throw new Error(`psql ${commands.join('; ')} failed (${result.code}): ${result.stderr}`);
  }
  return result.stdout.trim();
}

/** Runs pgbench; resolves with what it printed, or throws with its stderr. */
export async function pgbench(connection: Connection, args: string[]): Promise<string> {
  const durationAt = args.indexOf('-T');
  const seconds = durationAt >= 0 ? Number(args[durationAt + 1]) : 0;
  const result = await run('pgbench', args, libpqEnv(connection), {
    timeoutMs: (seconds + 120) * 1000,
  });
  if (result.code !== 0) {
    throw new Error(`pgbench ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  }
  return result.stdout;
}

/** Runs a pgbench benchmark; resolves with its tps, after checking that no transaction failed. */
export async function pgbenchTps(connection: Connection, args: string[]): Promise<number> {
  const output = await pgbench(connection, args);
  const tps = /^tps = ([\d.]+)/m.exec(output)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(output)?.[1];
  if (tps === undefined || failed !== '0') {
    throw new Error(`pgbench ${args.join(' ')}: no tps, or failed transactions:\n${output}`);
  }
  return Number(tps);
}

/**
 * Waits until Postgres has no client sessions but the one asking, so that a workload does not start
 * while the backends of the previous one are still exiting. Postgres busy reaping a thousand of
 * them may also be too slow to accept this check's own connection: that only means "not yet".
 */
export async function waitForNoSessions(direct: Connection, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const count =
    "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()";
  for (;;) {
    const left = await psql(direct, [count]).then(Number, (error: Error) => error.message);
    if (left === 0) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Postgres still busy after ${timeoutMs} ms: ${left} sessions open`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The wall time of `run`, in seconds: for a client program, what a user running it would wait. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  await run();
  return (performance.now() - startedAt) / 1000;
}
