import type { Progress } from './progress.js';
import type { TargetName, Targets } from './targets.js';
import type { ProcessName, Workload, WorkloadName } from './workloads/workload.js';

/** Every sample of one row of the report. */
export interface Result {
  workload: WorkloadName;
  target: TargetName;
  process?: ProcessName;
  unit: string;
  samples: number[];
}

/**
 * Runs each workload in rounds, every round measuring each target once in turn (A B C A B C …):
 * whatever else the shared machine is doing drifts over minutes, and interleaving spreads that
 * drift over all targets alike instead of charging it to whichever target ran last.
 */
export async function runRounds(
  workloads: Workload[],
  targets: Targets,
  progress: Progress,
  warmUp: boolean,
): Promise<Result[]> {
  const results = new Map<string, Result>();
  const total = workloads.reduce((sum, w) => sum + w.rounds * w.targets.length, 0);
  let done = 0;
  for (const workload of workloads) {
    if (workload.prepare) {
      progress.step(`${workload.name}: preparing`);
      await workload.prepare();
    }
    if (warmUp && workload.warmUp) {
      for (const target of workload.targets) {
        progress.step(`${workload.name}: warming up ${target.name}`);
        await workload.warmUp(target);
      }
    }
    for (let round = 1; round <= workload.rounds; round++) {
      for (const target of workload.targets) {
        const name = target.name;
        if (workload.freshProcesses) {
          progress.step(`${workload.name}: restarting gateway and tunnels`);
          await targets.restart();
        }
        const where = `${workload.name} round ${round}/${workload.rounds} ${name}`;
        progress.step(`[${++done}/${total}] ${where}`);
        const samples = await workload.measure(target);
        for (const { value, process } of samples) {
          const key = `${workload.name}/${name}/${process ?? ''}`;
          const result = results.get(key) ?? {
            workload: workload.name,
            target: name,
            ...(process ? { process } : {}),
            unit: workload.unit,
            samples: [],
          };
          result.samples.push(value);
          results.set(key, result);
        }
        const shown = samples.map(
          (s) => `${s.process ? `${s.process} ` : ''}${formatSample(s.value)}`,
        );
        progress.log(`${where}: ${shown.join(', ')} ${workload.unit}`);
      }
    }
  }
  return [...results.values()];
}

const formatSample = (value: number): string => value.toFixed(value >= 100 ? 0 : 2);
