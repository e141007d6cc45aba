import { isDeepStrictEqual } from 'node:util';
import { ConfigError, loadGatewayConfig, type GatewayConfig, type KeyConfig } from './config.js';
import type { Logger } from './log.js';
import type { Gateway } from './server.js';

/**
 * Re-reads the gateway's config file and applies it (what SIGHUP does). The file is parsed and
 * validated whole first: an invalid one is refused, its sentence (naming the field) logged, and
 * the config in force stays. `adjust` applies to the new config what the command line overrode
 * at start (--host, --port). Resolves with whether the new config was applied.
 */
export async function reloadConfigFile(
  gateway: Gateway,
  path: string,
  log: Logger,
  adjust: (config: GatewayConfig) => GatewayConfig = (config) => config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  let next: GatewayConfig;
  try {
    next = adjust(await loadGatewayConfig(path, env));
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error;
    }
    gateway.stats.configReloads.refused++;
    log.error('config reload refused', {
      reason: `${error.message} The config in force stays.`,
    });
    return false;
  }
  const before = gateway.config;
  const readAtStartOnly = ['listen', 'tls', 'liveness', 'warmWaitMs', 'metrics'] as const;
  if (readAtStartOnly.some((field) => !isDeepStrictEqual(next[field], before[field]))) {
    log.warn(
      'config reload: listen, tls, liveness, warmWaitMs and metrics change only at the next start',
    );
  }
  const changes = keyChanges(before.keys, next.keys);
  const { sessionsEnded } = gateway.reload(next);
  gateway.stats.configReloads.applied++;
  log.info('config reloaded', {
    keys: next.keys.length,
    added: changes.added.join(',') || undefined,
    removed: changes.removed.join(',') || undefined,
    changed: changes.changed.join(',') || undefined,
    sessionsEnded,
  });
  return true;
}

/** Key ids added, removed and changed (a changed key may have a new hash: a rotated key). */
export function keyChanges(
  before: KeyConfig[],
  after: KeyConfig[],
): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.map((key) => [key.id, key]));
  const ids = new Set(after.map((key) => key.id));
  return {
    added: after.filter((key) => !old.has(key.id)).map((key) => key.id),
    removed: before.filter((key) => !ids.has(key.id)).map((key) => key.id),
    changed: after
      .filter((key) => old.has(key.id) && !isDeepStrictEqual(old.get(key.id), key))
      .map((key) => key.id),
  };
}
