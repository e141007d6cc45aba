import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import {
  HAPROXY_CONFIG_PATH,
  HAPROXY_PROGRAM,
  haproxyConfigFor,
  haproxyPem,
  startHaproxy,
  writeHaproxyConfig,
} from '../main/testing/haproxy.js';
import {
  expectFailoverWhenAGatewayIsKilled,
  statusThroughBalancer,
  trustLoopbackProxy,
  useLoadBalancedGateways,
} from '../main/testing/load-balancer.js';
import type { OpenSession } from '../main/testing/pg-client.js';
import { until } from '../main/testing/until.js';

const stack = useLoadBalancedGateways(startHaproxy);

describe('deploy/haproxy.cfg, run by HAProxy in front of two gateways', () => {
  it('passes haproxy -c without a warning (only the certificate path replaced)', async () => {
    const text = await readFile(HAPROXY_CONFIG_PATH, 'utf8');
    const config = haproxyConfigFor(text, await haproxyPem(stack.certificate));
    const result = await run(HAPROXY_PROGRAM, ['-c', '-f', await writeHaproxyConfig(config)]);
    expect(result.stdout + result.stderr).toContain('Configuration file is valid');
    expect(result.stdout + result.stderr).not.toMatch(/WARNING|ALERT/);
    expect(result.code).toBe(0);
  });

  it('passes on the health check but not /metrics, which stays on the private network', async () => {
    expect(await statusThroughBalancer(stack, '/healthz')).toBe(200);
    expect(await statusThroughBalancer(stack, '/metrics')).toBe(404);
  });

  it('spreads sessions over both; SIGKILL one: its sessions end with a sentence, the others go on, and a new connection succeeds within 1 s', async () => {
    await expectFailoverWhenAGatewayIsKilled(stack);
  });

  it('a restarted gateway rejoins; while the other drains, new sessions go to the restarted one, and the drained sessions end with the FATAL', async () => {
    const [first, second] = stack.gateways;
    const restarted = await startGatewayProcess(inject('postgres'), {
      keys: stack.keys,
      port: first!.port,
      edit: trustLoopbackProxy,
    });
    stack.gateways.push(restarted);
    let tries = 0;
    /** Opens sessions until one lands on `target`, and returns that one (the others are closed). */
    const sessionOn = (target: RunningGateway, what: string): Promise<OpenSession> =>
      until(
        async () => {
          const { session, gateway } = (await stack.openSpread(`rejoin-${tries++}`, 1))[0]!;
          if (gateway === target) {
            return session;
          }
          await session.client.end();
          return undefined;
        },
        what,
        30_000,
      );
    // Whether or not HAProxy marked it down meanwhile, new sessions reach it once it is checked.
    const onRestarted = await sessionOn(restarted, 'a session on the restarted gateway');
    // A session to be drained. Least connections places the tunnel's warm sockets, which it
    // dials ahead of need, so which gateway a client lands on was decided before it connected.
    const kept = await sessionOn(second!, 'a session on the other gateway');

    second!.process.child.kill('SIGTERM');
    await second!.process.waitFor(/"msg":"gateway draining"/);
    // Before HAProxy's health checks mark it down, its 503s are retried on the other gateway.
    const during = await stack.openSpread('during-drain', 4);
    expect(during.map((o) => o.gateway)).toEqual([restarted, restarted, restarted, restarted]);
    expect(await kept.value('select 7')).toBe('7');

    second!.process.child.kill('SIGTERM'); // a second SIGTERM ends the drain now
    expect(await kept.lost).toMatchObject({
      code: '57P01',
      message: 'terminating connection because the tunnel gateway is shutting down',
    });
    expect(await second!.process.exited).toBe(0);
    for (const session of [onRestarted, ...during.map((o) => o.session)]) {
      expect(await session.value('select 8')).toBe('8');
      await session.client.end();
    }
  });
});
