import { run } from './child-process.js';

/**
 * Runs psql against host:port with no password and no PGSSLMODE unless `env` sets one, as user
 * "anything", in database "postgres": the key's own database in every test gateway, so that no
 * notice about another database is printed (a `-d` in `args` overrides it).
 */
export function psql(
  host: string,
  port: number,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs?: number,
): ReturnType<typeof run> {
  return run(
    'psql',
    [
      '-h',
      host,
      '-p',
      String(port),
      '-U',
      'anything',
      '-d',
      'postgres',
      '-X',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      ...args,
    ],
    { PGSSLMODE: undefined, PGPASSWORD: undefined, PGCONNECT_TIMEOUT: '10', ...env },
    { timeoutMs },
  );
}

/**
 * Runs psql as the README tells a newcomer to: `psql -h HOST -p PORT` and no user or database, so
 * that libpq defaults both to the operating-system user (no PGUSER, PGDATABASE or PGSSLMODE from
 * the test's environment either). `args` follow (-c …).
 */
export function psqlWithDefaults(
  host: string,
  port: number,
  args: string[],
): ReturnType<typeof run> {
  return run('psql', ['-h', host, '-p', String(port), '-X', '-A', '-t', ...args], {
    PGUSER: undefined,
    PGDATABASE: undefined,
    PGSSLMODE: undefined,
    PGPASSWORD: undefined,
    PGCONNECT_TIMEOUT: '10',
  });
}
