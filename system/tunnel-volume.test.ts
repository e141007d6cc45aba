import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDirectTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { useCliStack } from '../main/testing/cli-stack.js';
import { residentBytes, samplePeakRss } from '../main/testing/memory.js';
import { pgbenchThrough } from '../main/testing/pgbench.js';
import { psql } from '../main/testing/psql.js';
import { SlowReader } from '../main/testing/slow-reader.js';

const stack = useCliStack();
const MB = 1024 * 1024;

let direct: RunningTunnel | undefined;

beforeAll(async () => {
  direct = await startDirectTunnelCli(inject('postgres').url);
});

afterAll(async () => {
  await direct?.process.stop();
});

/**
 * The tunnels run with their default, TLS on the local port: psql and pgbench below, on libpq's
 * default sslmode=prefer, go through it in TLS; the slow reader reads both ways.
 */
describe('volume', () => {
  /**
   * The proxies on each route to the shared Postgres, by name: the tunnel and the gateway, or a
   * direct tunnel alone (its two sockets pumped with the same bounds); each read by a client in
   * plain text and in TLS (the local port's TLS layer between the client and the pump).
   */
  type Route = () => { host: string; port: number; pids: Record<string, number> };
  const gatewayRoute: Route = () => ({
    ...stack.tunnel,
    pids: { tunnel: stack.tunnel.process.child.pid!, gateway: stack.gateway.process.child.pid! },
  });
  const directRoute: Route = () => ({ ...direct!, pids: { tunnel: direct!.process.child.pid! } });
  const routes: Array<[string, boolean, Route]> = [
    ['tunnel and gateway', false, gatewayRoute],
    ['tunnel and gateway', true, gatewayRoute],
    ['a direct tunnel', false, directRoute],
    ['a direct tunnel', true, directRoute],
  ];

  it.each(routes)(
    'a 300 MB result read by a slow client keeps the memory of %s bounded (TLS: %s)',
    async (_name, tls, route) => {
      const RESULT_BYTES = 300 * 1000 * 1000;
      const ROW_BYTES = 1000;
      const READ_RATE = 60 * MB; // bytes per second: slower than the tunnel can deliver
      const { host, port, pids: named } = route();
      const reader = await SlowReader.open(host, port, READ_RATE, undefined, tls);
      const pids = Object.values(named);
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
        `slow reader: growth ${Object.keys(named)
          .map((name, i) => `${name} ${growth[i]!.toFixed(1)} MB`)
          .join(', ')}`,
      );
      expect(bytes).toBeGreaterThan(RESULT_BYTES);
      // Without backpressure the whole result would pile up in one of them. With it, what remains
      // is V8 freeing socket buffers in batches (it lets external memory build up to about 64 MB
      // between collections), which does not grow with the result size.
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
    const { processed, failed } = await pgbenchThrough(
      stack.tunnel.host,
      stack.tunnel.port,
      'bench',
      'bench',
    );
    console.info(`pgbench through the tunnel: ${processed} transactions, ${failed} failed`);
    expect(processed).toBeGreaterThan(100);
    expect(failed).toBe(0);
  }, 120_000);
});
