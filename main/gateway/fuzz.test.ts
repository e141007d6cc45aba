import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WARM_SOCKET_HEADER } from '../pgwire/tunnel-protocol.js';
import { startTunnelCli, type RunningTunnel } from '../testing/cli.js';
import { FUZZ_RUNS, httpRequests, reportFuzzCases, sendInPieces } from '../testing/fuzz.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { openSession } from '../testing/pg-client.js';
import { psql } from '../testing/psql.js';

const postgres = inject('postgres');

describe('the gateway under generated HTTP and upgrade requests', () => {
  let gateway: RunningGateway;
  let tunnel: RunningTunnel;
  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres, {
      // Generated requests carry wrong keys from 127.0.0.1, where the tunnel dials from too.
      edit: (config) => (config.failedKeyLimit = { attempts: 1_000_000 }),
    });
    tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid);
  });
  afterAll(async () => {
    await tunnel?.process.stop();
    await gateway?.process.stop();
  });

  it('stays up and serves: healthz, an open session and a new psql session', async () => {
    const session = await openSession(tunnel.host, tunnel.port, 'fuzz-gateway');
    const requests = httpRequests({
      paths: ['/websocket', '/healthz', '/metrics'],
      headers: {
        host: [`127.0.0.1:${gateway.port}`],
        authorization: [`Bearer ${gateway.keys.valid}`, `Bearer ${gateway.keys.noDatabase}`],
        [WARM_SOCKET_HEADER]: ['1'],
      },
    });
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(requests, fc.array(fc.nat(), { maxLength: 4 }), async (bytes, cuts) => {
        cases++;
        await sendInPieces(gateway.port, bytes, cuts);
        expect(gateway.process.child.exitCode).toBeNull();
      }),
      { numRuns: FUZZ_RUNS },
    );
    reportFuzzCases('gateway http', cases);
    expect(gateway.process.child.exitCode).toBeNull();
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    expect(await session.value('select 41 + 1')).toBe('42');
    expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 6 * 7'])).stdout.trim()).toBe('42');
    await session.client.end();
  });
});
