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
