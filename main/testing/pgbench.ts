import { run } from './child-process.js';

export interface PgbenchResult {
  processed: number;
  failed: number;
}

/**
 * `pgbench -i -s 1` then `pgbench -c 8 -j 2 -T 10` (the load: eight clients on two
 * threads for ten seconds) against host:port, as `user` in `database`, with no password and no
 * TLS of its own; resolves with the transactions processed and failed. Rejects with pgbench's
 * output when either run exits non-zero.
 */
export async function pgbenchThrough(
  host: string,
  port: number,
  user: string,
  database: string,
): Promise<PgbenchResult> {
  const env = { PGSSLMODE: undefined, PGPASSWORD: undefined, PGUSER: user, PGDATABASE: database };
  const target = ['-h', host, '-p', String(port)];
  const init = await run('pgbench', ['-i', '-s', '1', '-q', ...target], env, {
    timeoutMs: 120_000,
  });
  if (init.code !== 0) {
    throw new Error(`pgbench -i failed: ${init.stderr}`);
  }
  const bench = await run('pgbench', ['-c', '8', '-j', '2', '-T', '10', ...target], env, {
    timeoutMs: 60_000,
  });
  if (bench.code !== 0) {
    throw new Error(`pgbench failed: ${bench.stderr}`);
  }
  return {
    processed: Number(/number of transactions actually processed: (\d+)/.exec(bench.stdout)?.[1]),
    failed: Number(/number of failed transactions: (\d+)/.exec(bench.stdout)?.[1]),
  };
}
