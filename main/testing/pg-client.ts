import pg from 'pg';

/** Tries to connect with node-postgres; resolves with the server's error (code = SQLSTATE). */
export async function connectionError(
  host: string,
  port: number,
): Promise<{ code: string; message: string; severity: string }> {
  const client = new pg.Client({
    host,
    port,
    user: 'anything',
    database: 'anydb',
    connectionTimeoutMillis: 15_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const { code, message, severity } = error as pg.DatabaseError;
    return { code: code ?? '', message, severity: severity ?? '' };
  }
  await client.end();
  throw new Error('the connection succeeded');
}

/** A node-postgres session a test keeps open through a tunnel, as a GUI tool would. */
export interface OpenSession {
  client: pg.Client;
  /** Resolves with the error that ended the session: the FATAL the server (or tunnel) sent. */
  lost: Promise<pg.DatabaseError | Error>;
  /** Runs `sql`; resolves with its first column of the first row, as text. */
  value(sql: string): Promise<string>;
}

/** Connects with node-postgres; `applicationName` tells the session apart in gateway logs. */
export async function openSession(
  host: string,
  port: number,
  applicationName = 'pg-tunnel-test',
  database = 'anydb',
): Promise<OpenSession> {
  const client = new pg.Client({
    host,
    port,
    user: 'anything',
    database,
    application_name: applicationName,
    connectionTimeoutMillis: 15_000,
  });
  const lost = new Promise<Error>((resolve) => client.on('error', resolve));
  await client.connect();
  return {
    client,
    lost,
    value: async (sql) => {
      const result = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
      return String(result.rows[0]?.[0]);
    },
  };
}
