import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { psql, timed } from '../clients.js';
import { MB } from '../settings.js';
import type { Target } from '../targets.js';
import type { BenchContext, Workload } from './workload.js';

/**
 * Rows of about 200 bytes of COPY text (an id, a tab, 192 hex digits, a newline): nothing to escape,
 * so their COPY size is plain arithmetic, and hex digits do not compress, so TOAST leaves them be.
 */
const ROW_BYTES = 201;
const rows = (count: number): string =>
  `select g as id, repeat(md5(g::text), 6) as payload from generate_series(1, ${count}) g`;

/**
 * The tables are UNLOGGED: without WAL, copy-in measures how fast bytes reach Postgres rather than
 * how fast this machine's disk takes them, which would hide the tunnel's share.
 */
const SOURCE = 'bench_copy_out';
const SINK = 'bench_copy_in';

/** `COPY ... TO STDOUT` of a ~500 MB table, written by psql to /dev/null. */
export function copyOutWorkload({ settings, targets }: BenchContext): Workload {
  let bytes = 0;
  return withCopyWarmUp({
    name: 'copy-out',
    unit: 'MB/s',
    higherIsBetter: true,
    rounds: settings.copyOut.rounds,
    targets: targets.all,
    freshProcesses: false,
    prepare: async () => {
      const direct = targets.get('direct').connection();
      const count = Math.round(settings.copyOut.bytes / ROW_BYTES);
      await psql(direct, [
        `drop table if exists ${SOURCE}`,
        `create unlogged table ${SOURCE} as ${rows(count)}`,
      ]);
      // The exact size of the COPY text: digits of the id, tab, payload, newline.
      bytes = Number(
        await psql(direct, [`select sum(length(id::text) + length(payload) + 2) from ${SOURCE}`]),
      );
    },
    // psql's \copy ... to FILE is COPY ... TO STDOUT on the wire, with psql writing the file;
    // timed from psql's start to its exit, login included: what a user running it would wait.
    measure: async (target: Target) => {
      const seconds = await timed(() =>
        psql(target.connection(), [`\\copy ${SOURCE} to '/dev/null'`]),
      );
      return [{ value: bytes / MB / seconds }];
    },
  });
}

/** `COPY ... FROM STDIN` of a ~200 MB file, sent by psql into a table emptied before each run. */
export function copyInWorkload({ settings, targets, workDir }: BenchContext): Workload {
  const file = join(workDir, 'copy-in.tsv');
  let bytes = 0;
  return withCopyWarmUp({
    name: 'copy-in',
    unit: 'MB/s',
    higherIsBetter: true,
    rounds: settings.copyIn.rounds,
    targets: targets.all,
    freshProcesses: false,
    prepare: async () => {
      const count = Math.round(settings.copyIn.bytes / ROW_BYTES);
      await psql(targets.get('direct').connection(), [
        `drop table if exists ${SINK}`,
        `create unlogged table ${SINK} (id integer, payload text)`,
        `\\copy (${rows(count)}) to '${file}'`,
      ]);
      bytes = (await stat(file)).size;
    },
    // psql's \copy ... from FILE is COPY ... FROM STDIN on the wire, with psql reading the file.
    measure: async (target: Target) => {
      await psql(targets.get('direct').connection(), [`truncate ${SINK}`]);
      const seconds = await timed(() =>
        psql(target.connection(), [`\\copy ${SINK} from '${file}'`]),
      );
      return [{ value: bytes / MB / seconds }];
    },
  });
}

/** A copy's warm-up is one more copy, not counted. */
function withCopyWarmUp(workload: Omit<Workload, 'warmUp'>): Workload {
  return {
    ...workload,
    warmUp: async (target) => {
      await workload.measure(target);
    },
  };
}
