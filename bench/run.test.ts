import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../main/testing/child-process.js';

const RTT_ROWS = ['connect@20ms', 'first-query@20ms', 'gui-open@20ms', 'latency@20ms'];

describe('npm run bench', () => {
  it('measures every target on loopback (--floor, --tls) and across a network (--rtt), prints the table and its goals, and writes the JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-check-'));
    try {
      const json = join(dir, 'results.json');
      const result = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/run.ts',
          '--quick',
          '--rtt',
          '20',
          // With --rtt a name without @ takes its rows on loopback and across the network alike
          // (latency: latency and latency@20ms), a name with @ the one across the network alone.
          '--only',
          'latency,first-query,gui-open,connect@20ms',
          '--floor',
          '--tls',
          '--json',
          json,
        ],
        {},
        { timeoutMs: 290_000 },
      );
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.split('\n');
      const header = lines.find((line) => line.startsWith('workload'));
      expect(header?.split(/\s+/)).toEqual(
        expect.arrayContaining([
          'direct',
          'direct-tls',
          'pg-tunnel',
          'pg-tunnel-tls',
          'ppg-tunnel',
          'pg-direct',
          'pgd/direct',
          'pgd/tls',
          'pgd/pg',
          'relays',
          'pg/direct',
          'pg/tls',
          'ppg/tls',
          'pg-tls/pg',
          'relays/direct',
          'pg/relays',
        ]),
      );
      for (const row of ['latency', ...RTT_ROWS]) {
        expect(lines.some((line) => line.startsWith(`${row} `))).toBe(true);
      }
      // Under the table, the goals whose rows ran, each met or not: here pg-direct's four across
      // the network, pg-tunnel's three, and pg-tunnel against the relays on latency alone.
      const goals = lines
        .slice(lines.indexOf('goals (medians of this run):') + 1)
        .filter((line) => line !== '');
      expect(goals.map((line) => /^ {2}(?:met|not met) +(\S+ on \S+)/.exec(line)?.[1])).toEqual([
        'pg-direct on connect@20ms',
        'pg-direct on gui-open@20ms',
        'pg-direct on first-query@20ms',
        'pg-direct on latency@20ms',
        'pg-tunnel on connect@20ms',
        'pg-tunnel on connect@20ms',
        'pg-tunnel on gui-open@20ms',
        'pg-tunnel on latency',
      ]);
      const { machine, results } = JSON.parse(await readFile(json, 'utf8')) as {
        machine: { cores: number };
        results: Array<{ workload: string; target: string; value: number; unit: string }>;
      };
      expect(machine.cores).toBeGreaterThan(0);
      const targetsOf = (workload: string): string[] =>
        results.filter((r) => r.workload === workload).map((r) => r.target);
      expect(targetsOf('latency')).toEqual([
        'direct',
        'pg-tunnel',
        'pg-tunnel-tls',
        'ppg-tunnel',
        'pg-direct',
        'relays',
      ]);
      for (const row of RTT_ROWS) {
        expect(targetsOf(row), row).toEqual([
          'direct-tls',
          'pg-tunnel',
          'pg-tunnel-tls',
          'ppg-tunnel',
          'pg-direct',
        ]);
      }
      const units = Object.fromEntries(results.map((r) => [r.workload, r.unit]));
      expect(units).toEqual({
        latency: 'tps',
        'connect@20ms': 'tps',
        'first-query@20ms': 'ms',
        'gui-open@20ms': 'ms',
        'latency@20ms': 'tps',
      });
      for (const row of results) {
        expect(row.value, `${row.workload} ${row.target}`).toBeGreaterThan(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
