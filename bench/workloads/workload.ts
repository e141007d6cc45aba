import type { Settings } from '../settings.js';
import type { Target, TargetName, Targets } from '../targets.js';

/** The workloads on loopback, where the two extra processes decide the result. */
export const WORKLOAD_NAMES = [
  'latency',
  'concurrency',
  'connect',
  'copy-out',
  'copy-in',
  'idle-sessions',
  'slow-reader',
] as const;
export type LoopbackWorkloadName = (typeof WORKLOAD_NAMES)[number];

/** The workloads across the simulated network of --rtt, where round trips decide it. */
export const RTT_WORKLOAD_NAMES = ['connect', 'first-query', 'gui-open', 'latency'] as const;
/** Named for the round trip they ran at: `connect@20ms`. */
export type RttWorkloadName = `${(typeof RTT_WORKLOAD_NAMES)[number]}@${number}ms`;

export type WorkloadName = LoopbackWorkloadName | RttWorkloadName;

/**
 * The targets a memory row is about: the tunnels, not direct (the memory of Postgres, a process
 * per session, says nothing comparable to that of a proxy) nor the bare relays.
 */
export function proxies(targets: Targets): Target[] {
  const tunnels: readonly TargetName[] = ['pg-tunnel', 'pg-tunnel-tls', 'ppg-tunnel'];
  return targets.all.filter((target) => tunnels.includes(target.name));
}

/** Memory rows are about one of the two proxy processes. */
export type ProcessName = 'tunnel' | 'gateway';

/** One number from one measurement; memory workloads give one per process. */
export interface Sample {
  value: number;
  process?: ProcessName;
}

export interface BenchContext {
  settings: Settings;
  targets: Targets;
  /** Scratch space for generated files, removed at the end. */
  workDir: string;
  /** The round trip of the simulated network, in ms, with --rtt. */
  rttMs: number | undefined;
}

export interface Workload {
  readonly name: WorkloadName;
  readonly unit: string;
  /** Throughput rows: higher is better; memory rows: lower. */
  readonly higherIsBetter: boolean;
  readonly rounds: number;
  /**
   * Who is measured. Memory workloads leave out direct: the memory of Postgres, a process per
   * session, says nothing comparable to that of a proxy.
   */
  readonly targets: readonly Target[];
  /** Restart gateway and tunnels before each measurement (for memory rows). */
  readonly freshProcesses: boolean;
  /** Runs once, straight against Postgres, before the first round. */
  prepare?(): Promise<void>;
  /**
   * Runs once per target before the first round, not measured: a Node proxy fresh from its start
   * moves its first gigabyte or so markedly slower (compiling, sizing its heap), and a tunnel that
   * runs all day is measured in the state it spends the day in. Absent for memory workloads.
   */
  warmUp?(target: Target): Promise<void>;
  measure(target: Target): Promise<Sample[]>;
}
