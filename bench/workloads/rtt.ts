import { psql, timed } from '../clients.js';
import { openLikeAGui } from './gui-open.js';
import { PGBENCH_SHAPES, pgbenchWorkload } from './pgbench.js';
import type { BenchContext, Sample, Workload } from './workload.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The rows of --rtt, across the simulated network (direct-tls, pg-tunnel, ppg-tunnel and
 * pg-direct through delay relays), where what people feel is round trips, above all when a
 * connection opens:
 *
 * - `connect@MSms`: pgbench -C tps, a new connection per transaction, back to back;
 * - `first-query@MSms`: `psql -c 'select 1'` from start to exit, ms;
 * - `gui-open@MSms`: a GUI opening a database as TablePlus does (see openLikeAGui): a schema
 *   browser's connection and its catalog queries one after another, then a connection per query
 *   tab, from the start until the last tab's first result, ms;
 * - `latency@MSms`: pgbench -S -c 1 tps, on one open connection.
 *
 * The timed rows take `samples` measurements per round, `pauseMs` apart as a person's actions
 * are: a tunnel may use the pause (to open its next warm socket), Postgres cannot.
 */
export function rttWorkloads(
  { settings, targets, rttMs }: BenchContext,
  prepare: () => Promise<void>,
): Workload[] {
  if (rttMs === undefined) {
    return [];
  }
  const { seconds, rounds, samples, pauseMs } = settings.rtt;
  const common = { rounds, targets: targets.remote, freshProcesses: false };
  const spaced = async (measure: () => Promise<number>): Promise<Sample[]> => {
    const taken: Sample[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(pauseMs);
      taken.push({ value: await measure() });
    }
    return taken;
  };
  return [
    pgbenchWorkload(`connect@${rttMs}ms`, PGBENCH_SHAPES.connect, { ...common, seconds, prepare }),
    {
      ...common,
      name: `first-query@${rttMs}ms`,
      unit: 'ms',
      higherIsBetter: false,
      measure: (target) =>
        spaced(async () => 1000 * (await timed(() => psql(target.connection(), ['select 1'])))),
    },
    {
      ...common,
      name: `gui-open@${rttMs}ms`,
      unit: 'ms',
      higherIsBetter: false,
      // pgbench's tables give the schema browser tables to list and a table's columns to show.
      prepare,
      measure: (target) => spaced(() => openLikeAGui(target.connection())),
    },
    pgbenchWorkload(`latency@${rttMs}ms`, PGBENCH_SHAPES.latency, { ...common, seconds, prepare }),
  ];
}
