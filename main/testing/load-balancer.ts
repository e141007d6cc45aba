import { mkdtemp, readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { start, type RunningProcess } from './child-process.js';
import { startTunnelCli, type RunningTunnel } from './cli.js';
import {
  startGatewayProcess,
  type ConfigFile,
  type RunningGateway,
  type TestKeys,
} from './gateway.js';
import { openSession, type OpenSession } from './pg-client.js';
import { freePort, portIsOpen } from './ports.js';
import { makeCertificate, type TestCertificate } from './tls.js';
import { until } from './until.js';

/** A load balancer a test started with a file from deploy/, in front of the test's gateways. */
export interface RunningLoadBalancer {
  process: RunningProcess;
  /** wss:// URL of the tunnel endpoint behind it (TLS with the test certificate). */
  wsUrl: string;
}

export type StartLoadBalancer = (
  certificate: TestCertificate,
  gatewayPorts: number[],
) => Promise<RunningLoadBalancer>;

export interface LoadBalancedStack {
  /** Two gateways with the same keys; a test may add the ones it starts. */
  readonly gateways: RunningGateway[];
  readonly keys: TestKeys;
  readonly certificate: TestCertificate;
  readonly balancer: RunningLoadBalancer;
  /** `pg-tunnel` with the valid key, dialling the load balancer. */
  readonly tunnel: RunningTunnel;
  /**
   * Opens `count` sessions through the tunnel, named `prefix-0`…, one after the other; returns
   * each with the gateway it landed on (read from the gateways' logs).
   */
  openSpread(
    prefix: string,
    count: number,
  ): Promise<Array<{ session: OpenSession; gateway: RunningGateway | undefined }>>;
}

/** A gateway config edit: the load balancer, on loopback, is a trusted proxy. */
export function trustLoopbackProxy(config: ConfigFile): void {
  config.trustedProxies = ['127.0.0.1', '::1'];
}

/**
 * For a test file: two gateway processes with the same keys (the second drains for up to 120 s),
 * the load balancer `start` runs in front of them, and a tunnel through it; all stopped after.
 */
export function useLoadBalancedGateways(start: StartLoadBalancer): LoadBalancedStack {
  const gateways: RunningGateway[] = [];
  let keys: TestKeys | undefined;
  let certificate: TestCertificate | undefined;
  let balancer: RunningLoadBalancer | undefined;
  let tunnel: RunningTunnel | undefined;
  beforeAll(async () => {
    const postgres = inject('postgres');
    certificate = await makeCertificate(await mkdtemp(join(tmpdir(), 'pg-tunnel-lb-')));
    const first = await startGatewayProcess(postgres, { edit: trustLoopbackProxy });
    keys = first.keys;
    gateways.push(
      first,
      await startGatewayProcess(postgres, {
        keys,
        args: ['--drain-timeout', '120'],
        edit: trustLoopbackProxy,
      }),
    );
    balancer = await start(
      certificate,
      gateways.map((gateway) => gateway.port),
    );
    tunnel = await startTunnelCli(balancer.wsUrl, keys.valid, [], [], {
      NODE_EXTRA_CA_CERTS: certificate.certPath,
    });
  });
  afterAll(async () => {
    await tunnel?.process.stop();
    await balancer?.process.stop();
    for (const gateway of gateways) {
      gateway.process.child.kill('SIGKILL');
    }
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error('the load-balanced stack is used before its beforeAll ran');
    }
    return value;
  };
  return {
    gateways,
    get keys() {
      return started(keys);
    },
    get certificate() {
      return started(certificate);
    },
    get balancer() {
      return started(balancer);
    },
    get tunnel() {
      return started(tunnel);
    },
    async openSpread(prefix, count) {
      const opened = [];
      for (let i = 0; i < count; i++) {
        const name = `${prefix}-${i}`;
        const session = await openSession(started(tunnel).host, started(tunnel).port, name);
        // A gateway logs a session once it has answered the login: the line may come just after.
        const gateway = await until(
          () => gateways.find((g) => g.process.output.includes(`"application":"${name}"`)),
          `the "session opened" line of ${name}`,
        );
        opened.push({ session, gateway });
      }
      return opened;
    },
  };
}

/** What a client of the tunnel is told when the gateway of its session is gone. */
export const CONNECTION_LOST =
  'the connection to the tunnel gateway was lost (the gateway stopped, or the network between failed)';

/**
 * The scenario: sessions spread over both gateways; SIGKILL the first: its sessions end
 * with a sentence, the other's go on, and a new connection through the tunnel succeeds within
 * 1 s, at the first try (the load balancer retries a refused connection on the other gateway).
 */
export async function expectFailoverWhenAGatewayIsKilled(stack: LoadBalancedStack): Promise<void> {
  const [first, second] = stack.gateways as [RunningGateway, RunningGateway];
  const opened = await stack.openSpread('spread', 6);
  const onFirst = opened.filter((o) => o.gateway === first).map((o) => o.session);
  const onSecond = opened.filter((o) => o.gateway === second).map((o) => o.session);
  expect(onFirst.length).toBeGreaterThan(0);
  expect(onSecond.length).toBeGreaterThan(0);
  expect(onFirst.length + onSecond.length).toBe(6);
  expect((await first.metrics())['pg_tunnel_gateway_sessions_open']).toBe(onFirst.length);
  // The gateways see the client's address (from X-Forwarded-For), not the balancer's and a port.
  expect(first.process.output).toMatch(/"msg":"session opened",[^\n]*"client":"127\.0\.0\.1",/);

  first.process.child.kill('SIGKILL');
  const killedAt = performance.now();
  const fresh = await openSession(stack.tunnel.host, stack.tunnel.port, 'after-kill');
  const connectedAfterMs = performance.now() - killedAt;
  console.info(`a new session connected ${connectedAfterMs.toFixed(0)} ms after the SIGKILL`);
  expect(await fresh.value('select 1')).toBe('1');
  expect(connectedAfterMs).toBeLessThan(1000); // the bar

  for (const session of onFirst) {
    expect(await session.lost).toMatchObject({
      severity: 'FATAL',
      code: '08006',
      message: CONNECTION_LOST,
      hint: 'Connect again.',
    });
  }
  for (const [i, session] of onSecond.entries()) {
    expect(await session.value(`select ${i} + 100`)).toBe(String(i + 100));
  }
  for (const session of [...onSecond, fresh]) {
    await session.client.end();
  }
}

/**
 * Runs a load balancer (`command` in the foreground, with the arguments `argsFor` gives for a free
 * loopback port, where its configuration has it listen with TLS) and resolves once it accepts
 * connections there; rejects if it exits first.
 */
export async function runLoadBalancer(
  command: string,
  argsFor: (listenPort: number) => Promise<string[]>,
): Promise<RunningLoadBalancer> {
  const listenPort = await freePort();
  const proc = start(command, await argsFor(listenPort));
  await until(
    async () => {
      if (proc.child.exitCode !== null) {
        throw new Error(`${command} exited: ${proc.output}`);
      }
      return (await portIsOpen(listenPort)) ? true : undefined;
    },
    `${command} to listen`,
    10_000,
  );
  return { process: proc, wsUrl: `wss://127.0.0.1:${listenPort}/websocket` };
}

/**
 * The balancer passes on the tunnel endpoint and the health check only: a gateway's /metrics
 * (key ids, counts) is for Prometheus on the private network. Resolves with the HTTP status of `path`.
 */
export async function statusThroughBalancer(
  stack: LoadBalancedStack,
  path: string,
): Promise<number> {
  const ca = await readFile(stack.certificate.certPath);
  const url = new URL(path, stack.balancer.wsUrl.replace(/^wss:/, 'https:'));
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** Where a deploy/ file listens and names its gateways: the first group of each match is kept. */
export interface AddressLines {
  /** The listen line; its address is replaced by `127.0.0.1:port` and then `listenSuffix`. */
  listen: RegExp;
  listenSuffix: string;
  /** Every server line (a global pattern); its address is replaced by a gateway's. */
  server: RegExp;
}

/**
 * Points a deploy/ load balancer file at the test's loopback ports: the listen line at
 * `listenPort`, each server line in turn at the next of `gatewayPorts`. Throws if the file names
 * another number of servers, so that a changed file cannot go untested.
 */
export function onLoopback(
  config: string,
  file: string,
  lines: AddressLines,
  addresses: { listenPort: number; gatewayPorts: number[] },
): string {
  const servers = config.match(lines.server) ?? [];
  if (servers.length !== addresses.gatewayPorts.length) {
    throw new Error(
      `${file} has ${servers.length} servers; the test runs ${addresses.gatewayPorts.length} gateways`,
    );
  }
  let next = 0;
  return config
    .replace(lines.listen, `$1127.0.0.1:${addresses.listenPort}${lines.listenSuffix}`)
    .replace(
      lines.server,
      (_line, head: string) => `${head}127.0.0.1:${addresses.gatewayPorts[next++]}`,
    );
}
