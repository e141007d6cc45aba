import { rowName, type Row } from './rows.js';
import type { TargetName } from './targets.js';

/** One goal on one row of the report: a target's median, or its ratio to another target's. */
export interface Goal {
  /**
   * The row as the table names it (`latency`, `idle-sessions (tunnel)`), a row of --rtt with
   * `@MSms` for whatever round trip it ran at (`connect@MSms`).
   */
  row: string;
  target: TargetName;
  /** Met when the figure is at least (`≥`) or at most (`≤`) `limit`. */
  bound: '≥' | '≤';
  limit: number;
  /** The figure is target / against on the same row; without, the target's median in its unit. */
  against?: TargetName;
}

/**
 * The goals of the warm-logins issue, as its "What to build" and "Done means" put them: ratios
 * across the simulated network (meant at 20 ms), against the two bare relays on loopback (with
 * --floor), and memory per session or per process. Idle sessions in the tunnel count with local TLS
 * on, the default, as pg-tunnel-tls (with --tls); the gateway's memory and the slow reader's are
 * pg-tunnel's (the gateway never sees the local leg).
 */
export const GOALS: readonly Goal[] = [
  { row: 'connect@MSms', target: 'pg-direct', bound: '≥', limit: 3, against: 'direct-tls' },
  { row: 'gui-open@MSms', target: 'pg-direct', bound: '≤', limit: 0.5, against: 'direct-tls' },
  { row: 'first-query@MSms', target: 'pg-direct', bound: '≤', limit: 0.5, against: 'direct-tls' },
  { row: 'latency@MSms', target: 'pg-direct', bound: '≥', limit: 0.97, against: 'direct-tls' },
  { row: 'connect@MSms', target: 'pg-tunnel', bound: '≥', limit: 3, against: 'direct-tls' },
  { row: 'connect@MSms', target: 'pg-tunnel', bound: '≥', limit: 2, against: 'ppg-tunnel' },
  { row: 'gui-open@MSms', target: 'pg-tunnel', bound: '≤', limit: 0.5, against: 'direct-tls' },
  { row: 'latency', target: 'pg-tunnel', bound: '≥', limit: 0.95, against: 'relays' },
  { row: 'concurrency', target: 'pg-tunnel', bound: '≥', limit: 0.95, against: 'relays' },
  { row: 'idle-sessions (tunnel)', target: 'pg-tunnel-tls', bound: '≤', limit: 24 },
  { row: 'idle-sessions (gateway)', target: 'pg-tunnel', bound: '≤', limit: 20 },
  { row: 'slow-reader (tunnel)', target: 'pg-tunnel', bound: '≤', limit: 64 },
  { row: 'slow-reader (gateway)', target: 'pg-tunnel', bound: '≤', limit: 64 },
];

/** A goal evaluated on one run: its row, the figure (a ratio, or a median in `unit`), met or not. */
export interface GoalResult {
  goal: Goal;
  row: Row;
  figure: number;
  met: boolean;
}

/** A row's name in the table, its round trip written `@MSms`. */
const goalRowOf = (row: Row): string => rowName(row).replace(/@\d+ms/, '@MSms');

/**
 * Each goal whose row ran with its target (and the target it is compared with), evaluated on the
 * medians; goals whose row or targets did not run are left out.
 */
export function evaluateGoals(rows: readonly Row[], goals: readonly Goal[] = GOALS): GoalResult[] {
  return goals.flatMap((goal) => {
    const row = rows.find((candidate) => goalRowOf(candidate) === goal.row);
    const value = row?.medians[goal.target];
    const base = goal.against === undefined ? 1 : row?.medians[goal.against];
    if (row === undefined || value === undefined || base === undefined || base === 0) {
      return [];
    }
    const figure = value / base;
    const met = goal.bound === '≥' ? figure >= goal.limit : figure <= goal.limit;
    return [{ goal, row, figure, met }];
  });
}

/**
 * The block printed under the table: a line per goal evaluated (see evaluateGoals), saying met or
 * not met with the figure and the goal; empty when no goal's row ran.
 */
export function formatGoals(rows: readonly Row[], goals: readonly Goal[] = GOALS): string {
  const lines = evaluateGoals(rows, goals).map(({ goal, row, figure, met }) => {
    const unit = goal.against === undefined ? ` ${row.unit}` : '×';
    const shown =
      goal.against === undefined
        ? `${figure.toFixed(1)}${unit}`
        : `${figure.toFixed(2)}${unit} ${goal.against}`;
    return [
      met ? 'met' : 'not met',
      `${goal.target} on ${rowName(row)}`,
      shown,
      `goal ${goal.bound} ${goal.limit}${unit}`,
    ];
  });
  if (lines.length === 0) {
    return '';
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  const format = (line: string[]): string =>
    `  ${line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return ['goals (medians of this run):', ...lines.map(format)].join('\n');
}
