import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { startCli } from '../main/testing/cli.js';
import { newApiKey } from '../main/testing/gateway.js';
import { keyFor, startInProcessGateway } from '../main/testing/in-process.js';
import { psql } from '../main/testing/psql.js';
import { makeCertificate } from '../main/testing/tls.js';
import { until } from '../main/testing/until.js';

it('every wss dial of a tunnel after its first resumes the TLS session', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-resume-'));
  const cert = await makeCertificate(dir);
  const apiKey = newApiKey();
  const { gateway, gatewayUrl } = await startInProcessGateway(
    [keyFor(apiKey, inject('postgres').url)],
    { tls: { cert: cert.certPath, key: cert.keyPath } },
  );
  const cli = startCli(['--gateway', gatewayUrl], {
    PDP_API_KEY: apiKey,
    NODE_EXTRA_CA_CERTS: cert.certPath,
  });
  try {
    const [, port] = await cli.waitFor(/port:\s+(\d+)/);
    for (let i = 0; i < 3; i++) {
      const result = await psql('127.0.0.1', Number(port), ['-c', "select 'over wss'"]);
      expect(result.stdout.trim()).toBe('over wss');
    }
    // Each session took a warm socket and a new one was dialled: four dials, the first in full.
    await until(() => (gateway.stats.upgradeRequests >= 4 ? true : undefined), 'four dials');
    expect(gateway.stats.tlsResumptions).toBe(gateway.stats.upgradeRequests - 1);
  } finally {
    await cli.stop();
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
});
