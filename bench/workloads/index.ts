import { copyInWorkload, copyOutWorkload } from './copy.js';
import { idleSessionsWorkload } from './idle-sessions.js';
import { pgbenchWorkloads } from './pgbench.js';
import { slowReaderWorkload } from './slow-reader.js';
import type { BenchContext, Workload } from './workload.js';

export { WORKLOAD_NAMES, type Workload, type WorkloadName } from './workload.js';

/** Every workload, in the order of the report. */
export function createWorkloads(context: BenchContext): Workload[] {
  return [
    ...pgbenchWorkloads(context),
    copyOutWorkload(context),
    copyInWorkload(context),
    idleSessionsWorkload(context),
    slowReaderWorkload(context),
  ];
}
