import { describe, expect, it } from 'vitest';
import { useCliStack } from '../main/testing/cli-stack.js';
import { fuzzConnections, postgresOpenings } from '../main/testing/fuzz.js';
import { openSession } from '../main/testing/pg-client.js';
import { psql } from '../main/testing/psql.js';

describe("the tunnel's local port under generated opening bytes", () => {
  const stack = useCliStack();

  it('stays up: an open session goes on, and psql connects afterwards', async () => {
    const { gateway, tunnel } = stack;
    const session = await openSession(tunnel.host, tunnel.port, 'fuzz-local-port');
    await fuzzConnections('tunnel local port', tunnel.port, tunnel.process, postgresOpenings());
    expect(tunnel.process.child.exitCode).toBeNull();
    expect(gateway.process.child.exitCode).toBeNull();
    expect(await session.value('select 41 + 1')).toBe('42');
    expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 6 * 7'])).stdout.trim()).toBe('42');
    await session.client.end();
  });
});
