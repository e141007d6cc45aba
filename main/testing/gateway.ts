import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../gateway/keys.js';
import type { RunningProcess } from './child-process.js';
import { startCli } from './cli.js';
import type { PostgresInfo } from './global-setup.js';
import { freePort } from './ports.js';
import type { TestCertificate } from './tls.js';

/** A fresh random API key, in the shape of a real one. */
export const newApiKey = (): string => `test_${randomBytes(24).toString('base64url')}`;

/** Keys of the test gateway, each leading to a different outcome. */
export interface TestKeys {
  /** Leads to the test Postgres. */
  valid: string;
  /** Known, no upstream: 410. */
  noDatabase: string;
  /** Upstream with a wrong password. */
  wrongPassword: string;
  /** Upstream on a port nothing listens on. */
  upstreamDown: string;
  /** The test Postgres, serving LISTED_DATABASE besides its own database. */
  listedDatabases: string;
  /** The test Postgres, serving any database ("databases": "*"). */
  anyDatabase: string;
}

/** The database the listedDatabases key serves besides its own (the caller creates it). */
export const LISTED_DATABASE = 'tunnel_listed';

export interface RunningGateway {
  process: RunningProcess;
  port: number;
  wsUrl: string;
  httpUrl: string;
  keys: TestKeys;
  /** The gateway's /metrics as name → value (unlabelled series only). */
  metrics(): Promise<Record<string, number>>;
}

/**
 * Starts `pg-tunnel gateway` as a process, with the upstream password passed by environment only.
 * `nodeArgs` go to Node itself (the benchmark profiles with --cpu-prof); with `tls` it serves
 * wss:// with that certificate (its clients must trust it, e.g. with NODE_EXTRA_CA_CERTS).
 */
export async function startGatewayProcess(
  postgres: PostgresInfo,
  nodeArgs: string[] = [],
  { tls }: { tls?: TestCertificate } = {},
): Promise<RunningGateway> {
  const keys: TestKeys = {
    valid: newApiKey(),
    noDatabase: newApiKey(),
    wrongPassword: newApiKey(),
    upstreamDown: newApiKey(),
    listedDatabases: newApiKey(),
    anyDatabase: newApiKey(),
  };
  const port = await freePort();
  const closedPort = await freePort();
  const upstream = `postgres://${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}?sslmode=disable`;
  const config = {
    listen: { host: '127.0.0.1', port },
    ...(tls ? { tls: { cert: tls.certPath, key: tls.keyPath } } : {}),
    keys: [
      {
        id: 'valid',
        keyHash: hashApiKey(keys.valid),
        upstream,
        passwordEnv: 'TEST_UPSTREAM_PASSWORD',
      },
      { id: 'no-database', keyHash: hashApiKey(keys.noDatabase) },
      {
        id: 'wrong-password',
        keyHash: hashApiKey(keys.wrongPassword),
        upstream: upstream.replace('@', ':not-the-password@'),
      },
      {
        id: 'listed-databases',
        keyHash: hashApiKey(keys.listedDatabases),
        upstream,
        passwordEnv: 'TEST_UPSTREAM_PASSWORD',
        databases: [LISTED_DATABASE],
      },
      {
        id: 'any-database',
        keyHash: hashApiKey(keys.anyDatabase),
        upstream,
        passwordEnv: 'TEST_UPSTREAM_PASSWORD',
        databases: '*',
      },
      {
        id: 'upstream-down',
        keyHash: hashApiKey(keys.upstreamDown),
        upstream: `postgres://nobody@127.0.0.1:${closedPort}/db?sslmode=disable`,
      },
    ],
  };
  const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-gateway-'));
  const configPath = join(dir, 'gateway.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const proc = startCli(
    ['gateway', '--config', configPath],
    { TEST_UPSTREAM_PASSWORD: postgres.password },
    undefined,
    nodeArgs,
  );
  await proc.waitFor(/"msg":"gateway listening"/);
  const httpUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    process: proc,
    port,
    wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/websocket`,
    httpUrl,
    keys,
    metrics: async () => {
      const text = await (await fetch(`${httpUrl}/metrics`)).text();
      const values: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const match = /^([a-z_]+) (\S+)$/.exec(line);
        if (match) {
          values[match[1]!] = Number(match[2]);
        }
      }
      return values;
    },
  };
}
