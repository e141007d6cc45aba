import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres.js';

export type PostgresInfo = Omit<PostgresServer, 'stop'>;

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresInfo;
  }
}

/** One real Postgres for the whole run; each test file starts its own gateway and tunnels. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  const { stop, ...info } = server;
  project.provide('postgres', info);
  return stop;
}
