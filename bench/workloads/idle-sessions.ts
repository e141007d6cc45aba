import pg from 'pg';
import { residentBytes } from '../../main/testing/memory.js';
import { nodePgConfig, waitForNoSessions } from '../clients.js';
import type { Connection, Target } from '../targets.js';
import { proxies, type BenchContext, type Workload } from './workload.js';

/** Logins in flight at once: enough to keep Postgres forking backends, not a connection storm. */
const OPENING_CONCURRENCY = 50;
/** Let the sockets and timers of the last logins settle before reading the RSS. */
const SETTLE_MS = 2_000;

function openSession(connection: Connection): Promise<pg.Client> {
  const client = new pg.Client(nodePgConfig(connection));
  // A session the tunnel ends while we hold it must not take the benchmark down.
  client.on('error', () => {});
  return client.connect().then(() => client);
}

/** Opens sessions into `clients` until it holds `count`, a few logins in flight at a time. */
async function openSessions(
  connection: Connection,
  clients: pg.Client[],
  count: number,
): Promise<void> {
  let started = clients.length;
  const opener = async (): Promise<void> => {
    while (started < count) {
      started++;
      clients.push(await openSession(connection));
    }
  };
  try {
    await Promise.all(Array.from({ length: OPENING_CONCURRENCY }, opener));
  } catch (error) {
    started = count; // the other openers stop at their next turn; the caller closes what opened
    throw error;
  }
}

async function closeSessions(clients: pg.Client[]): Promise<void> {
  await Promise.all(clients.map((client) => client.end().catch(() => {})));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * node-postgres sessions, opened in this process and left idle: what each one costs the tunnel
 * and the gateway in resident memory, in KiB as /proc counts them. The first fifth of the sessions
 * pays for what a process grows by once (heap pages, code compiled on first use); the figure is
 * the slope over the rest, (RSS with all open − RSS with a fifth open) / the other four fifths.
 * Without that, a process that starts smaller would seem to spend more per session.
 */
export function idleSessionsWorkload({ settings, targets }: BenchContext): Workload {
  const { sessions, rounds } = settings.idleSessions;
  const warmSessions = Math.round(sessions / 5);
  return {
    name: 'idle-sessions',
    unit: 'KB/session',
    higherIsBetter: false,
    rounds,
    targets: proxies(targets),
    freshProcesses: true,
    measure: async (target: Target) => {
      const { tunnel, gateway } = target.processes()!;
      const connection = target.connection();
      const clients: pg.Client[] = [];
      let before: number[];
      let after: number[];
      try {
        await openSessions(connection, clients, warmSessions);
        await sleep(SETTLE_MS);
        before = [residentBytes(tunnel), residentBytes(gateway)];
        await openSessions(connection, clients, sessions);
        await sleep(SETTLE_MS);
        after = [residentBytes(tunnel), residentBytes(gateway)];
      } finally {
        await closeSessions(clients);
      }
      await waitForNoSessions(targets.get('direct').connection());
      const perSession = (i: number): number =>
        (after[i]! - before[i]!) / 1024 / (sessions - warmSessions);
      return [
        { process: 'tunnel', value: perSession(0) },
        { process: 'gateway', value: perSession(1) },
      ];
    },
  };
}
