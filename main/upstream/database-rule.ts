import { SqlState, type PgError } from '../pgwire/error-response.js';
import type { LoginParty } from '../pgwire/failure.js';

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
 * (Postgres ignores the name), so it is left alone.
 *
 * A direct profile is served by the same rule with its URL's database as the key's and no list:
 * GUI clients that name `postgres` or their user by default land in it, told so.
 *
 * @param by who serves the database, named in the notice: the API key, or a direct profile.
 */
export function chooseDatabase(
  keyDatabase: string,
  served: ServedDatabases | undefined,
  parameters: Record<string, string>,
  by: LoginParty,
): DatabaseChoice {
  const asked = parameters['database'] || parameters['user'] || '';
  const physicalReplication =
    parameters['replication'] !== undefined && isTrue(parameters['replication']);
  if (
    physicalReplication ||
    asked === keyDatabase ||
    served === '*' ||
    (served ?? []).includes(asked)
  ) {
    return { database: physicalReplication ? keyDatabase : asked };
  }
  const all = [keyDatabase, ...(served ?? []).filter((name) => name !== keyDatabase)];
  const server = servedBy(by);
  const Server = server.charAt(0).toUpperCase() + server.slice(1);
  return {
    database: keyDatabase,
    notice: {
      severity: 'NOTICE',
      code: SqlState.SuccessfulCompletion,
      message: `database "${asked}" is not served by ${server}; connected to "${keyDatabase}" instead`,
      detail:
        all.length === 1
          ? `${Server} serves only "${keyDatabase}".`
          : `${Server} serves ${all.map((name) => `"${name}"`).join(', ')}.`,
    },
  };
}

function servedBy(by: LoginParty): string {
  if (by.kind === 'gateway') {
    return 'this API key';
  }
  return by.profile ? `the profile “${by.profile}”` : 'this tunnel';
}

/**
 * True for the values Postgres's parse_bool reads as true (src/backend/utils/adt/bool.c): any
 * prefix of "true" or "yes", "on", "1", in any case.
 */
function isTrue(value: string): boolean {
  return /^(t|tr|tru|true|y|ye|yes|on|1)$/i.test(value);
}
