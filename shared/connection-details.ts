import { namedByLocalCertificate } from './local-tls.js';
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
  const { address, user, database } = urlParts(host, port, identity);
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

/**
 * The same address for clients that verify the local port's TLS certificate against the local
 * CA: `sslrootcert` is the CA certificate's file, `sslmode` verify-full where the host is one of
 * the certificate's names (127.0.0.1, ::1, localhost), else verify-ca (the chain is checked, the
 * name cannot be).
 */
export interface VerifiedConnectionDetails {
  sslmode: 'verify-full' | 'verify-ca';
  url: string;
  psql: string;
  /** pgjdbc reads sslmode and sslrootcert (a PEM file) from the URL, URL-decoded. */
  jdbc: string;
}

/**
 * The verifying details of host:port, naming `identity` (see identityOf); `caCertPath` is the
 * local CA certificate's file on this machine.
 */
export function verifiedConnectionDetails(
  host: string,
  port: number,
  caCertPath: string,
  identity: ClientIdentity = PLACEHOLDER,
): VerifiedConnectionDetails {
  const { address, user, database } = urlParts(host, port, identity);
  const sslmode = namedByLocalCertificate(host) ? 'verify-full' : 'verify-ca';
  const query = `sslmode=${sslmode}&sslrootcert=${queryValue(caCertPath)}`;
  const url = `postgresql://${user}@${address}/${database}?${query}`;
  return {
    sslmode,
    url,
    psql: `psql "${url}"`,
    jdbc: `jdbc:postgresql://${address}/${database}?${query}&user=${user}`,
  };
}

/** The address, user and database as a URL writes them (user and database percent-encoded). */
function urlParts(
  host: string,
  port: number,
  identity: ClientIdentity,
): { address: string; user: string; database: string } {
  return {
    address: hostPort(host, port),
    user: encodeURIComponent(identity.user),
    database: encodeURIComponent(identity.database),
  };
}

/**
 * A file path as a URL query value that people can still read: percent-encoded (libpq and pgjdbc
 * both decode query values), but for '/' and ':', which RFC 3986 allows in a query and neither
 * splits on (they split on '&' and '=').
 */
function queryValue(path: string): string {
  return encodeURIComponent(path).replace(/%2F/g, '/').replace(/%3A/g, ':');
}

/**
 * A value for a libpq keyword/value connection string: as it is when it holds no space, quote or
 * backslash, else in single quotes with those escaped (libpq's conninfo_parse rules).
 */
export function conninfoValue(value: string): string {
  return value !== '' && !/[\s'\\]/.test(value)
    ? value
    : `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A pg_service.conf section name: lowercase letters, digits and dashes. */
export function serviceName(profileName: string): string {
  const slug = profileName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `pg-tunnel-${slug || 'tunnel'}`;
}

/** How clients log in to a port with a local login (Profile.localLogin). */
export interface LocalLoginDetails {
  password: string;
  /** The URL with the password; with TLS on, TLS and channel binding required. */
  url: string;
  /** psql with PGPASSWORD, so that the password is not in psql's arguments. */
  psql: string;
}

/**
 * The details of host:port when the local port asks `password`, naming `identity` (see
 * identityOf). With `tls` (the local port offers it) they require TLS and SCRAM channel binding
 * (libpq's sslmode=require, channel_binding=require); without, plain text as the other details.
 */
export function localLoginDetails(
  host: string,
  port: number,
  password: string,
  tls: boolean,
  identity: ClientIdentity = PLACEHOLDER,
): LocalLoginDetails {
  const { address, user, database } = urlParts(host, port, identity);
  const query = tls ? 'sslmode=require&channel_binding=require' : 'sslmode=disable';
  const withoutPassword = `postgresql://${user}@${address}/${database}?${query}`;
  return {
    password,
    url: `postgresql://${user}:${encodeURIComponent(password)}@${address}/${database}?${query}`,
    psql: `PGPASSWORD=${password} psql "${withoutPassword}"`,
  };
}
