import { copyInWorkload, copyOutWorkload } from './copy.js';
import { idleSessionsWorkload } from './idle-sessions.js';
import { pgbenchTables, pgbenchWorkloads } from './pgbench.js';
import { rttWorkloads } from './rtt.js';
import { slowReaderWorkload } from './slow-reader.js';
import type { BenchContext, Workload } from './workload.js';

export {
  RTT_WORKLOAD_NAMES,
  WORKLOAD_NAMES,
  type Workload,
  type WorkloadName,
} from './workload.js';

/** Every workload, in the order of the report: on loopback, then across the network of --rtt. */
export function createWorkloads(context: BenchContext): Workload[] {
  const tables = pgbenchTables(context.targets.get('direct'));
  return [
    ...pgbenchWorkloads(context, tables),
    copyOutWorkload(context),
    copyInWorkload(context),
    idleSessionsWorkload(context),
    slowReaderWorkload(context),
    ...rttWorkloads(context, tables),
  ];
}
