import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_CLIENT_MESSAGE_BYTES } from '../relay/tunnel-protocol.js';
import { startTunnelCli, type RunningTunnel } from '../testing/cli.js';
import { useCliStack } from '../testing/cli-stack.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { exchange, UNPARSABLE_TARGETS, upgradeRequest } from '../testing/http-exchange.js';
import { residentBytes } from '../testing/memory.js';
import { openSession } from '../testing/pg-client.js';
import { psql } from '../testing/psql.js';
import { until } from '../testing/until.js';

const postgres = inject('postgres');

describe('the gateway answers requests it cannot parse and goes on', () => {
  let gateway: RunningGateway;
  let tunnel: RunningTunnel;
  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres);
    tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid);
  });
  afterAll(async () => {
    for (const started of [tunnel, gateway]) {
      started.process.child.kill('SIGKILL');
      await started.process.exited;
    }
  });

  it('400 for an unparsable target, as a plain request and as an upgrade, while a session goes on', async () => {
    const session = await openSession(tunnel.host, tunnel.port, 'unparsable-targets');
    for (const target of UNPARSABLE_TARGETS) {
      const plain = await exchange(gateway.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(plain, target).toMatch(/^HTTP\/1\.1 400 /);
      const upgrade = await exchange(gateway.port, upgradeRequest(target));
      expect(upgrade, target).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(gateway.process.child.exitCode).toBeNull();
    expect((await session.client.query('select 41 + 1 as n')).rows).toEqual([{ n: 42 }]);
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    await session.client.end();
  });
});

/** Opens a TCP connection to the gateway that never sends a byte; resolves once connected. */
function idleSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    socket.resume();
  });
}

describe('the gateway before authentication', () => {
  const IDLE_SOCKETS = 3_000;
  const stack = useCliStack();

  it(`${IDLE_SOCKETS} silent sockets: healthz answers, upgrades past the cap get 503 with Retry-After, memory stays bounded, and the header deadline closes them`, async () => {
    const { gateway, tunnel } = stack;
    const session = await openSession(tunnel.host, tunnel.port, 'idle-flood');
    const before = residentBytes(gateway.process.child.pid!);
    const sockets: Socket[] = [];
    let closed = 0;
    for (let i = 0; i < IDLE_SOCKETS; i++) {
      const socket = await idleSocket(gateway.port);
      socket.on('error', () => undefined);
      socket.on('close', () => closed++);
      sockets.push(socket);
    }
    const rss = residentBytes(gateway.process.child.pid!);
    console.info(
      `gateway RSS with ${IDLE_SOCKETS} idle sockets: ${(rss / 2 ** 20).toFixed(0)} MiB (${(before / 2 ** 20).toFixed(0)} MiB before)`,
    );
    expect(rss).toBeLessThan(before + 100 * 2 ** 20);
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    const upgrade = await exchange(
      gateway.port,
      upgradeRequest('/websocket', `Authorization: Bearer ${gateway.keys.valid}\r\n`),
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 503 [^]*\r\nretry-after: 5\r\n/);
    expect(await session.value('select 41 + 1')).toBe('42');

    // No socket outlives the header deadline (Node's default would keep them 60 to 90 s).
    await until(
      () => (closed === IDLE_SOCKETS ? true : undefined),
      'the idle sockets closed',
      30_000,
    );
    expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 6 * 7'])).stdout.trim()).toBe('42');
    expect(gateway.process.child.exitCode).toBeNull();
    await session.client.end();
  });

  it('a message larger than the protocol needs ends that tunnel alone (1009), not the gateway', async () => {
    const { gateway } = stack;
    const ws = new WebSocket(gateway.wsUrl, {
      headers: { authorization: `Bearer ${gateway.keys.valid}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(Buffer.alloc(MAX_CLIENT_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
  });
});
