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
export const PGBENCH_SHAPES: Record<'latency' | 'concurrency' | 'connect', string[]> = {
  /** One client, one query at a time: the tunnel's added round-trip time. */
  latency: ['-S', '-n', '-c', '1'],
  /** Eight clients on two threads: the tunnel's throughput when sessions compete for its CPU. */
  concurrency: ['-S', '-n', '-c', '8', '-j', '2'],
  /** A new connection per transaction: the cost of opening a session (WebSocket, upstream login). */
  connect: ['-S', '-n', '-C', '-c', '1'],
};

/** pgbench's tables, made once (straight in Postgres) for every pgbench row that runs first. */
export function pgbenchTables(direct: Target): () => Promise<void> {
  let initialised: Promise<unknown> | undefined;
  return async () => {
    initialised ??= pgbench(direct.connection(), ['-i', '-s', '1', '-q']);
    await initialised;
  };
}

/** A pgbench row: tps over `seconds`, after a warm-up run per target. */
export function pgbenchWorkload(
  name: WorkloadName,
  shape: string[],
  {
    seconds,
    rounds,
    targets,
    prepare,
  }: Pick<Workload, 'rounds' | 'targets' | 'prepare'> & { seconds: number },
): Workload {
  return {
    name,
    unit: 'tps',
    higherIsBetter: true,
    rounds,
    targets,
    freshProcesses: false,
    prepare,
    warmUp: async (target: Target) => {
      await pgbenchTps(target.connection(), [...shape, '-T', String(WARM_UP_SECONDS)]);
    },
    measure: async (target) => [
      { value: await pgbenchTps(target.connection(), [...shape, '-T', String(seconds)]) },
    ],
  };
}

export function pgbenchWorkloads(
  { settings, targets }: BenchContext,
  prepare: () => Promise<void>,
): Workload[] {
  const { seconds, rounds } = settings.pgbench;
  return (Object.entries(PGBENCH_SHAPES) as Array<[WorkloadName, string[]]>).map(([name, shape]) =>
    pgbenchWorkload(name, shape, { seconds, rounds, targets: targets.all, prepare }),
  );
}
