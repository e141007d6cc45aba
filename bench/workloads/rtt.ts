import pg from 'pg';
import { nodePgConfig, psql, timed } from '../clients.js';
import type { Connection } from '../targets.js';
import { PGBENCH_SHAPES, pgbenchWorkload } from './pgbench.js';
import type { BenchContext, Sample, Workload } from './workload.js';

/**
 * What a GUI runs as it opens a database, one catalog query on each of the connections it opens
 * at once (a schema tree, a table list, types for its editor, settings).
 */
const GUI_QUERIES = [
  'select nspname from pg_catalog.pg_namespace order by 1',
  `select n.nspname, c.relname, c.relkind from pg_catalog.pg_class c
     join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'v', 'm', 'p') order by 1, 2`,
  'select oid, typname from pg_catalog.pg_type order by 1',
  'select name, setting from pg_catalog.pg_settings order by 1',
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The rows of --rtt, across the simulated network (direct-tls, pg-tunnel, ppg-tunnel and
 * pg-direct through delay relays), where what people feel is round trips, above all when a
 * connection opens:
 *
 * - `connect@MSms`: pgbench -C tps, a new connection per transaction, back to back;
 * - `first-query@MSms`: `psql -c 'select 1'` from start to exit, ms;
 * - `gui-open@MSms`: four connections opened at once, each running a catalog query, until all
 *   have answered, ms (node-postgres, as a GUI's driver);
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
      measure: (target) => spaced(() => openLikeAGui(target.connection())),
    },
    pgbenchWorkload(`latency@${rttMs}ms`, PGBENCH_SHAPES.latency, { ...common, seconds, prepare }),
  ];
}

/** Opens one connection per GUI query at once; resolves with the ms until all have answered. */
async function openLikeAGui(connection: Connection): Promise<number> {
  const clients = GUI_QUERIES.map(() => new pg.Client(nodePgConfig(connection)));
  const startedAt = performance.now();
  try {
    await Promise.all(
      clients.map(async (client, i) => {
        await client.connect();
        await client.query(GUI_QUERIES[i]!);
      }),
    );
    return performance.now() - startedAt;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}
