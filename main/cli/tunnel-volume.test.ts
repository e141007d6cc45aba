import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../testing/child-process.js';
import { useCliStack } from '../testing/cli-stack.js';
import { residentBytes, samplePeakRss } from '../testing/memory.js';
import { psql } from '../testing/psql.js';
import { SlowReader } from '../testing/slow-reader.js';

const stack = useCliStack();
const MB = 1024 * 1024;

/**
 * The tunnel runs with its default, TLS on the local port: psql and pgbench below, on libpq's
 * default sslmode=prefer, go through it in TLS; the slow reader reads both ways.
 */
describe('volume', () => {
  it.each([
    ['in plain text', false],
    ['in TLS', true],
  ])(
    'a 300 MB result read by a slow client %s keeps tunnel and gateway memory bounded',
    async (_how, tls) => {
      const RESULT_BYTES = 300 * 1000 * 1000;
      const ROW_BYTES = 1000;
      const READ_RATE = 60 * MB; // bytes per second: slower than the tunnel can deliver
      const reader = await SlowReader.open(
        stack.tunnel.host,
        stack.tunnel.port,
        READ_RATE,
        undefined,
        tls,
      );
      const pids = [stack.tunnel.process.child.pid!, stack.gateway.process.child.pid!];
      const before = pids.map(residentBytes);
      const sampler = samplePeakRss(pids);
      const { bytes } = await reader.query(
        `select repeat('x', ${ROW_BYTES}) from generate_series(1, ${RESULT_BYTES / ROW_BYTES})`,
        60_000,
      );
      const peaks = sampler.stop();
      reader.end();
      const growth = peaks.map((peak, i) => (peak - before[i]!) / MB);
      console.info(
        `slow reader: growth tunnel ${growth[0]!.toFixed(1)} MB, gateway ${growth[1]!.toFixed(1)} MB`,
      );
      expect(bytes).toBeGreaterThan(RESULT_BYTES);
      // Without backpressure the whole result would pile up in one of them. With it, what remains is
      // V8 freeing socket buffers in batches (it lets external memory build up to about 64 MB between
      // collections), which does not grow with the result size.
      for (const grown of growth) {
        expect(grown).toBeLessThan(64);
      }
    },
    120_000,
  );

  it('a 1,000,000-row table copied out and back in through the tunnel has the same checksum', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-copy-'));
    const file = join(dir, 'rows.csv');
    const sql = (command: string) =>
      psql(stack.tunnel.host, stack.tunnel.port, ['-c', command], {}, 120_000);
    const checksum = "select md5(string_agg(md5(t::text), '' order by id)) from";
    try {
      await sql('drop table if exists copy_src, copy_dst');
      await sql(
        "create table copy_src as select g as id, md5(g::text) as word, g * 1.5 as amount, now() - g * interval '1 second' as at, " +
          "case when g % 7 = 0 then null else 'line\"with,comma' end as note from generate_series(1, 1000000) g",
      );
      await sql('create table copy_dst (like copy_src)');
      const out = await sql(`\\copy copy_src to '${file}' csv`);
      expect(out.stdout.trim()).toBe('COPY 1000000');
      const back = await sql(`\\copy copy_dst from '${file}' csv`);
      expect(back.stdout.trim()).toBe('COPY 1000000');
      const source = await sql(`${checksum} copy_src t`);
      const copied = await sql(`${checksum} copy_dst t`);
      expect(copied.stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
      expect(copied.stdout).toBe(source.stdout);
    } finally {
      await sql('drop table if exists copy_src, copy_dst');
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('pgbench -c 8 -j 2 -T 10 through the tunnel: zero failed transactions', async () => {
    const env = { PGSSLMODE: undefined, PGUSER: 'bench', PGDATABASE: 'bench' };
    const target = ['-h', stack.tunnel.host, '-p', String(stack.tunnel.port)];
    const init = await run('pgbench', ['-i', '-s', '1', '-q', ...target], env, {
      timeoutMs: 120_000,
    });
    expect(init.code, init.stderr).toBe(0);
    const bench = await run('pgbench', ['-c', '8', '-j', '2', '-T', '10', ...target], env, {
      timeoutMs: 60_000,
    });
    expect(bench.code, bench.stderr).toBe(0);
    const processed = Number(
      /number of transactions actually processed: (\d+)/.exec(bench.stdout)?.[1],
    );
    const failed = /number of failed transactions: (\d+)/.exec(bench.stdout)?.[1];
    console.info(`pgbench through the tunnel: ${processed} transactions, ${failed} failed`);
    expect(processed).toBeGreaterThan(100);
    expect(failed).toBe('0');
  }, 120_000);
});
