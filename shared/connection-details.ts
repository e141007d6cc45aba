import type { Profile } from './profile.js';

/**
 * What a GUI client or a shell needs to connect to a running tunnel. The gateway logs in as the
 * key's own role whatever user the client names, so the user is a placeholder that every client
 * accepts. So is the database: a name the key does not serve lands in the key's own database, with
 * a notice saying so (the app does not know the key's database; the gateway does). A direct
 * profile's details name its own role and database (see identityOf). sslmode=disable because the
 * WebSocket, or PG Tunnel's own TLS to the database, is the encryption beyond this machine.
 */
export interface ConnectionDetails {
  host: string;
  port: string;
  url: string;
  psql: string;
  jdbc: string;
  env: string;
  pgService: string;
}

/** The user and database a client names. */
export interface ClientIdentity {
  user: string;
  database: string;
}

/** What clients of a tunnel profile name: placeholders, the gateway decides. */
const PLACEHOLDER: ClientIdentity = { user: 'postgres', database: 'postgres' };

/**
 * The user and database a profile's copied details name: a direct profile's own role and
 * database (PG Tunnel logs in as that role whatever user a client names, and passes on the
 * database a client names, so clients get the profile's database with no notice and their session
 * rows show who they are); placeholders for a tunnel or the playground.
 */
export function identityOf(profile: Pick<Profile, 'upstream'>): ClientIdentity {
  return profile.upstream
    ? { user: profile.upstream.user, database: profile.upstream.database }
    : PLACEHOLDER;
}

/** host:port as clients and URLs write it: an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The details of host:port for a profile named `profileName`, naming `identity` (see identityOf). */
export function connectionDetails(
  host: string,
  port: number,
  profileName: string,
  identity: ClientIdentity = PLACEHOLDER,
): ConnectionDetails {
  const address = hostPort(host, port);
  const user = encodeURIComponent(identity.user);
  const database = encodeURIComponent(identity.database);
  const url = `postgresql://${user}@${address}/${database}?sslmode=disable`;
  return {
    host,
    port: String(port),
    url,
    psql: `psql "${url}"`,
    jdbc: `jdbc:postgresql://${address}/${database}?sslmode=disable&user=${user}`,
    env: [
      `PGHOST=${host}`,
      `PGPORT=${port}`,
      `PGUSER=${identity.user}`,
      `PGDATABASE=${identity.database}`,
      'PGSSLMODE=disable',
    ]
      .map((line) => `export ${line}`)
      .join('\n'),
    pgService: [
      `[${serviceName(profileName)}]`,
      `host=${host}`,
      `port=${port}`,
      `user=${identity.user}`,
      `dbname=${identity.database}`,
      'sslmode=disable',
    ].join('\n'),
  };
}

/** A pg_service.conf section name: lowercase letters, digits and dashes. */
export function serviceName(profileName: string): string {
  const slug = profileName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `pg-tunnel-${slug || 'tunnel'}`;
}
