import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import {
  expectFailoverWhenAGatewayIsKilled,
  statusThroughBalancer,
  useLoadBalancedGateways,
} from '../main/testing/load-balancer.js';
import {
  NGINX_CONFIG_PATH,
  NGINX_PROGRAM,
  nginxConfigFor,
  startNginx,
  writeNginxConfig,
} from '../main/testing/nginx.js';

const stack = useLoadBalancedGateways(startNginx);

describe('deploy/nginx.conf, run by nginx in front of two gateways', () => {
  it('passes nginx -t (only the certificate paths replaced)', async () => {
    const text = await readFile(NGINX_CONFIG_PATH, 'utf8');
    const config = await writeNginxConfig(nginxConfigFor(text, stack.certificate));
    const result = await run(NGINX_PROGRAM, ['-t', '-c', config]);
    expect(result.stderr).toContain('test is successful');
    expect(result.stderr).not.toMatch(/\[warn\]|\[emerg\]/);
    expect(result.code).toBe(0);
  });

  it('spreads sessions over both; SIGKILL one: its sessions end with a sentence, the others go on, and a new connection succeeds within 1 s', async () => {
    await expectFailoverWhenAGatewayIsKilled(stack);
  });

  it('passes on the health check but not /metrics, which stays on the private network', async () => {
    expect(await statusThroughBalancer(stack, '/healthz')).toBe(200);
    expect(await statusThroughBalancer(stack, '/metrics')).toBe(404);
  });
});
