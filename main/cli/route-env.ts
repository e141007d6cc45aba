import { readConnectionInput } from '../../shared/connection-input.js';
import { isConnectionString, type DirectConnectionString } from '../../shared/connection-string.js';
import { UsageError } from './usage-error.js';

/** Where `pg-tunnel` leads, as its environment and flags say. */
export type CliRoute =
  | { kind: 'tunnel'; apiKey: string }
  | ({ kind: 'direct'; source: 'DATABASE_URL' | '--url' } & DirectConnectionString);

/**
 * Reads the route: `--url` (a postgres:// URL without its password), else the reference client's
 * order, PDP_API_KEY, else DATABASE_URL, which is a direct tunnel when it is a postgres:// URL (or
 * libpq key=value string) and a tunnel when it is a prisma+postgres:// URL with an api_key. A
 * direct URL without a password takes PGPASSWORD's, as libpq does.
 *
 * @throws UsageError with one sentence that never repeats a secret: no route at all, a malformed
 *   value, or a password in --url (the process list shows every argument to every user).
 */
export function routeFromEnvironment(env: NodeJS.ProcessEnv, url: string | undefined): CliRoute {
  if (url !== undefined) {
    return direct(url, '--url', env);
  }
  const fromKey = env['PDP_API_KEY'];
  if (fromKey !== undefined) {
    const input = readConnectionInput(fromKey, 'PDP_API_KEY');
    if (input.kind !== 'tunnel') {
      throw new UsageError(
        input.kind === 'invalid'
          ? input.error
          : 'PDP_API_KEY holds a postgres:// URL: put it in DATABASE_URL for a direct tunnel.',
      );
    }
    return input;
  }
  const databaseUrl = env['DATABASE_URL'];
  if (databaseUrl !== undefined) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl.trim()) && !isConnectionString(databaseUrl)) {
      throw new UsageError(
        'DATABASE_URL is not a URL: expected postgres://user:password@host/database, or prisma+postgres://accelerate.prisma-data.net/?api_key=...',
      );
    }
    const input = readConnectionInput(databaseUrl, 'DATABASE_URL');
    if (input.kind === 'invalid') {
      throw new UsageError(input.error);
    }
    return input.kind === 'tunnel'
      ? input
      : withPgPassword({ ...input, source: 'DATABASE_URL' as const }, env);
  }
  throw new UsageError(
    'No API key or database URL found: set DATABASE_URL to a postgres:// URL (a direct tunnel) or to a prisma+postgres:// URL with an api_key, or set PDP_API_KEY (in the environment or in .env).',
  );
}

function direct(url: string, source: '--url', env: NodeJS.ProcessEnv): CliRoute {
  const input = readConnectionInput(url, source);
  if (input.kind === 'invalid') {
    throw new UsageError(input.error);
  }
  if (input.kind === 'tunnel') {
    throw new UsageError(
      '--url takes a postgres:// URL; an API key goes in PDP_API_KEY or DATABASE_URL, where the process list does not show it.',
    );
  }
  if (input.password !== undefined) {
    throw new UsageError(
      '--url holds a password, which every user of this machine can read in the process list: put the URL in DATABASE_URL instead, or the password in PGPASSWORD.',
    );
  }
  return withPgPassword({ ...input, source }, env);
}

/** libpq's rule: a password in the connection string wins, else PGPASSWORD. */
function withPgPassword<T extends { password: string | undefined }>(
  route: T,
  env: NodeJS.ProcessEnv,
): T {
  return { ...route, password: route.password ?? env['PGPASSWORD'] };
}
