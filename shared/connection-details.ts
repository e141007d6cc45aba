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

/** A pg_service.conf section name: lowercase letters, digits and dashes. */
export function serviceName(profileName: string): string {
  const slug = profileName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `pg-tunnel-${slug || 'tunnel'}`;
}
