import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDirectTunnelCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { psql } from '../main/testing/psql.js';

/**
 * A local port with its own login (`--local-password-env`, what a profile's local password
 * does): psql 15 with `channel_binding=require` over the local TLS and the password in
 * PGPASSWORD, a wrong password, none, and node-postgres; through a direct tunnel to the shared
 * Postgres and through a gateway key.
 */
const postgres = inject('postgres');
const LOCAL_PASSWORD = `local ${Math.random().toString(36).slice(2)} ß`;
let configDir: string;
let gateway: RunningGateway;
const running: RunningTunnel[] = [];

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-local-login-'));
  gateway = await startGatewayProcess(postgres);
});

afterAll(async () => {
  await Promise.all(running.map((tunnel) => tunnel.process.stop()));
  await gateway?.process.stop();
  await rm(configDir, { recursive: true, force: true });
});

const LOCAL_LOGIN_ARGS = ['--local-password-env', 'LOCAL_PW', '--tls', 'on', '--config-dir'];

/** The local port's connection string, as psql is given it: TLS and channel binding required. */
const BOUND = 'dbname=postgres sslmode=require channel_binding=require';

const routes: Array<[string, () => Promise<RunningTunnel>]> = [
  [
    'a direct tunnel',
    () =>
      startDirectTunnelCli(postgres.url, { LOCAL_PW: LOCAL_PASSWORD }, [
        ...LOCAL_LOGIN_ARGS,
        configDir,
      ]),
  ],
  [
    'a gateway key',
    () =>
      startTunnelCli(gateway.wsUrl, gateway.keys.valid, [...LOCAL_LOGIN_ARGS, configDir], [], {
        LOCAL_PW: LOCAL_PASSWORD,
      }),
  ],
];

describe.each(routes)('the local login of %s', (_route, startTunnel) => {
  let tunnel: RunningTunnel;
  beforeAll(async () => {
    tunnel = await startTunnel();
    running.push(tunnel);
  });

  it('psql with channel_binding=require and the password: logged in over TLS, queries run', async () => {
    const result = await psql(
      tunnel.host,
      tunnel.port,
      ['-d', BOUND, '-c', 'select 40 + 2', '-c', '\\conninfo'],
      { PGPASSWORD: LOCAL_PASSWORD },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe('42');
    expect(result.stdout).toMatch(/SSL connection/);
  });

  it('a wrong password: FATAL 28P01 in Postgres words, and nothing runs', async () => {
    const result = await psql(
      tunnel.host,
      tunnel.port,
      ['-d', BOUND, '-c', 'select 1', '-v', 'VERBOSITY=verbose'],
      { PGPASSWORD: 'not the password' },
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('FATAL:  password authentication failed for user "anything"');
  });

  it('no password: refused as Postgres refuses (psql -w has none to give)', async () => {
    const result = await psql(tunnel.host, tunnel.port, ['-w', '-d', BOUND, '-c', 'select 1']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('fe_sendauth: no password supplied');
  });

  it('plain text, no channel binding asked: SCRAM-SHA-256 with the password still logs in', async () => {
    const result = await psql(
      tunnel.host,
      tunnel.port,
      ['-d', 'dbname=postgres sslmode=disable', '-c', 'select 7'],
      {
        PGPASSWORD: LOCAL_PASSWORD,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('7');
  });

  it('node-postgres with the password: queries run; with a wrong one: 28P01', async () => {
    const client = new pg.Client({
      host: tunnel.host,
      port: tunnel.port,
      user: 'anything',
      database: 'postgres',
      password: LOCAL_PASSWORD,
      ssl: { rejectUnauthorized: false },
      enableChannelBinding: true,
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ answer: number }>('select 6 * 7 as answer');
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      await client.end();
    }
    const wrong = new pg.Client({
      host: tunnel.host,
      port: tunnel.port,
      user: 'anything',
      database: 'postgres',
      password: 'wrong',
    });
    await expect(wrong.connect()).rejects.toMatchObject({
      code: '28P01',
      message: 'password authentication failed for user "anything"',
    });
  });
});
