import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { freePort } from '../main/testing/ports.js';

const postgres = inject('postgres');

describe('metrics on a listener of their own', () => {
  let gateway: RunningGateway;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    gateway = await startGatewayProcess(postgres, {
      edit: (config) => (config.metrics = { host: '127.0.0.1', port: metricsPort }),
    });
  });
  afterAll(async () => {
    await gateway?.process.stop();
  });

  it('serves /metrics there, and 404 on the tunnel listener', async () => {
    expect(gateway.process.output).toMatch(
      new RegExp(`"msg":"metrics listening","address":"127.0.0.1","port":${metricsPort}`),
    );
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('pg_tunnel_gateway_sessions_open 0');
    const onPublic = await fetch(`${gateway.httpUrl}/metrics`);
    expect(onPublic.status).toBe(404);
    expect(await onPublic.text()).not.toContain('pg_tunnel_gateway');
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(404);
  });
});
