import { SqlState, type PgError } from '../pgwire/error-response.js';
import { servedBy, type LoginParty } from '../failure/failure.js';

/** The databases a key serves beyond its own: a list, or every database of its upstream. */
export type ServedDatabases = readonly string[] | '*';

/** The database a client gets, and the notice it is given when that is not the one it named. */
export interface DatabaseChoice {
  database: string;
  notice?: PgError;
}

/**
 * Applies the API-key contract to the database a client asked for (its `database` parameter, or
 * its user name when it sent none, as Postgres defaults it). It gets that database when it is the
 * key's own, when the key lists it, or when the key serves '*'; any other name lands in the key's
 * database, as every key did before keys could list databases, and the client is told so with a
 * NoticeResponse. A physical replication connection (replication=true) opens no database at all
 * (Postgres ignores the name), so it is left alone. A direct profile has its own rule:
 * chooseDirectDatabase.
 */
export function chooseDatabase(
  keyDatabase: string,
  served: ServedDatabases | undefined,
  parameters: Record<string, string>,
): DatabaseChoice {
  const asked = parameters['database'] || parameters['user'] || '';
  const replication = physicalReplication(parameters);
  if (replication || asked === keyDatabase || served === '*' || (served ?? []).includes(asked)) {
    return { database: replication ? keyDatabase : asked };
  }
  const all = [keyDatabase, ...(served ?? []).filter((name) => name !== keyDatabase)];
  return {
    database: keyDatabase,
    notice: notice(
      `database "${asked}" is not served by this API key; connected to "${keyDatabase}" instead`,
      all.length === 1
        ? `This API key serves only "${keyDatabase}".`
        : `This API key serves ${all.map((name) => `"${name}"`).join(', ')}.`,
    ),
  };
}

/**
 * A direct profile's rule: to its clients the tunnel is the database, so the database a client
 * names goes to Postgres as named (pg_dumpall, psql's `\c other`, `-d template1`, and `database
 * "x" does not exist` behave as they do directly). Only libpq's default is replaced, as the user
 * name is: a client that names no database, or names its own user name (what libpq sends when it
 * was given no dbname: fe-connect.c, conninfo_add_defaults) when that name is not the profile's
 * role, lands in the profile's database, told so with a NoticeResponse. A name equal to the
 * profile's role is passed on: Postgres would give that role the same default. Physical
 * replication (replication=true) opens no database; the profile's is sent.
 *
 * @param profileDatabase the database of the profile's URL; `profileUser` its role.
 * @param by the profile (or the CLI's URL), named in the notice.
 */
export function chooseDirectDatabase(
  profileDatabase: string,
  profileUser: string,
  parameters: Record<string, string>,
  by: LoginParty,
): DatabaseChoice {
  const named = parameters['database'] || undefined;
  const user = parameters['user'] ?? '';
  const isDefault = named === undefined || (named === user && named !== profileUser);
  const replication = physicalReplication(parameters);
  if (replication || !isDefault || named === profileDatabase) {
    return { database: replication ? profileDatabase : named! };
  }
  const server = servedBy(by);
  return {
    database: profileDatabase,
    notice: notice(
      named === undefined
        ? `no database was named; connected to "${profileDatabase}", the database of ${server}`
        : `database "${named}" is the default for user "${user}"; connected to "${profileDatabase}", the database of ${server}, instead`,
      'A client that names a database other than its user name is connected to it as named.',
    ),
  };
}

function notice(message: string, detail: string): PgError {
  return { severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message, detail };
}

function physicalReplication(parameters: Record<string, string>): boolean {
  return parameters['replication'] !== undefined && isTrue(parameters['replication']);
}

/**
 * True for the values Postgres's parse_bool reads as true (src/backend/utils/adt/bool.c): any
 * prefix of "true" or "yes", "on", "1", in any case.
 */
function isTrue(value: string): boolean {
  return /^(t|tr|tru|true|y|ye|yes|on|1)$/i.test(value);
}
