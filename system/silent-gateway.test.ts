import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Tunnel } from '../main/engine/tunnel.js';
import type { CloseReason } from '../main/engine/session.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { start } from '../main/testing/child-process.js';
import { until } from '../main/testing/until.js';

const postgres = inject('postgres');
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres);
});

afterAll(async () => {
  gateway?.process.child.kill('SIGCONT');
  await gateway?.process.stop();
});

/** Short intervals, so that many of them pass within a unit test; the defaults are 15 s and 45 s. */
const SHORT = { pingIntervalMs: 200, deadAfterMs: 600 };

describe('liveness, with short intervals', () => {
  it('an idle session survives many intervals', async () => {
    const tunnel = new Tunnel({ apiKey: gateway.keys.valid, gatewayUrl: gateway.wsUrl, ...SHORT });
    const { port } = await tunnel.listen();
    const proc = start('psql', ['-h', '127.0.0.1', '-p', String(port), '-X', '-A', '-t'], {
      PGSSLMODE: undefined,
    });
    proc.child.stdin!.write('select 1;\n');
    await proc.waitFor(/^1$/m);
    await new Promise((resolve) => setTimeout(resolve, 10 * SHORT.pingIntervalMs));
    proc.child.stdin!.end("select 'alive';\n");
    await proc.waitFor(/alive/);
    expect(await proc.exited).toBe(0);
    await tunnel.stop();
  });

  it('a gateway that stops answering ends the session with the sentence', async () => {
    const tunnel = new Tunnel({ apiKey: gateway.keys.valid, gatewayUrl: gateway.wsUrl, ...SHORT });
    const { port } = await tunnel.listen();
    const closed = new Promise<CloseReason | undefined>((resolve) =>
      tunnel.once('session-closed', (_s, reason) => resolve(reason)),
    );
    const proc = start('psql', ['-h', '127.0.0.1', '-p', String(port), '-X', '-A', '-t'], {
      PGSSLMODE: undefined,
    });
    proc.child.stdin!.write('select 1;\n');
    await proc.waitFor(/^1$/m);
    gateway.process.child.kill('SIGSTOP'); // alive as far as TCP knows, but silent
    try {
      const reason = await closed;
      expect(reason).toMatchObject({
        cause: { kind: 'gateway-silent' },
        code: '08006',
        message: expect.stringMatching(/^the tunnel gateway stopped answering \(nothing heard for/),
        fix: 'none',
      });
      proc.child.stdin!.end('select 2;\n');
      await proc.exited;
      expect(proc.stderr).toContain('the tunnel gateway stopped answering');
    } finally {
      gateway.process.child.kill('SIGCONT');
    }
    await tunnel.stop();
  });
});

describe('dialling', () => {
  it('a gateway that accepts the connection but never answers fails the dial with a sentence', async () => {
    const tunnel = new Tunnel({
      apiKey: gateway.keys.valid,
      gatewayUrl: gateway.wsUrl,
      dialTimeoutMs: 500,
    });
    const { port } = await tunnel.listen();
    gateway.process.child.kill('SIGSTOP'); // the kernel still accepts; nobody answers the upgrade
    try {
      const proc = start('psql', ['-h', '127.0.0.1', '-p', String(port), '-X', '-c', 'select 1'], {
        PGSSLMODE: undefined,
      });
      expect(await proc.exited).not.toBe(0);
      expect(proc.stderr).toContain(
        `could not reach the tunnel gateway at ${gateway.wsUrl}: no answer within 0.5 s`,
      );
    } finally {
      gateway.process.child.kill('SIGCONT');
    }
    await until(() => (tunnel.sessions().length === 0 ? true : undefined), 'the session to go');
    await tunnel.stop();
  });
});
