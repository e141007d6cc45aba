import { namedByLocalCertificate } from './local-tls.js';

/**
 * What a GUI client or a shell needs to connect to a running tunnel. The gateway logs in as the
 * key's own role whatever user the client names, so the user is a placeholder that every client
 * accepts. So is the database: a name the key does not serve lands in the key's own database, with
 * a notice saying so (the app does not know the key's database; the gateway does).
 * sslmode=disable because the WebSocket is already the encryption.
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

const USER = 'postgres';
const DATABASE = 'postgres';

/** host:port as clients and URLs write it: an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function connectionDetails(
  host: string,
  port: number,
  profileName: string,
): ConnectionDetails {
  const address = hostPort(host, port);
  const url = `postgresql://${USER}@${address}/${DATABASE}?sslmode=disable`;
  return {
    host,
    port: String(port),
    url,
    psql: `psql "${url}"`,
    jdbc: `jdbc:postgresql://${address}/${DATABASE}?sslmode=disable&user=${USER}`,
    env: [
      `PGHOST=${host}`,
      `PGPORT=${port}`,
      `PGUSER=${USER}`,
      `PGDATABASE=${DATABASE}`,
      'PGSSLMODE=disable',
    ]
      .map((line) => `export ${line}`)
      .join('\n'),
    pgService: [
      `[${serviceName(profileName)}]`,
      `host=${host}`,
      `port=${port}`,
      `user=${USER}`,
      `dbname=${DATABASE}`,
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

export function verifiedConnectionDetails(
  host: string,
  port: number,
  caCertPath: string,
): VerifiedConnectionDetails {
  const address = hostPort(host, port);
  const sslmode = namedByLocalCertificate(host) ? 'verify-full' : 'verify-ca';
  const query = `sslmode=${sslmode}&sslrootcert=${queryValue(caCertPath)}`;
  const url = `postgresql://${USER}@${address}/${DATABASE}?${query}`;
  return {
    sslmode,
    url,
    psql: `psql "${url}"`,
    jdbc: `jdbc:postgresql://${address}/${DATABASE}?${query}&user=${USER}`,
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
