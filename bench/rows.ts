import type { Result } from './rounds.js';
import type { TargetName } from './targets.js';
import type { ProcessName, Workload, WorkloadName } from './workloads/workload.js';

/** One line of the report: a workload (and, for memory, a process), the median per target. */
export interface Row {
  workload: WorkloadName;
  process: ProcessName | undefined;
  unit: string;
  higherIsBetter: boolean;
  rounds: number;
  medians: Partial<Record<TargetName, number>>;
}

/** What a row takes from its workload. */
export type RowSource = Pick<Workload, 'name' | 'unit' | 'higherIsBetter' | 'rounds'>;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The rows of a run, in the order of `workloads`, one per workload and process measured: each
 * target's median over its samples (every round's). A workload that gave no result has no row.
 */
export function rowsOf(results: Result[], workloads: readonly RowSource[]): Row[] {
  const rows: Row[] = [];
  for (const workload of workloads) {
    const processes = [
      ...new Set(results.filter((r) => r.workload === workload.name).map((r) => r.process)),
    ];
    for (const process of processes) {
      const medians: Row['medians'] = {};
      for (const r of results) {
        if (r.workload === workload.name && r.process === process) {
          medians[r.target] = median(r.samples);
        }
      }
      const { name, unit, higherIsBetter, rounds } = workload;
      rows.push({ workload: name, process, unit, higherIsBetter, rounds, medians });
    }
  }
  return rows;
}

/** A row's name in the table: its workload, and for a memory row the process (`slow-reader (tunnel)`). */
export const rowName = (row: Row): string =>
  row.process ? `${row.workload} (${row.process})` : row.workload;
