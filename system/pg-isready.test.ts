import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDirectTunnelCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { connectionError } from '../main/testing/pg-client.js';
import { pgIsReady } from '../main/testing/pg-isready.js';
import { freePort } from '../main/testing/ports.js';

/**
 * Health checks built on libpq's ping (pg_isready, PQping) read every server error as "up" except
 * 57P03, cannot_connect_now: through a tunnel whose database or gateway is down they must say so.
 */
const postgres = inject('postgres');
let gateway: RunningGateway;
const tunnels: RunningTunnel[] = [];

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres);
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.process.stop()));
  await gateway?.process.stop();
});

async function keep(tunnel: Promise<RunningTunnel>): Promise<RunningTunnel> {
  const running = await tunnel;
  tunnels.push(running);
  return running;
}

const directUrl = (port: number): string =>
  `postgres://${postgres.user}:${encodeURIComponent(postgres.password)}@${postgres.host}:${port}/${postgres.database}?sslmode=disable`;

describe('pg_isready through a direct tunnel', () => {
  it('database up: 0 (accepting connections)', async () => {
    const tunnel = await keep(startDirectTunnelCli(directUrl(postgres.port)));
    expect(await pgIsReady(tunnel.host, tunnel.port)).toBe(0);
  });

  it('database down: 1 (rejecting connections), and the client is told 57P03', async () => {
    const tunnel = await keep(startDirectTunnelCli(directUrl(await freePort())));
    expect(await pgIsReady(tunnel.host, tunnel.port)).toBe(1);
    expect(await connectionError(tunnel.host, tunnel.port)).toMatchObject({
      code: '57P03',
      message: expect.stringContaining('PG Tunnel could not reach'),
    });
  });
});

describe('pg_isready through a gateway tunnel', () => {
  it('all up: 0', async () => {
    const tunnel = await keep(startTunnelCli(gateway.wsUrl, gateway.keys.valid));
    expect(await pgIsReady(tunnel.host, tunnel.port)).toBe(0);
  });

  it("the key's database down: 1 (rejecting connections), 57P03", async () => {
    const tunnel = await keep(startTunnelCli(gateway.wsUrl, gateway.keys.upstreamDown));
    expect(await pgIsReady(tunnel.host, tunnel.port)).toBe(1);
    expect(await connectionError(tunnel.host, tunnel.port)).toMatchObject({ code: '57P03' });
  });

  it('the gateway down: 1 (rejecting connections), 57P03', async () => {
    const deadUrl = `ws://127.0.0.1:${await freePort()}/websocket`;
    const tunnel = await keep(startTunnelCli(deadUrl, gateway.keys.valid));
    expect(await pgIsReady(tunnel.host, tunnel.port)).toBe(1);
    expect(await connectionError(tunnel.host, tunnel.port)).toMatchObject({ code: '57P03' });
  });

  it('a login the database refuses keeps its own SQLSTATE (28P01): the server is up', async () => {
    const tunnel = await keep(startTunnelCli(gateway.wsUrl, gateway.keys.wrongPassword));
    expect(await connectionError(tunnel.host, tunnel.port)).toMatchObject({ code: '28P01' });
    expect(await pgIsReady(tunnel.host, tunnel.port)).toBe(0);
  });
});
