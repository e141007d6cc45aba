import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatGoals } from './goals.js';
import type { Machine } from './machine.js';
import type { Result } from './rounds.js';
import { rowName, rowsOf, type RowSource } from './rows.js';
import { TARGET_NAMES, type TargetName } from './targets.js';

const RATIOS: Array<[TargetName, TargetName]> = [
  ['pg-tunnel', 'direct'],
  ['ppg-tunnel', 'direct'],
  // With --rtt: the tunnels against Postgres across the same network, over TLS.
  ['pg-tunnel', 'direct-tls'],
  ['ppg-tunnel', 'direct-tls'],
  ['pg-tunnel', 'ppg-tunnel'],
  // With --tls: what TLS on the local leg costs our tunnel.
  ['pg-tunnel-tls', 'pg-tunnel'],
  // A direct profile: one hop (our engine) instead of two, against Postgres (on loopback, or
  // with --rtt over TLS across the same network) and our tunnel.
  ['pg-direct', 'direct'],
  ['pg-direct', 'direct-tls'],
  ['pg-direct', 'pg-tunnel'],
  // With --floor: what two bare hops reach, and how close ours comes to that.
  ['relays', 'direct'],
  ['pg-tunnel', 'relays'],
];

/** Names in the ratio columns' headers. */
const SHORT: Record<TargetName, string> = {
  direct: 'direct',
  'direct-tls': 'tls',
  'pg-tunnel': 'pg',
  // Not 'tls', which is direct-tls's: pg-tls/pg is what TLS on the local leg costs our tunnel.
  'pg-tunnel-tls': 'pg-tls',
  'ppg-tunnel': 'ppg',
  'pg-direct': 'pgd',
  relays: 'relays',
};

const formatValue = (value: number | undefined): string =>
  value === undefined ? '–' : value.toFixed(value >= 1000 ? 0 : value >= 10 ? 1 : 2);

const formatRatio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}×`;

/**
 * The medians side by side, with ratios: below 1× a tunnel does less than Postgres itself on a
 * throughput row; on a memory or time row (↓) lower is better, so below 1× means less (pg/tls on
 * first-query: our tunnel's time as a share of Postgres's over TLS across the same network).
 */
export function formatTable(results: Result[], workloads: readonly RowSource[]): string {
  const present = new Set(results.map((r) => r.target));
  const targets = TARGET_NAMES.filter((target) => present.has(target));
  const ratios = RATIOS.filter(([a, b]) => present.has(a) && present.has(b));
  const header = [
    'workload',
    'unit',
    'rounds',
    ...targets,
    ...ratios.map(([a, b]) => `${SHORT[a]}/${SHORT[b]}`),
  ];
  const lines = rowsOf(results, workloads).map((row) => [
    rowName(row),
    `${row.unit} ${row.higherIsBetter ? '↑' : '↓'}`,
    String(row.rounds),
    ...targets.map((target) => formatValue(row.medians[target])),
    ...ratios.map(([a, b]) => formatRatio(row.medians[a], row.medians[b])),
  ]);
  const widths = header.map((_, i) =>
    Math.max(...[header, ...lines].map((line) => line[i]!.length)),
  );
  // Names on the left, numbers on the right.
  const format = (line: string[]): string =>
    line.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = '-'.repeat(format(header).length);
  return [format(header), rule, ...lines.map(format)].join('\n');
}

/** The JSON that runs are compared by: one record per row and target, the median as value. */
export async function writeJson(
  file: string,
  machine: Machine,
  results: Result[],
  workloads: readonly RowSource[],
): Promise<void> {
  const records = rowsOf(results, workloads).flatMap((row) =>
    TARGET_NAMES.filter((target) => row.medians[target] !== undefined).map((target) => ({
      workload: row.workload,
      target,
      value: row.medians[target]!,
      unit: row.unit,
      ...(row.process ? { process: row.process } : {}),
    })),
  );
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ machine, results: records }, null, 2)}\n`);
}

/** The table, and under it the goals its rows can tell (see goals.ts), when any of them ran. */
export function formatReport(results: Result[], workloads: readonly RowSource[]): string {
  const table = formatTable(results, workloads);
  const goals = formatGoals(rowsOf(results, workloads));
  return goals ? `${table}\n\n${goals}` : table;
}
