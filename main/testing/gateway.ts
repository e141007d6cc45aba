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
import { until } from './until.js';

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

/** A key as the gateway's config file lists it. */
export interface ConfigFileKey {
  id: string;
  keyHash: string;
  upstream?: string;
  passwordEnv?: string;
  maxSessions?: number;
  databases?: string[] | '*';
  idleTimeoutSeconds?: number;
}

/** The gateway's config file, as the tests write it. */
export interface ConfigFile {
  listen: { host: string; port: number };
  tls?: { cert: string; key: string };
  keys: ConfigFileKey[];
  onKeyRemoved?: 'keep' | 'end';
  failedKeyLimit?: { attempts?: number; windowSeconds?: number; blockSeconds?: number };
  trustedProxies?: string[];
  metrics?: { host: string; port: number };
}

export interface RunningGateway {
  process: RunningProcess;
  wsUrl: string;
  httpUrl: string;
  port: number;
  keys: TestKeys;
  /** The config file as written, and where. */
  config: ConfigFile;
  configPath: string;
  /**
   * The gateway's /metrics as name → value: unlabelled series by name, labelled ones by name and
   * labels as printed (`pg_tunnel_gateway_key_sessions_open{key="valid"}`).
   */
  metrics(): Promise<Record<string, number>>;
  /**
   * Writes `config` over the config file, sends SIGHUP and resolves with the gateway's log line
   * about it: "config reloaded" or "config reload refused". `config` may be any JSON (or text).
   */
  reload(config: unknown): Promise<string>;
}

export interface GatewayProcessOptions {
  /** Node's own flags, before the script (the benchmark profiles with --cpu-prof). */
  nodeArgs?: string[];
  /** The Node binary to run it on (default: the one running the tests; see node24()). */
  node?: string;
  /** More `pg-tunnel gateway` flags (--drain-timeout…). */
  args?: string[];
  /** The keys to serve, to run several gateways with the same ones; new ones by default. */
  keys?: TestKeys;
  /** The port to listen on (a restarted gateway takes its predecessor's); a free one by default. */
  port?: number;
  /** Changes the config before it is written (more keys, idle timeouts, limits). */
  edit?: (config: ConfigFile) => void;
  /** Serve wss:// with this certificate (its clients must trust it: NODE_EXTRA_CA_CERTS). */
  tls?: TestCertificate;
}

/** The upstream URL of the run's Postgres, without its password (that comes by environment). */
export function upstreamUrl(postgres: PostgresInfo): string {
  return `postgres://${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}?sslmode=disable`;
}

/**
 * Starts `pg-tunnel gateway` as a process, with the upstream password passed by environment only
 * (as TEST_UPSTREAM_PASSWORD: a key with `passwordEnv` set to that reaches the run's Postgres).
 */
export async function startGatewayProcess(
  postgres: PostgresInfo,
  options: GatewayProcessOptions = {},
): Promise<RunningGateway> {
  const keys: TestKeys = options.keys ?? {
    valid: newApiKey(),
    noDatabase: newApiKey(),
    wrongPassword: newApiKey(),
    upstreamDown: newApiKey(),
    listedDatabases: newApiKey(),
    anyDatabase: newApiKey(),
  };
  const port = options.port ?? (await freePort());
  const closedPort = await freePort();
  const upstream = upstreamUrl(postgres);
  const config: ConfigFile = {
    listen: { host: '127.0.0.1', port },
    ...(options.tls ? { tls: { cert: options.tls.certPath, key: options.tls.keyPath } } : {}),
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
  options.edit?.(config);
  const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-gateway-'));
  const configPath = join(dir, 'gateway.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const proc = startCli(
    ['gateway', '--config', configPath, ...(options.args ?? [])],
    { TEST_UPSTREAM_PASSWORD: postgres.password },
    undefined,
    options.nodeArgs,
    options.node,
  );
  await proc.waitFor(/"msg":"gateway listening"/);
  const scheme = options.tls ? 's' : '';
  const httpUrl = `http${scheme}://127.0.0.1:${port}`;
  return {
    process: proc,
    wsUrl: `ws${scheme}://127.0.0.1:${port}/websocket`,
    httpUrl,
    port,
    keys,
    config,
    configPath,
    metrics: async () => {
      const text = await (await fetch(`${httpUrl}/metrics`)).text();
      const values: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (match) {
          values[match[1]!] = Number(match[2]);
        }
      }
      return values;
    },
    reload: async (next) => {
      const outcome = /^.*"msg":"(config reloaded|config reload refused)".*$/gm;
      const seen = proc.output.match(outcome)?.length ?? 0;
      await writeFile(configPath, typeof next === 'string' ? next : JSON.stringify(next, null, 2));
      proc.child.kill('SIGHUP');
      const lines = await until(() => {
        const all = proc.output.match(outcome) ?? [];
        return all.length > seen ? all : undefined;
      }, 'the gateway to log its reload');
      return lines[seen]!;
    },
  };
}
