import type { TestProject } from 'vitest/node';
import { keepExitStatus, startPostgres, type PostgresServer } from './postgres.js';

export type PostgresInfo = Omit<PostgresServer, 'stop'>;

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresInfo;
  }
}

/**
 * One real Postgres for the whole run; each test file starts its own gateway and tunnels. With
 * wal_level=logical, so that logical replication (replication=database) can be tried through
 * the tunnel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The teardown below stops this server; the run's exit status stays vitest's.
  keepExitStatus();
  const server = await startPostgres({ postgresFlags: ['-c', 'wal_level=logical'] });
  const { stop, ...info } = server;
  project.provide('postgres', info);
  return stop;
}
