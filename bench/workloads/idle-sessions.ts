import pg from 'pg';
import { residentBytes } from '../../main/testing/memory.js';
import { waitForNoSessions } from '../clients.js';
import type { Connection, Target } from '../targets.js';
import type { BenchContext, Workload } from './workload.js';

/** Logins in flight at once: enough to keep Postgres forking backends, not a connection storm. */
const OPENING_CONCURRENCY = 50;
/** Let the sockets and timers of the last logins settle before reading the RSS. */
const SETTLE_MS = 2_000;

function openSession(connection: Connection): Promise<pg.Client> {
  const client = new pg.Client({ ...connection, ssl: false, connectionTimeoutMillis: 30_000 });
  // A session the tunnel ends while we hold it must not take the benchmark down.
  client.on('error', () => {});
  return client.connect().then(() => client);
}

async function openSessions(connection: Connection, count: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  let started = 0;
  const opener = async (): Promise<void> => {
    while (started < count) {
      started++;
      clients.push(await openSession(connection));
    }
  };
  try {
    await Promise.all(Array.from({ length: OPENING_CONCURRENCY }, opener));
  } catch (error) {
    started = count; // the other openers stop at their next turn
    await closeSessions(clients);
    throw error;
  }
  return clients;
}

async function closeSessions(clients: pg.Client[]): Promise<void> {
  await Promise.all(clients.map((client) => client.end().catch(() => {})));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * node-postgres sessions, opened in this process and left idle: what each one costs the tunnel
 * and the gateway in resident memory, (RSS with them open − RSS before) / sessions, in KiB as
 * /proc counts them.
 */
export function idleSessionsWorkload({ settings, targets }: BenchContext): Workload {
  const { sessions, rounds } = settings.idleSessions;
  return {
    name: 'idle-sessions',
    unit: 'KB/session',
    higherIsBetter: false,
    rounds,
    targets: ['pg-tunnel', 'ppg-tunnel'],
    freshProcesses: true,
    measure: async (target: Target) => {
      const { tunnel, gateway } = target.processes()!;
      const connection = target.connection();
      // One session first: code and buffers that only the first one brings in are not per session.
      await closeSessions([await openSession(connection)]);
      await sleep(SETTLE_MS);
      const before = [residentBytes(tunnel), residentBytes(gateway)];
      const clients = await openSessions(connection, sessions);
      await sleep(SETTLE_MS);
      const after = [residentBytes(tunnel), residentBytes(gateway)];
      await closeSessions(clients);
      await waitForNoSessions(targets.get('direct').connection());
      const perSession = (i: number): number => (after[i]! - before[i]!) / 1024 / sessions;
      return [
        { process: 'tunnel', value: perSession(0) },
        { process: 'gateway', value: perSession(1) },
      ];
    },
  };
}
