import { serialize } from 'pg-protocol';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { openSession } from '../main/testing/pg-client.js';
import { psql } from '../main/testing/psql.js';
import { RawClient } from '../main/testing/raw-client.js';
import { until } from '../main/testing/until.js';

const postgres = inject('postgres');
const running: Array<RunningGateway | RunningTunnel> = [];

afterEach(async () => {
  for (const started of running.splice(0).reverse()) {
    started.process.child.kill('SIGKILL');
    await started.process.exited;
  }
});

async function gatewayAndTunnel(
  drainTimeoutSeconds: number,
): Promise<{ gateway: RunningGateway; tunnel: RunningTunnel }> {
  const gateway = await startGatewayProcess(postgres, {
    args: ['--drain-timeout', String(drainTimeoutSeconds)],
  });
  running.push(gateway);
  const tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid);
  running.push(tunnel);
  return { gateway, tunnel };
}

const health = async (gateway: RunningGateway): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${gateway.httpUrl}/healthz`);
  return { status: response.status, body: await response.json() };
};

const SHUTTING_DOWN = 'terminating connection because the tunnel gateway is shutting down';

describe('SIGTERM drains the gateway', () => {
  it('/healthz answers 503 at once, new tunnels are refused, an open transaction goes on; a second SIGTERM ends it with the FATAL', async () => {
    const { gateway, tunnel } = await gatewayAndTunnel(120);
    const session = await openSession(tunnel.host, tunnel.port, 'drain-open-transaction');
    await session.client.query('begin');
    await session.client.query('create temp table drained (n int)');
    expect((await health(gateway)).status).toBe(200);

    gateway.process.child.kill('SIGTERM');
    await gateway.process.waitFor(/"msg":"gateway draining"/);
    expect(await health(gateway)).toEqual({
      status: 503,
      body: { status: 'draining', sessionsOpen: 1 },
    });
    expect((await gateway.metrics())['pg_tunnel_gateway_draining']).toBe(1);
    const refused = await psql(tunnel.host, tunnel.port, ['-c', 'select 1']);
    expect(refused.stderr).toMatch(
      /FATAL: {2}the tunnel gateway at \S+ answered 503 Service Unavailable/,
    );

    // The session may finish its work.
    await session.client.query('insert into drained values (1), (2)');
    expect(await session.value('select sum(n) from drained')).toBe('3');

    gateway.process.child.kill('SIGTERM');
    const error = await session.lost;
    expect(error).toMatchObject({ code: '57P01', severity: 'FATAL', message: SHUTTING_DOWN });
    expect(await gateway.process.exited).toBe(0);
    expect(gateway.process.output).toContain('"msg":"gateway drained","sessionsEnded":1');
  });

  it('a session still open when the drain timeout runs out ends with the shutting-down FATAL; psql shows it', async () => {
    const { gateway, tunnel } = await gatewayAndTunnel(2);
    const session = await openSession(tunnel.host, tunnel.port, 'drain-timeout');
    await session.client.query('begin');
    gateway.process.child.kill('SIGTERM');
    expect(await session.lost).toMatchObject({ code: '57P01', message: SHUTTING_DOWN });
    expect(await gateway.process.exited).toBe(0);

    // psql's own words for it, compared with what Postgres's own shutdown looks like in psql.
    const { gateway: second, tunnel: secondTunnel } = await gatewayAndTunnel(1);
    const psqlRun = psql(
      secondTunnel.host,
      secondTunnel.port,
      ['-c', 'select pg_sleep(4)'],
      {},
      30_000,
    );
    await second.process.waitFor(/"msg":"session opened"/);
    second.process.child.kill('SIGTERM');
    const result = await psqlRun;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`FATAL:  ${SHUTTING_DOWN}`);
  });

  it('ends as soon as the last session closes, ending none', async () => {
    const { gateway, tunnel } = await gatewayAndTunnel(600);
    const session = await openSession(tunnel.host, tunnel.port, 'drain-leaves');
    await session.client.query('begin');
    gateway.process.child.kill('SIGTERM');
    await gateway.process.waitFor(/"msg":"gateway draining"/);
    await session.client.query('commit');
    await session.client.end();
    // Well before the 600 s drain timeout (the test's own timeout is 60 s).
    expect(await gateway.process.exited).toBe(0);
    expect(gateway.process.output).toContain('"msg":"gateway drained","sessionsEnded":0');
  });

  it('ends a session in the middle of a large row only after that row: the client reads a whole stream and the FATAL', async () => {
    const ROW_BYTES = 24 * 1024 * 1024; // more than every buffer between gateway and client holds
    const { gateway, tunnel } = await gatewayAndTunnel(0);
    const client = await RawClient.open(tunnel.host, tunnel.port);
    await client.send(serialize.startup({ user: 'raw', database: 'raw' }));
    await until(() => (client.bytes().includes('Z\0\0\0\x05I') ? true : undefined), 'the login');
    // The client stops reading: the row stops part-way, held back by backpressure.
    client.socket.pause();
    await client.send(serialize.query(`select repeat('x', ${ROW_BYTES})`));
    await until(
      async () =>
        (await gateway.metrics())['pg_tunnel_gateway_client_sent_bytes_total']! > 4 * 1024 * 1024
          ? true
          : undefined,
      'part of the row to be sent',
      30_000,
    );
    gateway.process.child.kill('SIGTERM');
    await gateway.process.waitFor(/"msg":"session ended by the gateway"[^\n]*"midMessage":true/);
    client.socket.resume();
    await client.closed;

    const messages = await client.messages();
    const names = messages.map((message) => message.name);
    expect(names.slice(-3)).toEqual(['rowDescription', 'dataRow', 'error']);
    const row = messages.at(-2) as unknown as { fields: string[] };
    expect(row.fields[0]).toHaveLength(ROW_BYTES);
    expect(messages.at(-1)).toMatchObject({
      severity: 'FATAL',
      code: '57P01',
      message: SHUTTING_DOWN,
    });
    expect(await gateway.process.exited).toBe(0);
  });
  it('closes warm sockets at once, and the tunnel hands none of them to a client: the gateway that takes over serves it', async () => {
    const { gateway, tunnel } = await gatewayAndTunnel(120);
    const warmOpen = async (of: RunningGateway): Promise<number | undefined> =>
      (await of.metrics())['pg_tunnel_gateway_warm_sockets_open'];
    const session = await openSession(tunnel.host, tunnel.port, 'drain-with-warm-sockets');
    await until(async () => ((await warmOpen(gateway)) === 1 ? true : undefined), 'a warm socket');

    gateway.process.child.kill('SIGTERM');
    await gateway.process.waitFor(/"msg":"gateway draining"/);
    // Closed while the drain still waits for the open session, not when it ends.
    await until(async () => ((await warmOpen(gateway)) === 0 ? true : undefined), 'none held');
    expect(gateway.process.output).toMatch(
      /"msg":"warm socket closed".*"reason":"the gateway is draining"/,
    );
    expect((await gateway.metrics())['pg_tunnel_gateway_draining']).toBe(1);
    await session.client.end();
    expect(await gateway.process.exited).toBe(0);

    const successor = await startGatewayProcess(postgres, {
      keys: gateway.keys,
      port: gateway.port,
    });
    running.push(successor);
    const result = await psql(tunnel.host, tunnel.port, ['-c', "select 'served'"], {}, 30_000);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('served');
  });
});
