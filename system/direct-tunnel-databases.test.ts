import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import { startDirectTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startPostgres, type PostgresServer } from '../main/testing/postgres.js';

/**
 * A direct tunnel is the database to its clients: the database a client names is the one it gets.
 * Debian's pg_dumpall 15 against a Postgres 15 of its own with databases postgres (table pets),
 * template1 and second (table stock), straight and through `pg-tunnel` (DATABASE_URL as the
 * server's owner, database postgres).
 */
let server: PostgresServer;
let tunnel: RunningTunnel;

beforeAll(async () => {
  server = await startPostgres({ postgres15: true });
  const asOwner = (database: string, sql: string) =>
    run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', urlOf(database), '-c', sql]);
  for (const [database, sql] of [
    ['postgres', 'create database second'],
    ['postgres', "create table pets (name text); insert into pets values ('rex')"],
    ['second', "create table stock (item text); insert into stock values ('bolt')"],
  ] as const) {
    expect((await asOwner(database, sql)).code).toBe(0);
  }
  tunnel = await startDirectTunnelCli(server.url);
}, 120_000);

afterAll(async () => {
  await tunnel?.process.stop();
  await server?.stop();
});

/** The server's own URL, to `database`. */
const urlOf = (database: string): string =>
  server.url.replace(`/${server.database}?`, `/${database}?`);

/**
 * pg_dumpall as the server's owner to host:port (the password from PGPASSWORD, unused by the
 * tunnel). The random key of pg_dump's `\restrict` lines differs between any two runs.
 */
async function dumpAll(host: string, port: number): Promise<string> {
  const result = await run(
    'pg_dumpall',
    ['-h', host, '-p', String(port), '-U', server.user, '--no-password'],
    { PGPASSWORD: server.password, PGSSLMODE: undefined, PGDATABASE: undefined },
    { timeoutMs: 60_000 },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict KEY');
}

describe('databases through a direct tunnel', () => {
  it('pg_dumpall gives the dump it gives straight from Postgres, each database its own', async () => {
    const straight = await dumpAll(server.host, server.port);
    expect(straight).toContain('CREATE DATABASE second');
    expect(straight).toContain('CREATE TABLE public.stock');
    expect(await dumpAll(tunnel.host, tunnel.port)).toBe(straight);
  }, 120_000);

  it("psql's -d and \\c reach the database named; one that does not exist gets Postgres's FATAL", async () => {
    const psql = (args: string[]) =>
      run('psql', ['-h', tunnel.host, '-p', String(tunnel.port), '-X', '-A', '-t', ...args], {
        PGSSLMODE: undefined,
        PGPASSWORD: undefined,
        PGDATABASE: undefined,
      });
    const named = await psql([
      '-U',
      'anyone',
      '-d',
      'template1',
      '-c',
      'select current_database()',
      '-c',
      '\\c second',
      '-c',
      'select current_database(), (select item from stock)',
    ]);
    expect(named.stderr).toBe('');
    expect(named.stdout).toMatch(/^template1\n.*\nsecond\|bolt\n$/s);

    const missing = await psql(['-U', 'anyone', '-d', 'nosuchdb', '-c', 'select 1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('FATAL:  database "nosuchdb" does not exist');
  });

  it("psql with no -d (libpq's default, its user name) lands in the URL's database, told so", async () => {
    const result = await run(
      'psql',
      ['-h', tunnel.host, '-p', String(tunnel.port), '-U', 'alice', '-X', '-A', '-t'],
      { PGSSLMODE: undefined, PGPASSWORD: undefined, PGDATABASE: undefined },
      { input: 'select current_database(), (select name from pets);\n' },
    );
    expect(result.stdout.trim()).toBe('postgres|rex');
    expect(result.stderr).toContain(
      'NOTICE:  database "alice" is the default for user "alice"; connected to "postgres", the database of this tunnel, instead',
    );
  });
});
