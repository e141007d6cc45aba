import { describe, expect, inject, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import { startTunnelCli } from '../main/testing/cli.js';
import { startGatewayProcess } from '../main/testing/gateway.js';
import { node24, NODE_LTS_MAJOR } from '../main/testing/node-24.js';
import { psql } from '../main/testing/psql.js';

const postgres = inject('postgres');

describe(`Node ${NODE_LTS_MAJOR} LTS, the runtime the README names`, () => {
  it('runs the gateway and the tunnel (the registry’s Node package, whatever Node runs the suite): psql through both', async () => {
    // On first use this installs node-<platform>-<arch>@24 from the npm registry (.ci/run has).
    const node = await node24();
    const version = await run(node, ['-p', 'process.versions.node']);
    expect(version.stdout).toMatch(new RegExp(`^${NODE_LTS_MAJOR}\\.`));

    const gateway = await startGatewayProcess(postgres, { node });
    try {
      const tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid, [], [], {}, node);
      try {
        expect(tunnel.process.child.spawnfile).toBe(node);
        expect(gateway.process.child.spawnfile).toBe(node);
        const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 24']);
        expect(result).toMatchObject({ code: 0, stdout: '24\n' });
        await tunnel.process.waitFor(/\[1\] 127\.0\.0\.1:\d+ connected/);
      } finally {
        await tunnel.process.stop();
      }
    } finally {
      await gateway.process.stop();
    }
  }, 360_000);
});
