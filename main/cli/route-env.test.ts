import { describe, expect, it } from 'vitest';
import { routeFromEnvironment } from './route-env.js';
import { UsageError } from './usage-error.js';

const KEY = 'test-api-key-0123456789';
const DIRECT = 'postgres://app:s3cret-pw@db.example.test/appdb';
const URL_WITHOUT_PASSWORD = 'postgres://app@db.example.test/appdb';

/** The sentence `routeFromEnvironment` refuses with; fails the test when it does not. */
function refusal(env: NodeJS.ProcessEnv, url?: string): string {
  try {
    routeFromEnvironment(env, url);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError, but a route was read');
}

describe('which of PDP_API_KEY, DATABASE_URL and --url pg-tunnel follows', () => {
  it("PDP_API_KEY over a postgres:// DATABASE_URL (an app's own, in .env), as the reference client, and says so", () => {
    const route = routeFromEnvironment({ PDP_API_KEY: KEY, DATABASE_URL: DIRECT }, undefined);
    expect(route).toEqual({ kind: 'tunnel', apiKey: KEY, overrides: ['DATABASE_URL'] });
    expect(JSON.stringify(route)).not.toContain('s3cret-pw');
  });

  it('the flag --url over both variables, naming each one it leaves unused', () => {
    expect(
      routeFromEnvironment({ PDP_API_KEY: KEY, PGPASSWORD: 'pw' }, URL_WITHOUT_PASSWORD),
    ).toMatchObject({ kind: 'direct', source: '--url', overrides: ['PDP_API_KEY'] });
    expect(
      routeFromEnvironment(
        { PDP_API_KEY: KEY, DATABASE_URL: DIRECT, PGPASSWORD: 'pw' },
        URL_WITHOUT_PASSWORD,
      ),
    ).toMatchObject({ overrides: ['PDP_API_KEY', 'DATABASE_URL'] });
    expect(routeFromEnvironment({ PGPASSWORD: 'pw' }, URL_WITHOUT_PASSWORD)).not.toHaveProperty(
      'overrides',
    );
  });

  it('PDP_API_KEY over the api_key of a prisma+postgres:// DATABASE_URL, as the reference client', () => {
    const other = 'other-api-key-9876543210';
    expect(
      routeFromEnvironment(
        {
          PDP_API_KEY: KEY,
          DATABASE_URL: `prisma+postgres://accelerate.prisma-data.net/?api_key=${other}`,
        },
        undefined,
      ),
    ).toEqual({ kind: 'tunnel', apiKey: KEY });
  });

  it('--url over DATABASE_URL, and says DATABASE_URL is ignored', () => {
    const route = routeFromEnvironment(
      { DATABASE_URL: 'postgres://other@elsewhere.test/x', PGPASSWORD: 'pw' },
      URL_WITHOUT_PASSWORD,
    );
    expect(route).toMatchObject({
      kind: 'direct',
      source: '--url',
      overrides: ['DATABASE_URL'],
      upstream: { host: 'db.example.test', user: 'app', database: 'appdb' },
      password: 'pw',
    });
  });

  it('the HINT for a refused or missing password names where the password came from', () => {
    const hint = (env: NodeJS.ProcessEnv, url?: string) => {
      const route = routeFromEnvironment(env, url);
      return route.kind === 'direct' ? route.passwordHint : undefined;
    };
    expect(hint({ DATABASE_URL: DIRECT, PGPASSWORD: 'ignored' })).toBe(
      'Check the password in DATABASE_URL.',
    );
    expect(hint({ DATABASE_URL: URL_WITHOUT_PASSWORD, PGPASSWORD: 'pw' })).toBe(
      'Check the password in PGPASSWORD.',
    );
    expect(hint({ DATABASE_URL: URL_WITHOUT_PASSWORD })).toBe(
      'Put the password in DATABASE_URL, set PGPASSWORD, or add it to the password file (PGPASSFILE, ~/.pgpass).',
    );
    expect(hint({ PGPASSWORD: 'pw' }, URL_WITHOUT_PASSWORD)).toBe(
      'Check the password in PGPASSWORD.',
    );
    expect(hint({}, URL_WITHOUT_PASSWORD)).toBe(
      '--url carries no password: set PGPASSWORD, or add it to the password file (PGPASSFILE, ~/.pgpass).',
    );
  });
});

describe('sentences that say what is actually wrong', () => {
  it('a URL of another database', () => {
    expect(refusal({ DATABASE_URL: 'mysql://u:pw@h/db' })).toBe(
      'DATABASE_URL is a mysql:// URL, not a Postgres or Prisma Postgres one: expected postgres://user:password@host/database, or prisma+postgres://accelerate.prisma-data.net/?api_key=...',
    );
  });

  it('--url that is not a URL, or that holds an API key', () => {
    expect(refusal({}, 'notaurl')).toBe(
      '--url takes a postgres:// URL without its password (postgres://user@host/database) or a libpq key=value string.',
    );
    expect(refusal({}, `prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY}`)).toBe(
      '--url takes a postgres:// URL; an API key goes in PDP_API_KEY or DATABASE_URL, where the process list does not show it.',
    );
  });

  it('--url with an empty password holds no secret: taken, with PGPASSWORD', () => {
    expect(
      routeFromEnvironment({ PGPASSWORD: 'pw' }, 'postgres://app:@db.example.test/appdb'),
    ).toMatchObject({ kind: 'direct', password: 'pw' });
    expect(refusal({}, DIRECT)).toMatch(/^--url holds a password/);
  });
});
