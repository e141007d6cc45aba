import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../main/gateway/keys.js';
import { startDirectTunnelCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { newApiKey, startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { startPostgres, type PostgresServer } from '../main/testing/postgres.js';
import { psql } from '../main/testing/psql.js';

/**
 * Several hosts with target_session_attrs, as HA setups hand them out: the run's Postgres is
 * writable, a second one is read-only (default_transaction_read_only=on), with the same role and
 * password; the read-only one is listed first.
 */
const writable = inject('postgres');
let readOnly: PostgresServer;
let gateway: RunningGateway;
const readWriteKey = newApiKey();
const tunnels: RunningTunnel[] = [];

const hostList = (): string => `127.0.0.1:${readOnly.port},127.0.0.1:${writable.port}`;
const urlWith = (attrs: string): string =>
  `postgres://${writable.user}:${encodeURIComponent(writable.password)}@${hostList()}/postgres?sslmode=disable&target_session_attrs=${attrs}`;

beforeAll(async () => {
  readOnly = await startPostgres({ postgresFlags: ['-c', 'default_transaction_read_only=on'] });
  const admin = new pg.Client({ connectionString: readOnly.url });
  await admin.connect();
  await admin.query('begin read write');
  await admin.query(
    `alter role ${writable.user} password '${writable.password.replace(/'/g, "''")}'`,
  );
  await admin.query('commit');
  await admin.end();
  gateway = await startGatewayProcess(writable, {
    edit: (config) => {
      config.keys.push({
        id: 'read-write',
        keyHash: hashApiKey(readWriteKey),
        upstream: `postgres://${writable.user}@${hostList()}/postgres?sslmode=disable&target_session_attrs=read-write`,
        passwordEnv: 'TEST_UPSTREAM_PASSWORD',
      });
    },
  });
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.process.stop()));
  await gateway?.process.stop();
  await readOnly?.stop();
});

async function portThrough(tunnel: RunningTunnel): Promise<string> {
  tunnels.push(tunnel);
  const result = await psql(tunnel.host, tunnel.port, ['-c', 'select inet_server_port()']);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

describe('host=A,B with target_session_attrs', () => {
  it('read-write lands on the writable one, through a direct tunnel', async () => {
    expect(await portThrough(await startDirectTunnelCli(urlWith('read-write')))).toBe(
      String(writable.port),
    );
  });

  it('read-write lands on the writable one, through a gateway key', async () => {
    expect(await portThrough(await startTunnelCli(gateway.wsUrl, readWriteKey))).toBe(
      String(writable.port),
    );
  });

  it('read-only lands on the read-only one', async () => {
    expect(await portThrough(await startDirectTunnelCli(urlWith('read-only')))).toBe(
      String(readOnly.port),
    );
  });

  it('standby with no standby among them: a FATAL saying what each server is', async () => {
    const tunnel = await startDirectTunnelCli(urlWith('standby'));
    tunnels.push(tunnel);
    const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 1']);
    expect(result.stderr).toContain(
      `FATAL:  PG Tunnel found no server that is standby (target_session_attrs=standby): 127.0.0.1:${readOnly.port} is read-only, 127.0.0.1:${writable.port} is a read-write primary`,
    );
  });

  it('prefer-standby with no standby: the first server that answers', async () => {
    expect(await portThrough(await startDirectTunnelCli(urlWith('prefer-standby')))).toBe(
      String(readOnly.port),
    );
  });
});
