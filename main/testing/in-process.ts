import { createGateway, type Gateway, type Logger } from '../gateway/index.js';
import type { GatewayConfig, KeyConfig } from '../gateway/config.js';
import { hashApiKey } from '../gateway/keys.js';
import { readConnectionString } from '../../shared/connection-string.js';
import { parseUpstreamUrl, upstreamTargetOf } from '../upstream/target.js';
import { Tunnel, type DirectRoute, type TunnelOptions } from '../engine/index.js';
import { newApiKey } from './gateway.js';
import type { PostgresInfo } from './global-setup.js';

/** A gateway key (config form) leading to `upstreamUrl`. */
export function keyFor(apiKey: string, upstreamUrl: string | undefined, id = 'test'): KeyConfig {
  return {
    id,
    keyHash: hashApiKey(apiKey),
    maxSessions: undefined,
    databases: undefined,
    upstream: upstreamUrl === undefined ? undefined : parseUpstreamUrl(upstreamUrl),
  };
}

/** How a test gateway differs from the defaults; `port` 0 (the default) picks a free one. */
export type InProcessGatewayOptions = Pick<GatewayConfig, 'tls' | 'liveness' | 'warmWaitMs'> & {
  port?: number;
  /** Where its log goes (default: nowhere). */
  log?: Logger;
};

/** The real gateway, in this process, on a loopback port; TLS, liveness and warm sockets as given. */
export async function startInProcessGateway(
  keys: KeyConfig[],
  { port = 0, log, ...options }: InProcessGatewayOptions = { tls: undefined },
): Promise<{ gateway: Gateway; gatewayUrl: string; port: number }> {
  const gateway = createGateway({ listen: { host: '127.0.0.1', port }, keys, ...options }, log);
  const bound = (await gateway.listen()).port;
  return {
    gateway,
    gatewayUrl: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${bound}/websocket`,
    port: bound,
  };
}

/** A listening tunnel in this process. */
export async function openTunnel(
  options: TunnelOptions,
): Promise<{ tunnel: Tunnel; host: string; port: number }> {
  const tunnel = new Tunnel(options);
  const { address, port } = await tunnel.listen();
  return { tunnel, host: address, port };
}

/**
 * A listening direct tunnel in this process to `url` (a postgres:// URL with its password), for
 * the profile `profile` (absent: as the CLI names it), with `options` for the rest.
 */
export async function openDirectTunnel(
  url: string,
  profile?: string,
  options: Partial<Omit<DirectRoute, 'direct'>> = {},
): Promise<{ tunnel: Tunnel; host: string; port: number }> {
  const { upstream, password } = readConnectionString(url, 'The URL');
  return openTunnel({
    ...options,
    direct: upstreamTargetOf(upstream, password, { kind: 'direct', profile }),
  });
}

export interface InProcessStack {
  gateway: Gateway;
  gatewayUrl: string;
  apiKey: string;
  tunnel: Tunnel;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Gateway and tunnel in this process (real code, real sockets), for tests that read the registry. */
export async function startInProcessStack(
  postgres: PostgresInfo,
  tunnelOptions: Partial<TunnelOptions> = {},
): Promise<InProcessStack> {
  const apiKey = newApiKey();
  const { gateway, gatewayUrl } = await startInProcessGateway([keyFor(apiKey, postgres.url)]);
  const { tunnel, host, port } = await openTunnel({ apiKey, gatewayUrl, ...tunnelOptions });
  return {
    gateway,
    gatewayUrl,
    apiKey,
    tunnel,
    host,
    port,
    stop: async () => {
      await tunnel.stop('kill');
      await gateway.close();
    },
  };
}
