import { describe, expect, it } from 'vitest';
import { evaluateGoals, formatGoals } from './goals.js';
import type { Row } from './rows.js';

const row = (workload: string, medians: Row['medians'], process?: Row['process']): Row => ({
  workload: workload as Row['workload'],
  process,
  unit: 'unit',
  higherIsBetter: false,
  rounds: 1,
  medians,
});

describe('evaluateGoals', () => {
  it('finds a row of --rtt at whatever round trip it ran, and divides by the target named', () => {
    const rows = [row('connect@50ms', { 'direct-tls': 5, 'pg-direct': 16, 'ppg-tunnel': 8 })];
    const results = evaluateGoals(rows).map(({ goal, figure, met }) => ({
      target: goal.target,
      against: goal.against,
      figure,
      met,
    }));
    // pg-tunnel did not run: its two connect goals are left out.
    expect(results).toEqual([
      { target: 'pg-direct', against: 'direct-tls', figure: 3.2, met: true },
    ]);
  });

  it('reads ≤ and ≥ as at most and at least, the limit itself included', () => {
    const rows = [
      row('gui-open@20ms', { 'direct-tls': 200, 'pg-direct': 100, 'pg-tunnel': 101 }),
      row('latency', { 'pg-tunnel': 95, relays: 100 }),
      row('concurrency', { 'pg-tunnel': 94, relays: 100 }),
    ];
    expect(evaluateGoals(rows).map(({ goal, met }) => [goal.row, goal.target, met])).toEqual([
      ['gui-open@MSms', 'pg-direct', true],
      ['gui-open@MSms', 'pg-tunnel', false],
      ['latency', 'pg-tunnel', true],
      ['concurrency', 'pg-tunnel', false],
    ]);
  });

  it('takes a memory goal from the row of its process and target, as a median', () => {
    const rows = [
      row('idle-sessions', { 'pg-tunnel': 19, 'pg-tunnel-tls': 41.8 }, 'tunnel'),
      row('idle-sessions', { 'pg-tunnel': 18, 'pg-tunnel-tls': 30 }, 'gateway'),
    ];
    expect(evaluateGoals(rows).map(({ goal, figure, met }) => [goal.row, figure, met])).toEqual([
      ['idle-sessions (tunnel)', 41.8, false],
      ['idle-sessions (gateway)', 18, true],
    ]);
  });
});

describe('formatGoals', () => {
  it('prints a line per goal evaluated, met or not met, with the figure and the goal', () => {
    const rows = [
      row('first-query@20ms', { 'direct-tls': 250, 'pg-direct': 100 }),
      row('slow-reader', { 'pg-tunnel': 66.24 }, 'gateway'),
    ];
    expect(formatGoals(rows).split('\n')).toEqual([
      'goals (medians of this run):',
      '  met      pg-direct on first-query@20ms       0.40× direct-tls  goal ≤ 0.5×',
      '  not met  pg-tunnel on slow-reader (gateway)  66.2 unit         goal ≤ 64 unit',
    ]);
  });

  it('prints nothing when no goal has its row', () => {
    expect(formatGoals([row('copy-in', { 'pg-tunnel': 80, direct: 80 })])).toBe('');
  });
});
