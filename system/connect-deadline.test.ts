import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../main/gateway/keys.js';
import { startDirectTunnelCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { newApiKey, startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { psql } from '../main/testing/psql.js';
import {
  startStallingServer,
  type StallingServer,
  type StallPoint,
} from '../main/testing/stalling-server.js';
import { until } from '../main/testing/until.js';

/**
 * A database server that accepts TCP and then hangs, at each stage of connecting: the client gets
 * a FATAL naming the stage within the connection's connect_timeout, under sslmode prefer and
 * require, through a direct tunnel and a gateway key; a client that gives up first leaves no
 * socket open upstream, nor a session counted against its key.
 */
const postgres = inject('postgres');
const servers = {} as Record<StallPoint, StallingServer>;
const tunnels: RunningTunnel[] = [];
let gateway: RunningGateway;
/** Keys of the gateway by name; `slots` has maxSessions 3 and no deadline of its own. */
const keys = { sslAccepted: newApiKey(), slots: newApiKey() };

const urlTo = (point: StallPoint, query: string): string =>
  `postgres://app:secret@127.0.0.1:${servers[point].port}/appdb?${query}`;

beforeAll(async () => {
  for (const point of ['silent', 'ssl-accepted', 'mid-login'] as const) {
    servers[point] = await startStallingServer(point);
  }
  gateway = await startGatewayProcess(postgres, {
    edit: (config) => {
      config.keys.push(
        {
          id: 'ssl-accepted',
          keyHash: hashApiKey(keys.sslAccepted),
          upstream: urlTo('ssl-accepted', 'sslmode=require&connect_timeout=2'),
        },
        {
          id: 'slots',
          keyHash: hashApiKey(keys.slots),
          upstream: urlTo('silent', 'sslmode=prefer&connect_timeout=0'),
          maxSessions: 3,
        },
      );
    },
  });
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.process.stop()));
  await gateway?.process.stop();
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

async function keep(tunnel: Promise<RunningTunnel>): Promise<RunningTunnel> {
  const running = await tunnel;
  tunnels.push(running);
  return running;
}

/** psql through `tunnel`, waiting up to `seconds` itself (its own connect_timeout). */
const psqlWaiting = (tunnel: RunningTunnel, seconds: number) =>
  psql(tunnel.host, tunnel.port, ['-c', 'select 1'], { PGCONNECT_TIMEOUT: String(seconds) });

describe('a direct tunnel to a server that hangs: the FATAL names the stage, in time', () => {
  it.each([
    ['silent', 'prefer', 'waiting for the answer to the SSLRequest'],
    ['silent', 'require', 'waiting for the answer to the SSLRequest'],
    ['ssl-accepted', 'prefer', 'in the TLS handshake'],
    ['ssl-accepted', 'require', 'in the TLS handshake'],
    ['mid-login', 'prefer', 'logging in'],
  ] as const)('%s, sslmode=%s: stalled %s', async (point, sslmode, stage) => {
    const tunnel = await keep(
      startDirectTunnelCli(urlTo(point, `sslmode=${sslmode}&connect_timeout=2`)),
    );
    const result = await psqlWaiting(tunnel, 30);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `FATAL:  PG Tunnel could not reach 127.0.0.1:${servers[point].port}: no answer within 2 s (connect_timeout), stalled ${stage}`,
    );
    await until(() => (servers[point].open === 0 ? true : undefined), 'no socket left open');
  });
});

describe('clients that give up free what was opened for them', () => {
  it('direct tunnel, no deadline of its own: three clients gone, no upstream socket left open', async () => {
    const server = servers.silent;
    const atStart = server.accepted;
    const tunnel = await keep(startDirectTunnelCli(urlTo('silent', 'connect_timeout=0')));
    // A direct tunnel connects once to its database's port as it starts (no login), so that a
    // host that refuses is said before any client: that connection is not a client's.
    await until(
      () => (server.accepted === atStart + 1 && server.open === 0 ? true : undefined),
      'the reachability check of the tunnel at start',
    );
    const before = server.accepted;
    const results = await Promise.all([1, 2, 3].map(() => psqlWaiting(tunnel, 2)));
    expect(results.map((r) => r.code)).not.toContain(0);
    expect(server.accepted).toBe(before + 3);
    await until(() => (server.open === 0 ? true : undefined), 'the upstream sockets to close');
  });

  it("gateway key with maxSessions 3: three clients gone leave the key's count at 0, and the next is let in", async () => {
    const server = servers.silent;
    const tunnel = await keep(startTunnelCli(gateway.wsUrl, keys.slots));
    const before = server.accepted;
    await Promise.all([1, 2, 3].map(() => psqlWaiting(tunnel, 2)));
    await until(() => (server.open === 0 ? true : undefined), 'the upstream sockets to close');
    await until(
      async () =>
        (await gateway.metrics())['pg_tunnel_gateway_key_sessions_open{key="slots"}'] === 0
          ? true
          : undefined,
      "the key's session count to be 0",
    );
    const fourth = await psqlWaiting(tunnel, 2);
    expect(fourth.stderr).not.toContain('too many sessions');
    expect(server.accepted).toBe(before + 4);
  });
});

describe('a gateway key to a server that hangs', () => {
  it('sslmode=require, S then nothing: the FATAL names the stage, and nothing is left open', async () => {
    const tunnel = await keep(startTunnelCli(gateway.wsUrl, keys.sslAccepted));
    const result = await psqlWaiting(tunnel, 30);
    expect(result.stderr).toContain(
      'FATAL:  the gateway could not reach the database: no answer within 2 s (connect_timeout), stalled in the TLS handshake',
    );
    await until(() => (servers['ssl-accepted'].open === 0 ? true : undefined), 'no socket open');
  });
});
