import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { KeyConfig } from '../main/gateway/config.js';
import { newApiKey } from '../main/testing/gateway.js';
import { keyFor, openTunnel, startInProcessGateway } from '../main/testing/in-process.js';
import { psql } from '../main/testing/psql.js';
import { until } from '../main/testing/until.js';

/**
 * The gateway's warm logins: for a key in use, a few logins to its database made ahead of need,
 * each handed to the next tunnel client whose StartupMessage is the same as a recent one's, so
 * that the login's fork and SCRAM exchange are off the client's path. Real gateway and tunnel in
 * this process, the suite's Postgres, psql.
 */
const postgres = inject('postgres');
const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
});

async function stack(key: Partial<KeyConfig> = {}) {
  const apiKey = newApiKey();
  const keyConfig = { ...keyFor(apiKey, postgres.url, 'warm'), ...key };
  const { gateway, gatewayUrl, port: gatewayPort } = await startInProcessGateway([keyConfig]);
  const { tunnel, host, port } = await openTunnel({ apiKey, gatewayUrl });
  stops.push(async () => {
    await tunnel.stop('kill');
    await gateway.close();
  });
  return { gateway, warmLogins: () => warmLoginsGauge(gatewayPort), host, port };
}

/** Straight to Postgres: the backends of `applicationName` and when each started (epoch ms). */
async function backendsOf(applicationName: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ started: string }>(
      `select (extract(epoch from backend_start) * 1000)::bigint as started from pg_stat_activity
        where backend_type = 'client backend' and application_name = $1`,
      [applicationName],
    );
    return rows.map((row) => Number(row.started));
  } finally {
    await client.end();
  }
}

const WHEN_BACKEND_STARTED =
  'select (extract(epoch from backend_start) * 1000)::bigint from pg_stat_activity where pid = pg_backend_pid()';

/** The pg_tunnel_gateway_warm_logins gauge, as /metrics of the gateway on `port` serves it. */
async function warmLoginsGauge(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('pg_tunnel_gateway_warm_logins '));
  return Number(line?.split(' ')[1]);
}

describe("the gateway's warm logins", () => {
  it('a tunnel client whose StartupMessage a recent client sent gets a login made before it came, and /metrics counts those held', async () => {
    const { warmLogins, host, port } = await stack();
    const env = { PGAPPNAME: 'gateway-warm' };
    expect(await warmLogins()).toBe(0);
    expect((await psql(host, port, ['-c', 'select 1'], env)).code).toBe(0);
    await until(async () => ((await warmLogins()) >= 1 ? true : undefined), 'a warm login held');
    const startedAt = Date.now();
    const second = await psql(host, port, ['-c', WHEN_BACKEND_STARTED], env);
    expect(second.stderr).toBe('');
    expect(Number(second.stdout.trim())).toBeLessThan(startedAt);
  }, 60_000);

  it("a key with warmLogins 'off' holds none", async () => {
    const { warmLogins, host, port } = await stack({ warmLogins: 'off' });
    const env = { PGAPPNAME: 'gateway-warm-off' };
    for (let i = 0; i < 2; i++) {
      expect((await psql(host, port, ['-c', 'select 1'], env)).code).toBe(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await backendsOf('gateway-warm-off')).toEqual([]);
    expect(await warmLogins()).toBe(0);
  }, 60_000);

  it('a reload that removes the key closes its warm logins', async () => {
    const { gateway, host, port } = await stack();
    const env = { PGAPPNAME: 'gateway-warm-reload' };
    expect((await psql(host, port, ['-c', 'select 1'], env)).code).toBe(0);
    await until(
      async () => ((await backendsOf('gateway-warm-reload')).length >= 1 ? true : undefined),
      'a warm backend',
    );
    gateway.reload({ ...gateway.config, keys: [keyFor(newApiKey(), postgres.url, 'other')] });
    await until(
      async () => ((await backendsOf('gateway-warm-reload')).length === 0 ? true : undefined),
      'the warm backend closed',
    );
  }, 60_000);
});
