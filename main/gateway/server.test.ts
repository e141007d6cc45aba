import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTunnelCli, type RunningTunnel } from '../testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { openSession } from '../testing/pg-client.js';

const postgres = inject('postgres');

/** Request targets that `new URL` throws on: each once ended the gateway and every session on it. */
const UNPARSABLE_TARGETS = ['http://[', '//[', 'http://a%zz/', 'https://x:99999/', 'http://:80/'];

/** Sends `request` on a fresh TCP connection and resolves with whatever comes back before close. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

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
      const upgrade = await exchange(
        gateway.port,
        `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      expect(upgrade, target).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(gateway.process.child.exitCode).toBeNull();
    expect((await session.client.query('select 41 + 1 as n')).rows).toEqual([{ n: 42 }]);
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    await session.client.end();
  });
});
