import { conninfoValue } from '../../shared/connection-details.js';
import type { ConnectionSource } from '../../shared/rpc.js';
import { passfileEntries } from '../upstream/passfile.js';
import { listServices } from '../upstream/service-file.js';

/** A ConnectionSource and the password its file holds, which stays in the core. */
export interface FoundConnection extends ConnectionSource {
  password: string | undefined;
}

/**
 * The connections libpq's files describe: every service of the service files (its keywords but
 * the password, as a `key=value` string) and every entry of the password file that names one
 * host and one user (a `*` there matches many: no single connection to add); a `*` port or
 * database is left to libpq's default.
 */
export function findConnections(): FoundConnection[] {
  const services = listServices().map(({ name, keywords }): FoundConnection => {
    const { password, rest } = withoutPassword(keywords);
    return {
      id: `service:${name}`,
      label: `service ${name}`,
      connection: rest.map(([key, value]) => `${key}=${conninfoValue(value)}`).join(' '),
      hasPassword: password !== undefined,
      password,
    };
  });
  const entries = passfileEntries(undefined).flatMap(
    ([host, port, database, user, password], index): FoundConnection[] => {
      if (!host || host === '*' || !user || user === '*') {
        return [];
      }
      const pairs: Array<[string, string | undefined]> = [
        ['host', host],
        ['port', port === '*' ? undefined : port],
        ['dbname', database === '*' ? undefined : database],
        ['user', user],
      ];
      return [
        {
          id: `passfile:${index}`,
          label: `${user}@${host}:${port === '*' ? 5432 : port}/${database === '*' ? user : database} (password file)`,
          connection: pairs
            .filter((pair): pair is [string, string] => pair[1] !== undefined)
            .map(([key, value]) => `${key}=${conninfoValue(value)}`)
            .join(' '),
          hasPassword: Boolean(password),
          password: password || undefined,
        },
      ];
    },
  );
  return [...services, ...entries];
}

function withoutPassword(keywords: Map<string, string>): {
  password: string | undefined;
  rest: Array<[string, string]>;
} {
  return {
    password: keywords.get('password'),
    rest: [...keywords].filter(([key]) => key !== 'password'),
  };
}
