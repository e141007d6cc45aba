import { describe, expect, it } from 'vitest';
import { WARM_SOCKET_HEADER } from '../main/relay/tunnel-protocol.js';
import { useCliStack } from '../main/testing/cli-stack.js';
import { fuzzConnections, httpRequests } from '../main/testing/fuzz.js';
import { openSession } from '../main/testing/pg-client.js';
import { psql } from '../main/testing/psql.js';

describe('the gateway under generated HTTP and upgrade requests', () => {
  const stack = useCliStack([], {
    // Generated requests carry wrong keys from 127.0.0.1, where the tunnel dials from too.
    edit: (config) => (config.failedKeyLimit = { attempts: 1_000_000 }),
  });

  it('stays up and serves: healthz, an open session and a new psql session', async () => {
    const { gateway, tunnel } = stack;
    const session = await openSession(tunnel.host, tunnel.port, 'fuzz-gateway');
    const requests = httpRequests({
      paths: ['/websocket', '/healthz', '/metrics'],
      headers: {
        host: [`127.0.0.1:${gateway.port}`],
        authorization: [`Bearer ${gateway.keys.valid}`, `Bearer ${gateway.keys.noDatabase}`],
        [WARM_SOCKET_HEADER]: ['1'],
      },
    });
    await fuzzConnections('gateway http', gateway.port, gateway.process, requests);
    expect(gateway.process.child.exitCode).toBeNull();
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    expect(await session.value('select 41 + 1')).toBe('42');
    expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 6 * 7'])).stdout.trim()).toBe('42');
    await session.client.end();
  });
});
