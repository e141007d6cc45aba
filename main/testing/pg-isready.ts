import { run } from './child-process.js';

/**
 * Runs Debian's `pg_isready` against host:port (database postgres, a 10 s connect_timeout) and
 * resolves with its exit status: 0 accepting connections, 1 rejecting (the server answered
 * 57P03), 2 no response, 3 no attempt made.
 */
export async function pgIsReady(host: string, port: number): Promise<number | null> {
  const result = await run(
    'pg_isready',
    ['-h', host, '-p', String(port), '-d', 'postgres', '-t', '10'],
    { PGSSLMODE: undefined, PGPASSWORD: undefined },
    { timeoutMs: 30_000 },
  );
  return result.code;
}
