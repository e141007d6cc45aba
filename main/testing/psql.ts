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
