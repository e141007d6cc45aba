import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEAD_AFTER_MS, PING_INTERVAL_MS, WARM_WAIT_MS } from '../relay/tunnel-protocol.js';
import { parseUpstreamUrl, type UpstreamTarget } from '../upstream/target.js';
import type { ServedDatabases } from '../upstream/database-rule.js';
import { trustedProxyList } from './client-address.js';
import { DEFAULT_MAX_PENDING_CONNECTIONS } from './pending-connections.js';
import { configIssueSentence, configIssueWords } from '../config/issues.js';

const KEY_HASH = /^sha256:[0-9a-f]{64}$/;

// Strict objects: an unknown field is refused, so that a typo (maxSesions) cannot silently drop a
// limit.
const keySchema = z.strictObject({
  id: z.string().min(1, 'must be a non-empty name'),
  keyHash: z
    .string()
    .regex(
      KEY_HASH,
      'must be "sha256:" and 64 lowercase hex digits (see `pg-tunnel gateway hash-key`)',
    ),
  upstream: z.string().optional(),
  passwordEnv: z.string().min(1).optional(),
  maxSessions: z.number().int().positive().optional(),
  idleTimeoutSeconds: z.number().int().positive().optional(),
  warmLogins: z.enum(['adaptive', 'off'], { error: 'must be "adaptive" or "off"' }).optional(),
  // "*" anywhere in the list means every database, as the bare "*" does: `["*"]` reads as "all"
  // to a person, and a database named "*" is not worth a second spelling.
  databases: z
    .union([z.literal('*'), z.array(z.string().min(1)).min(1)], {
      error: 'must be "*" or a list of database names',
    })
    .transform((served): ServedDatabases => (served.includes('*') ? '*' : served))
    .optional(),
});

/** Where the gateway listens when neither its config nor its command line says. */
export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8080 };

/** After this many unknown keys from one address within the window, it is refused for a while. */
export const DEFAULT_FAILED_KEY_LIMIT = { attempts: 10, windowSeconds: 60, blockSeconds: 300 };

const configSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).default(DEFAULT_LISTEN.host),
      port: z.number().int().min(0).max(65535).default(DEFAULT_LISTEN.port),
    })
    .default(DEFAULT_LISTEN),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  keys: z.array(keySchema).min(1, 'must list at least one key'),
  onKeyRemoved: z.enum(['keep', 'end'], { error: 'must be "keep" or "end"' }).default('keep'),
  failedKeyLimit: z
    .strictObject({
      attempts: z.number().int().positive().default(DEFAULT_FAILED_KEY_LIMIT.attempts),
      windowSeconds: z.number().positive().default(DEFAULT_FAILED_KEY_LIMIT.windowSeconds),
      blockSeconds: z.number().positive().default(DEFAULT_FAILED_KEY_LIMIT.blockSeconds),
    })
    .default(DEFAULT_FAILED_KEY_LIMIT),
  liveness: z
    .strictObject({
      pingIntervalMs: z.number().int().positive().default(PING_INTERVAL_MS),
      deadAfterMs: z.number().int().positive().default(DEAD_AFTER_MS),
    })
    .default({ pingIntervalMs: PING_INTERVAL_MS, deadAfterMs: DEAD_AFTER_MS }),
  warmWaitMs: z.number().int().min(0).default(WARM_WAIT_MS),
  trustedProxies: z.array(z.string()).default([]),
  maxPendingConnections: z.number().int().positive().default(DEFAULT_MAX_PENDING_CONNECTIONS),
  metrics: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535),
    })
    .optional(),
});

export interface KeyConfig {
  id: string;
  keyHash: string;
  /** Absent: the key is known but has no database behind it (the gateway answers 410). */
  upstream: UpstreamTarget | undefined;
  maxSessions: number | undefined;
  /**
   * Databases of the upstream a client may name besides the key's own ('*': any). Another name
   * lands in the key's database, with a notice.
   */
  databases?: ServedDatabases;
  /**
   * A session that has waited this long (seconds) for its client, with no bytes either way, is
   * ended with a FATAL; undefined: never.
   */
  idleTimeoutSeconds?: number;
  /**
   * 'adaptive' (absent means it): while the key is in use, a few logins to its upstream are made
   * ahead of need for clients whose StartupMessage is the same as a recent one's (see
   * WarmLogins); 'off': every session logs in when it starts.
   */
  warmLogins?: 'adaptive' | 'off';
}

/** `attempts` unknown keys from one address within `windowSeconds` refuse it for `blockSeconds`. */
export interface FailedKeyLimit {
  attempts: number;
  windowSeconds: number;
  blockSeconds: number;
}

/** How the gateway watches each tunnel (see PeerLiveness); both in ms. */
export interface LivenessConfig {
  pingIntervalMs: number;
  deadAfterMs: number;
}

export interface GatewayConfig {
  listen: { host: string; port: number };
  tls: { cert: string; key: string } | undefined;
  keys: KeyConfig[];
  /**
   * What a reload does to the open sessions of a key it removes: "keep" lets them run to their
   * end, "end" ends them with a FATAL saying the key was revoked. New sessions are refused either way.
   */
  onKeyRemoved?: 'keep' | 'end';
  /** Failed-key limiting per client address; DEFAULT_FAILED_KEY_LIMIT when absent. */
  failedKeyLimit?: FailedKeyLimit;
  /** Defaults: a ping every 15 s, dead after 45 s of silence. */
  liveness?: LivenessConfig;
  /**
   * How long a warm socket (see WARM_SOCKET_HEADER) may wait for its first message, in ms;
   * 0: the gateway holds none (it then neither announces them nor treats them apart). Default
   * WARM_WAIT_MS.
   */
  warmWaitMs?: number;
  /**
   * Addresses or CIDRs of the proxies in front of the gateway: only from these are X-Forwarded-For
   * and Forwarded read (see clientAddressOf). Absent or empty: the socket's address is the client.
   */
  trustedProxies?: string[];
  /**
   * Connections that have not completed an upgrade, served as usual; past it they get /healthz
   * and 503 (see PendingConnections). Default DEFAULT_MAX_PENDING_CONNECTIONS.
   */
  maxPendingConnections?: number;
  /**
   * Where GET /metrics is served instead of the main listener (which then answers it 404), so
   * that a public listener does not list key ids; absent: on the main listener. Read at start.
   */
  metrics?: { host: string; port: number };
}

/** Thrown for a config the gateway cannot run with; the message names the file and the field. */
export class ConfigError extends Error {}

export async function loadGatewayConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the gateway config ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `The gateway config ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  return parseGatewayConfig(json, env, path);
}

/**
 * Validates a parsed config file and resolves each key's upstream (its password from passwordEnv).
 *
 * @param source the file's path, named in errors.
 * @throws ConfigError with one sentence, "Invalid gateway config FILE: FIELD ...", for the first
 *   fault: a missing or mistyped field, an unknown field, a duplicate id or key, an unset
 *   passwordEnv, an upstream URL PG Tunnel cannot act on. It never repeats a password.
 */
export function parseGatewayConfig(
  json: unknown,
  env: NodeJS.ProcessEnv,
  source?: string,
): GatewayConfig {
  const invalid = `Invalid gateway config${source === undefined ? '' : ` ${source}`}:`;
  const result = configSchema.safeParse(json, { error: configIssueWords });
  if (!result.success) {
    throw new ConfigError(`${invalid} ${configIssueSentence(result.error.issues[0]!)}.`);
  }
  const config = result.data;
  try {
    trustedProxyList(config.trustedProxies);
  } catch (error) {
    throw new ConfigError(`${invalid} trustedProxies: ${(error as Error).message}.`);
  }
  const seen = new Set<string>();
  const seenHashes = new Set<string>();
  const keys = config.keys.map((key, index): KeyConfig => {
    const field = `keys[${index}]`;
    if (seen.has(key.id)) {
      throw new ConfigError(`${invalid} ${field}.id "${key.id}" is used twice.`);
    }
    seen.add(key.id);
    if (seenHashes.has(key.keyHash)) {
      throw new ConfigError(`${invalid} ${field}.keyHash is the hash of a key listed before it.`);
    }
    seenHashes.add(key.keyHash);
    return {
      id: key.id,
      keyHash: key.keyHash,
      upstream:
        key.upstream === undefined ? undefined : resolveUpstream(key, env, `${invalid} ${field}`),
      maxSessions: key.maxSessions,
      databases: key.databases,
      idleTimeoutSeconds: key.idleTimeoutSeconds,
      ...(key.warmLogins ? { warmLogins: key.warmLogins } : {}),
    };
  });
  return {
    listen: config.listen,
    tls: config.tls,
    keys,
    onKeyRemoved: config.onKeyRemoved,
    failedKeyLimit: config.failedKeyLimit,
    liveness: config.liveness,
    warmWaitMs: config.warmWaitMs,
    trustedProxies: config.trustedProxies,
    maxPendingConnections: config.maxPendingConnections,
    metrics: config.metrics,
  };
}

function resolveUpstream(
  key: z.infer<typeof keySchema>,
  env: NodeJS.ProcessEnv,
  where: string,
): UpstreamTarget {
  let password: string | undefined;
  if (key.passwordEnv) {
    password = env[key.passwordEnv];
    if (password === undefined) {
      throw new ConfigError(
        `${where}.passwordEnv: the environment variable ${key.passwordEnv} is not set.`,
      );
    }
  }
  try {
    return parseUpstreamUrl(key.upstream!, password);
  } catch (error) {
    throw new ConfigError(`${where}.upstream ${(error as Error).message}.`);
  }
}
