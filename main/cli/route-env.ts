import { readConnectionInput } from '../../shared/connection-input.js';
import {
  ConnectionStringError,
  isConnectionString,
  readConnectionString,
  type DirectConnectionString,
} from '../../shared/connection-string.js';
import { UsageError } from './usage-error.js';

/** Where `pg-tunnel` leads, as its environment and flags say. */
export type CliRoute =
  | { kind: 'tunnel'; apiKey: string }
  | ({
      kind: 'direct';
      source: 'DATABASE_URL' | '--url';
      /** The HINT for a refused or missing password: names where the password came from. */
      passwordHint: string;
      /** DATABASE_URL, when it is set too and --url wins over it (the CLI says so). */
      overrides?: 'DATABASE_URL';
    } & DirectConnectionString);

/**
 * Reads the route. The order: `--url` (a postgres:// URL without its password) over DATABASE_URL;
 * then, as the reference client reads them, PDP_API_KEY over DATABASE_URL's api_key. DATABASE_URL
 * is a direct tunnel when it is a postgres:// URL (or libpq key=value string) and a tunnel when it
 * is a prisma+postgres:// URL with an api_key. A direct URL without a password takes PGPASSWORD's,
 * as libpq does.
 *
 * @throws UsageError with one sentence that never repeats a secret: no route at all, a malformed
 *   value, a password in --url (the process list shows every argument to every user), or an API
 *   key in PDP_API_KEY together with a postgres:// URL in DATABASE_URL or --url (two different
 *   places to lead: the sentence says which to unset).
 */
export function routeFromEnvironment(env: NodeJS.ProcessEnv, url: string | undefined): CliRoute {
  const fromKey = env['PDP_API_KEY'];
  const databaseUrl = env['DATABASE_URL'];
  if (url !== undefined) {
    refuseBoth(fromKey, '--url', 'drop --url');
    const route = direct(url, env);
    return databaseUrl ? { ...route, overrides: 'DATABASE_URL' } : route;
  }
  if (fromKey !== undefined) {
    const input = readConnectionInput(fromKey, 'PDP_API_KEY');
    if (input.kind !== 'tunnel') {
      throw new UsageError(
        input.kind === 'invalid'
          ? input.error
          : 'PDP_API_KEY holds a postgres:// URL: put it in DATABASE_URL for a direct tunnel.',
      );
    }
    if (databaseUrl !== undefined && isConnectionString(databaseUrl)) {
      refuseBoth(fromKey, 'DATABASE_URL', 'unset DATABASE_URL');
    }
    return input;
  }
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
    if (input.kind === 'tunnel') {
      return input;
    }
    const password = input.password || undefined;
    return {
      ...input,
      source: 'DATABASE_URL',
      ...(password === undefined
        ? withPgPassword(env, 'Put the password in DATABASE_URL, or set PGPASSWORD.')
        : { password, passwordHint: 'Check the password in DATABASE_URL.' }),
    };
  }
  throw new UsageError(
    'No API key or database URL found: set DATABASE_URL to a postgres:// URL (a direct tunnel) or to a prisma+postgres:// URL with an api_key, or set PDP_API_KEY (in the environment or in .env).',
  );
}

/** An API key and a postgres:// URL lead to two places: which one was meant is the user's call. */
function refuseBoth(apiKey: string | undefined, source: string, otherwise: string): void {
  if (apiKey !== undefined) {
    throw new UsageError(
      `PDP_API_KEY (an API key, through a gateway) and ${source} (a postgres:// URL, a direct tunnel) are both set: unset PDP_API_KEY for the direct tunnel, or ${otherwise} for the API key.`,
    );
  }
}

type DirectRoute = Extract<CliRoute, { kind: 'direct' }>;

function direct(url: string, env: NodeJS.ProcessEnv): DirectRoute {
  if (!isConnectionString(url)) {
    throw new UsageError(
      readConnectionInput(url, '--url').kind === 'tunnel'
        ? '--url takes a postgres:// URL; an API key goes in PDP_API_KEY or DATABASE_URL, where the process list does not show it.'
        : '--url takes a postgres:// URL without its password (postgres://user@host/database) or a libpq key=value string.',
    );
  }
  let input: DirectConnectionString;
  try {
    input = readConnectionString(url, '--url');
  } catch (error) {
    throw error instanceof ConnectionStringError ? new UsageError(error.message) : error;
  }
  // `user:@host` carries no secret: as good as no password.
  if (input.password) {
    throw new UsageError(
      '--url holds a password, which every user of this machine can read in the process list: put the URL in DATABASE_URL instead, or the password in PGPASSWORD.',
    );
  }
  return {
    kind: 'direct',
    ...input,
    source: '--url',
    ...withPgPassword(env, 'Set PGPASSWORD: --url carries no password.'),
  };
}

/**
 * libpq's rule for a URL without a password: PGPASSWORD's. `missing` is the HINT when there is
 * none either.
 */
function withPgPassword(
  env: NodeJS.ProcessEnv,
  missing: string,
): { password: string | undefined; passwordHint: string } {
  const password = env['PGPASSWORD'];
  return password === undefined
    ? { password, passwordHint: missing }
    : { password, passwordHint: 'Check the password in PGPASSWORD.' };
}
