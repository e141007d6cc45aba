import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../main/testing/child-process.js';

describe('npm run bench', () => {
  it('measures every target with --floor and --tls, prints the table and writes the JSON', async () => {
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
          '--only',
          'latency',
          '--floor',
          '--tls',
          '--json',
          json,
        ],
        {},
        { timeoutMs: 170_000 },
      );
      expect(result.code, result.stderr).toBe(0);
      const header = result.stdout.split('\n').find((line) => line.startsWith('workload'));
      expect(header?.split(/\s+/)).toEqual(
        expect.arrayContaining([
          'direct',
          'pg-tunnel',
          'pg-tunnel-tls',
          'ppg-tunnel',
          'relays',
          'tls/pg',
          'relays/direct',
          'pg/relays',
        ]),
      );
      const { machine, results } = JSON.parse(await readFile(json, 'utf8')) as {
        machine: { cores: number };
        results: Array<{ workload: string; target: string; value: number; unit: string }>;
      };
      expect(machine.cores).toBeGreaterThan(0);
      expect(results.map((r) => r.target)).toEqual([
        'direct',
        'pg-tunnel',
        'pg-tunnel-tls',
        'ppg-tunnel',
        'relays',
      ]);
      for (const row of results) {
        expect(row).toMatchObject({ workload: 'latency', unit: 'tps' });
        expect(row.value).toBeGreaterThan(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
