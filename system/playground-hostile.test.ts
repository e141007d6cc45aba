import { describe, expect, it } from 'vitest';
import { newConfigDir } from '../main/testing/app-core.js';
import { startCli } from '../main/testing/cli.js';
import { exchange, UNPARSABLE_TARGETS, upgradeRequest } from '../main/testing/http-exchange.js';
import { openSession } from '../main/testing/pg-client.js';
import { loopbackPortsOf } from '../main/testing/ports.js';

/** A first start runs initdb; the machine is shared and slow. */
const START_MS = 90_000;

describe("the playground's in-process gateway", () => {
  it('answers the request lines that once ended it with 400, and its open session completes', async () => {
    const playground = startCli(['playground', '--config-dir', await newConfigDir()], {
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    });
    try {
      const [, port] = await playground.waitFor(/port:\s+(\d+)/, START_MS);
      const session = await openSession(
        '127.0.0.1',
        Number(port),
        'playground-hostile',
        // The playground serves every database of its own Postgres: one that exists.
        'postgres',
      );
      // The process listens on the tunnel's port and on its gateway's (Postgres is another process).
      const gatewayPorts = (await loopbackPortsOf(playground.child.pid!)).filter(
        (p) => p !== Number(port),
      );
      expect(gatewayPorts).toHaveLength(1);
      for (const target of UNPARSABLE_TARGETS) {
        const plain = `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`;
        for (const request of [plain, upgradeRequest(target)]) {
          expect(await exchange(gatewayPorts[0]!, request), target).toMatch(/^HTTP\/1\.1 400 /);
        }
      }
      expect(playground.child.exitCode).toBeNull();
      expect(await session.value('select 41 + 1')).toBe('42');
      await session.client.end();
    } finally {
      await playground.stop('SIGINT');
    }
  }, 120_000);
});
