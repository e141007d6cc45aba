import { run } from './child-process.js';

/** Runs psql against host:port with no password and no PGSSLMODE unless `env` sets one. */
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
      'anydb',
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
