import { pgbench, pgbenchTps } from '../clients.js';
import type { Target } from '../targets.js';
import type { BenchContext, Workload, WorkloadName } from './workload.js';

/** Enough transactions to bring a fresh proxy's code paths up to speed. */
const WARM_UP_SECONDS = 3;

/**
 * pgbench's built-in select-only script (-S: one primary-key lookup per transaction), so that the
 * numbers are about round trips through the tunnel rather than about Postgres writing to disk.
 * -n: no vacuum before each run; the tables are only read, and -i vacuumed them.
 */
const SHAPES: Record<'latency' | 'concurrency' | 'connect', string[]> = {
  /** One client, one query at a time: the tunnel's added round-trip time. */
  latency: ['-S', '-n', '-c', '1'],
  /** Eight clients on two threads: the tunnel's throughput when sessions compete for its CPU. */
  concurrency: ['-S', '-n', '-c', '8', '-j', '2'],
  /** A new connection per transaction: the cost of opening a session (WebSocket, upstream login). */
  connect: ['-S', '-n', '-C', '-c', '1'],
};

export function pgbenchWorkloads({ settings, targets }: BenchContext): Workload[] {
  const { seconds, rounds } = settings.pgbench;
  // The three workloads share the tables: initialised once, whichever of them runs first.
  let initialised: Promise<unknown> | undefined;
  const prepare = async (): Promise<void> => {
    initialised ??= pgbench(targets.get('direct').connection(), ['-i', '-s', '1', '-q']);
    await initialised;
  };
  return (Object.entries(SHAPES) as Array<[WorkloadName, string[]]>).map(([name, shape]) => ({
    name,
    unit: 'tps',
    higherIsBetter: true,
    rounds,
    targets: targets.names,
    freshProcesses: false,
    prepare,
    warmUp: async (target: Target) => {
      await pgbenchTps(target.connection(), [...shape, '-T', String(WARM_UP_SECONDS)]);
    },
    measure: async (target) => [
      { value: await pgbenchTps(target.connection(), [...shape, '-T', String(seconds)]) },
    ],
  }));
}
