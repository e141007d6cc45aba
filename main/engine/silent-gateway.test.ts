import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Tunnel } from './tunnel.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { start } from '../testing/child-process.js';

const postgres = inject('postgres');
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres);
});

afterAll(async () => {
  gateway?.process.child.kill('SIGCONT');
  await gateway?.process.stop();
});

describe('keep-alive pings', () => {
  it('an idle session survives many ping intervals', async () => {
    const tunnel = new Tunnel({
      apiKey: gateway.keys.valid,
      gatewayUrl: gateway.wsUrl,
      pingIntervalMs: 200,
    });
    const { port } = await tunnel.listen();
    const proc = start('psql', ['-h', '127.0.0.1', '-p', String(port), '-X', '-A', '-t'], {
      PGSSLMODE: undefined,
    });
    proc.child.stdin!.write('select 1;\n');
    await proc.waitFor(/^1$/m);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    proc.child.stdin!.end("select 'alive';\n");
    await proc.waitFor(/alive/);
    expect(await proc.exited).toBe(0);
    await tunnel.stop();
  });

  it('a gateway that stops answering ends the session with a sentence within two intervals', async () => {
    const interval = 300;
    const tunnel = new Tunnel({
      apiKey: gateway.keys.valid,
      gatewayUrl: gateway.wsUrl,
      pingIntervalMs: interval,
    });
    const { port } = await tunnel.listen();
    const closed = new Promise<string | undefined>((resolve) =>
      tunnel.once('session-closed', (_s, reason) => resolve(reason?.message)),
    );
    const proc = start('psql', ['-h', '127.0.0.1', '-p', String(port), '-X', '-A', '-t'], {
      PGSSLMODE: undefined,
    });
    proc.child.stdin!.write('select 1;\n');
    await proc.waitFor(/^1$/m);
    gateway.process.child.kill('SIGSTOP'); // alive as far as TCP knows, but silent
    try {
      const stoppedAt = Date.now();
      const reason = await closed;
      expect(reason).toMatch(/^the tunnel gateway stopped answering/);
      expect(Date.now() - stoppedAt).toBeLessThan(2 * interval + 500); // two intervals, plus timer slack
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
      const startedAt = Date.now();
      expect(await proc.exited).not.toBe(0);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      expect(proc.stderr).toContain(
        `could not reach the tunnel gateway at ${gateway.wsUrl}: no answer within 0.5 s`,
      );
    } finally {
      gateway.process.child.kill('SIGCONT');
    }
    expect(tunnel.sessions()).toEqual([]);
    await tunnel.stop();
  });
});
