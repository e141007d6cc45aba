import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTunnelCli, type RunningTunnel } from '../testing/cli.js';
import { FUZZ_RUNS, postgresOpenings, reportFuzzCases, sendInPieces } from '../testing/fuzz.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { openSession } from '../testing/pg-client.js';
import { psql } from '../testing/psql.js';

const postgres = inject('postgres');

describe("the tunnel's local port under generated opening bytes", () => {
  let gateway: RunningGateway;
  let tunnel: RunningTunnel;
  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres);
    tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid);
  });
  afterAll(async () => {
    await tunnel?.process.stop();
    await gateway?.process.stop();
  });

  it('stays up: an open session goes on, and psql connects afterwards', async () => {
    const session = await openSession(tunnel.host, tunnel.port, 'fuzz-local-port');
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        postgresOpenings(),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (bytes, cuts) => {
          cases++;
          await sendInPieces(tunnel.port, bytes, cuts);
          expect(tunnel.process.child.exitCode).toBeNull();
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
    reportFuzzCases('tunnel local port', cases);
    expect(tunnel.process.child.exitCode).toBeNull();
    expect(gateway.process.child.exitCode).toBeNull();
    expect(await session.value('select 41 + 1')).toBe('42');
    expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 6 * 7'])).stdout.trim()).toBe('42');
    await session.client.end();
  });
});
