import { looksLikeUrl } from '../../shared/api-key.js';
import { readConnectionInput } from '../../shared/connection-input.js';
import { urlTypoProblem } from '../../shared/url-typo.js';
import { isConnectionString, type DirectConnectionString } from '../../shared/connection-string.js';
import { lookUpService } from '../upstream/service-file.js';
import { UsageError } from './usage-error.js';

/** Where `pg-tunnel` leads, as its environment and flags say. */
export type CliRoute = (
  | { kind: 'tunnel'; apiKey: string }
  | ({
      kind: 'direct';
      source: 'DATABASE_URL' | '--url';
      /** The HINT for a refused or missing password: names where the password came from. */
      passwordHint: string;
    } & DirectConnectionString)
) & {
  /**
   * What is set too and lost to the route taken (the CLI says so): PDP_API_KEY and DATABASE_URL
   * under --url; a postgres:// DATABASE_URL under PDP_API_KEY.
   */
  overrides?: ('PDP_API_KEY' | 'DATABASE_URL')[];
};

/**
 * Reads the route. The order: the flag `--url` (a postgres:// URL without its password) over the
 * environment; then, as the reference client reads them, PDP_API_KEY over DATABASE_URL, whether
 * that holds a prisma+postgres:// api_key or a postgres:// URL (a project's .env often holds the
 * app's own DATABASE_URL beside the tunnel's key, and `npx @prisma/ppg-tunnel` follows the key
 * there). What loses is named in `overrides`, for the CLI to say. DATABASE_URL alone is a direct
 * tunnel when it is a postgres:// URL (or libpq key=value string) and a tunnel when it is a
 * prisma+postgres:// URL with an api_key. A direct URL without a password takes PGPASSWORD's, as
 * libpq does.
 *
 * @throws UsageError with one sentence that never repeats a secret: no route at all, a malformed
 *   value, or a password in --url (the process list shows every argument to every user).
 */
export function routeFromEnvironment(env: NodeJS.ProcessEnv, url: string | undefined): CliRoute {
  const fromKey = env['PDP_API_KEY'];
  const databaseUrl = env['DATABASE_URL'];
  if (url !== undefined) {
    const route = direct(url, env);
    const overrides = (['PDP_API_KEY', 'DATABASE_URL'] as const).filter(
      (name) => env[name] !== undefined,
    );
    return overrides.length > 0 ? { ...route, overrides } : route;
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
    return databaseUrl !== undefined && isConnectionString(databaseUrl)
      ? { ...input, overrides: ['DATABASE_URL'] }
      : input;
  }
  if (databaseUrl !== undefined) {
    if (!looksLikeUrl(databaseUrl) && !isConnectionString(databaseUrl)) {
      throw new UsageError(
        urlTypoProblem(databaseUrl, 'DATABASE_URL') ??
          'DATABASE_URL is not a URL: expected postgres://user:password@host/database, or prisma+postgres://accelerate.prisma-data.net/?api_key=...',
      );
    }
    const input = readConnectionInput(databaseUrl, 'DATABASE_URL', lookUpService);
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
        ? withPgPassword(
            env,
            'Put the password in DATABASE_URL, set PGPASSWORD, or add it to the password file (PGPASSFILE, ~/.pgpass).',
          )
        : { password, passwordHint: 'Check the password in DATABASE_URL.' }),
    };
  }
  throw new UsageError(
    'No API key or database URL found: set DATABASE_URL to a postgres:// URL (a direct tunnel) or to a prisma+postgres:// URL with an api_key, or set PDP_API_KEY (in the environment or in .env).',
  );
}

type DirectRoute = Extract<CliRoute, { kind: 'direct' }>;

function direct(url: string, env: NodeJS.ProcessEnv): DirectRoute {
  const input = readConnectionInput(url, '--url', lookUpService);
  const typo = urlTypoProblem(url, '--url');
  if (typo !== undefined) {
    throw new UsageError(typo);
  }
  if (input.kind === 'invalid' && isConnectionString(url)) {
    throw new UsageError(input.error);
  }
  if (input.kind !== 'direct') {
    throw new UsageError(
      input.kind === 'tunnel'
        ? '--url takes a postgres:// URL; an API key goes in PDP_API_KEY or DATABASE_URL, where the process list does not show it.'
        : '--url takes a postgres:// URL without its password (postgres://user@host/database) or a libpq key=value string.',
    );
  }
  // `user:@host` carries no secret: as good as no password.
  if (input.password) {
    throw new UsageError(
      '--url holds a password, which every user of this machine can read in the process list: put the URL in DATABASE_URL instead, or the password in PGPASSWORD.',
    );
  }
  return {
    ...input,
    source: '--url',
    ...withPgPassword(
      env,
      '--url carries no password: set PGPASSWORD, or add it to the password file (PGPASSFILE, ~/.pgpass).',
    ),
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
