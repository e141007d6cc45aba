import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { TunnelOptions } from '../main/engine/tunnel.js';
import { newApiKey } from '../main/testing/gateway.js';
import {
  keyFor,
  openTunnel,
  startInProcessGateway,
  type InProcessGatewayOptions,
} from '../main/testing/in-process.js';
import { start } from '../main/testing/child-process.js';
import { psql } from '../main/testing/psql.js';
import { TcpRelay } from '../main/testing/tcp-relay.js';
import { until } from '../main/testing/until.js';
import { openLocalCa } from '../main/tls/index.js';

const postgres = inject('postgres');
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    await undo();
  }
});

type GatewayOptions = Omit<InProcessGatewayOptions, 'tls'> & {
  apiKey?: string;
  maxSessions?: number;
};

/** An in-process gateway in front of the run's Postgres, stopped after the test. */
async function gatewayFor({ apiKey = newApiKey(), maxSessions, ...options }: GatewayOptions = {}) {
  const key = { ...keyFor(apiKey, postgres.url), maxSessions };
  const started = await startInProcessGateway([key], {
    tls: undefined,
    ...options,
  });
  cleanups.push(() => started.gateway.close());
  return { ...started, apiKey };
}

async function tunnelTo(gatewayUrl: string, apiKey: string, options: Partial<TunnelOptions> = {}) {
  const opened = await openTunnel({ apiKey, gatewayUrl, ...options });
  cleanups.push(() => opened.tunnel.stop());
  return opened;
}

/**
 * psql through the tunnel, as a user would run it: it must answer, with nothing on stderr. `env`
 * adds libpq settings (PGSSLMODE).
 */
async function selectThrough(host: string, port: number, env: NodeJS.ProcessEnv = {}) {
  const result = await psql(host, port, ['-c', "select 'answered'"], env, 30_000);
  expect(result.stderr, `exit ${result.code}`).toBe('');
  expect(result.stdout.trim(), `exit ${result.code}`).toBe('answered');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('warm sockets', () => {
  it("carry a client's startup at once, and each one taken is replaced", async () => {
    const { gateway, gatewayUrl, apiKey } = await gatewayFor();
    const { host, port } = await tunnelTo(gatewayUrl, apiKey);
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');

    await selectThrough(host, port);
    await until(
      () =>
        (gateway.stats.warmSocketsOpen === 1 && gateway.stats.warmSocketsTotal === 2) || undefined,
      'the warm socket taken to be replaced',
    );
    // Every WebSocket the gateway accepted was opened ahead of need: none was dialled for psql.
    expect(gateway.stats.upgradeRequests).toBe(2);
    expect(gateway.stats.sessionsTotal).toBe(1);
  });

  it('are replaced when the network changes, and the next client is served on a new one', async () => {
    const { gateway, gatewayUrl, apiKey } = await gatewayFor();
    const { tunnel, host, port } = await tunnelTo(gatewayUrl, apiKey);
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');

    tunnel.networkChanged();
    await until(
      () =>
        (gateway.stats.warmSocketsOpen === 1 && gateway.stats.warmSocketsTotal === 2) || undefined,
      'the warm socket opened on the old network to be replaced',
    );
    await selectThrough(host, port);
    await until(() => gateway.stats.warmSocketsTotal === 3 || undefined, 'its replacement');
    // psql was carried by the new warm socket: no WebSocket was dialled for it.
    expect(gateway.stats.upgradeRequests).toBe(3);
  });

  it('closed by a gateway that restarted, are replaced, and the next client never sees it', async () => {
    const first = await gatewayFor();
    const { host, port } = await tunnelTo(first.gatewayUrl, first.apiKey);
    await until(() => first.gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');

    await first.gateway.close();
    const second = await gatewayFor({ apiKey: first.apiKey, port: first.port });
    await selectThrough(host, port);
    await until(
      () => second.gateway.stats.warmSocketsOpen === 1 || undefined,
      'a warm socket at the restarted gateway',
    );
  });

  it('that died unnoticed (a NAT that lost its state) cost the client nothing: its startup goes again on a fresh dial', async () => {
    const { gateway, port: gatewayPort, apiKey } = await gatewayFor();
    const relay = await TcpRelay.start(gatewayPort);
    cleanups.push(() => relay.close());
    const { host, port } = await tunnelTo(`ws://127.0.0.1:${relay.port}/websocket`, apiKey);
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');

    relay.sever();
    await until(() => gateway.stats.warmSocketsOpen === 0 || undefined, 'the gateway side gone');
    await selectThrough(host, port);
    expect(gateway.stats.sessionsTotal).toBe(1);
  });

  it('that died unnoticed cost a client in TLS nothing either: its startup, decrypted, goes again on a fresh dial', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-warm-tls-'));
    cleanups.push(() => rm(configDir, { recursive: true, force: true }));
    const { server } = await openLocalCa(configDir);
    const { gateway, port: gatewayPort, apiKey } = await gatewayFor();
    const relay = await TcpRelay.start(gatewayPort);
    cleanups.push(() => relay.close());
    const { host, port } = await tunnelTo(`ws://127.0.0.1:${relay.port}/websocket`, apiKey, {
      tls: server,
    });
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');

    relay.sever();
    await until(() => gateway.stats.warmSocketsOpen === 0 || undefined, 'the gateway side gone');
    // require: psql refuses to go on in plain text, so an answer means the session ran in TLS.
    await selectThrough(host, port, { PGSSLMODE: 'require' });
    expect(gateway.stats.sessionsTotal).toBe(1);
  });

  it('gone silent (a frozen route, a laptop asleep) are not handed out, and are replaced', async () => {
    const { gateway, port: gatewayPort, apiKey } = await gatewayFor();
    const relay = await TcpRelay.start(gatewayPort);
    cleanups.push(() => relay.close());
    const { host, port } = await tunnelTo(`ws://127.0.0.1:${relay.port}/websocket`, apiKey, {
      pingIntervalMs: 200,
    });
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');

    relay.freeze();
    await until(() => (relay.accepted >= 2 ? true : undefined), 'a new warm dial');
    await selectThrough(host, port);
  });

  it('are not kept by a tunnel whose gateway holds none, and that gateway still serves', async () => {
    const { gateway, gatewayUrl, apiKey } = await gatewayFor({ warmWaitMs: 0 });
    const { tunnel, host, port } = await tunnelTo(gatewayUrl, apiKey);
    await until(
      () => (gateway.stats.upgradeRequests === 1 && tunnel.warmSockets() === 0) || undefined,
      'the first warm dial answered, without the warm header',
    );
    for (let i = 0; i < 3; i++) {
      await selectThrough(host, port);
    }
    // One dial to learn that the gateway holds none, then one per client: nothing kept, no retries.
    expect(gateway.stats.upgradeRequests).toBe(4);
    expect(gateway.stats.warmSocketsTotal).toBe(0);
    expect(tunnel.warmSockets()).toBe(0);
  });

  it.each([4, 2])(
    'grow toward bursts of connections, up to the bound (%i), and never past it',
    async (maxWarmSockets) => {
      const { gateway, gatewayUrl, apiKey } = await gatewayFor();
      const { tunnel, host, port } = await tunnelTo(gatewayUrl, apiKey, { maxWarmSockets });
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, tunnel.warmSockets())), 5);
      try {
        for (let burst = 0; burst < 3; burst++) {
          await Promise.all(Array.from({ length: 8 }, () => selectThrough(host, port)));
        }
        await until(
          () => gateway.stats.warmSocketsOpen === maxWarmSockets || undefined,
          `${maxWarmSockets} warm sockets at the gateway`,
          15_000,
        );
      } finally {
        clearInterval(sampler);
      }
      expect(most).toBe(maxWarmSockets);
      expect(tunnel.warmSockets()).toBe(maxWarmSockets);
    },
  );

  it("do not count against the key's session limit until a client's session rides on one", async () => {
    const { gateway, gatewayUrl, apiKey } = await gatewayFor({ maxSessions: 1 });
    const { host, port } = await tunnelTo(gatewayUrl, apiKey);
    const holding = start(
      'psql',
      ['-h', host, '-p', String(port), '-U', 'x', '-d', 'postgres', '-X', '-A', '-t'],
      { PGSSLMODE: undefined },
    );
    cleanups.push(() => holding.stop());
    holding.child.stdin!.write("select 'first';\n");
    await holding.waitFor(/^first$/m);
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket again');

    const second = await psql(host, port, ['-c', 'select 1']);
    expect(second.stderr).toContain('too many sessions for this API key');
    holding.child.stdin!.end("select 'still here';\n");
    await holding.waitFor(/still here/);
  });

  it("do not outlive their tunnel's stop, even one still being dialled", async () => {
    const { gateway, gatewayUrl, apiKey } = await gatewayFor();
    const held = await openTunnel({ apiKey, gatewayUrl });
    await until(() => gateway.stats.warmSocketsOpen === 1 || undefined, 'a warm socket');
    await held.tunnel.stop();
    expect(held.tunnel.warmSockets()).toBe(0);
    await until(() => gateway.stats.warmSocketsOpen === 0 || undefined, 'its warm socket closed');

    const dialling = await openTunnel({ apiKey, gatewayUrl });
    await dialling.tunnel.stop();
    expect(dialling.tunnel.warmSockets()).toBe(0);
    await sleep(500);
    expect(gateway.stats.warmSocketsOpen).toBe(0);
  });

  it('are not dialled again and again for a refused key: the client gets the sentence, as without them', async () => {
    const { gateway, gatewayUrl } = await gatewayFor();
    const { host, port } = await tunnelTo(gatewayUrl, newApiKey());
    await until(() => gateway.stats.authFailures === 1 || undefined, 'the warm dial refused');

    const result = await psql(host, port, ['-c', 'select 1']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('API key is invalid');
    await sleep(500);
    expect(gateway.stats.authFailures).toBe(2);
  });

  it('are dialled with a growing pause while the gateway cannot be reached', async () => {
    let attempts = 0;
    const refusing = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => refusing.close(resolve)));
    const address = refusing.address();
    const gatewayUrl = `ws://127.0.0.1:${typeof address === 'object' && address?.port}/websocket`;
    const { host, port } = await tunnelTo(gatewayUrl, newApiKey());

    await sleep(3_500);
    // 1 s, then 2 s between attempts: three at most by now (without a pause, thousands).
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThanOrEqual(3);
    const result = await psql(host, port, ['-c', 'select 1']);
    expect(result.stderr).toContain(`could not reach the tunnel gateway at ${gatewayUrl}`);
  });
});
