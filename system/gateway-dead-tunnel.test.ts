import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { start } from '../main/testing/child-process.js';
import { startTunnelCli } from '../main/testing/cli.js';
import { newApiKey } from '../main/testing/gateway.js';
import { keyFor, startInProcessGateway } from '../main/testing/in-process.js';
import { until } from '../main/testing/until.js';

const postgres = inject('postgres');

describe('the gateway watches its tunnels too', () => {
  it('a tunnel whose engine froze is judged dead, and its database connection is ended', async () => {
    const apiKey = newApiKey();
    const { gateway, gatewayUrl } = await startInProcessGateway([keyFor(apiKey, postgres.url)], {
      tls: undefined,
      liveness: { pingIntervalMs: 200, deadAfterMs: 600 }, // the defaults are 15 s and 45 s
    });
    const tunnel = await startTunnelCli(gatewayUrl, apiKey);
    const appName = `frozen-engine-${process.pid}`;
    const session = start(
      'psql',
      ['-h', tunnel.host, '-p', String(tunnel.port), '-d', 'postgres', '-X', '-A', '-t'],
      { PGSSLMODE: undefined, PGAPPNAME: appName },
    );
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    // The session's own backend, by its pid: the gateway may hold a warm login of the same
    // application_name beside it, ready for the next client.
    const backends = async (pid: number): Promise<number> =>
      (
        await admin.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where application_name = $1 and pid = $2',
          [appName, pid],
        )
      ).rows[0]!.n;
    try {
      session.child.stdin!.write('select pg_backend_pid();\n');
      const [, pid] = await session.waitFor(/^(\d+)$/m);
      expect(await backends(Number(pid))).toBe(1);
      tunnel.process.child.kill('SIGSTOP'); // its socket stays open; it just never answers
      await until(
        async () => ((await backends(Number(pid))) === 0 ? true : undefined),
        'the backend to go',
        15_000,
      );
    } finally {
      tunnel.process.child.kill('SIGCONT');
      await admin.end();
      await session.stop();
      await tunnel.process.stop();
      await gateway.close();
    }
  });
});
