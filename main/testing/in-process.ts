import { randomBytes } from 'node:crypto';
import { createGateway, type Gateway } from '../gateway/index.js';
import { hashApiKey } from '../gateway/keys.js';
import { Tunnel, type TunnelOptions } from '../engine/index.js';
import type { PostgresInfo } from './global-setup.js';

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
  const apiKey = `test_${randomBytes(24).toString('base64url')}`;
  const gateway = createGateway({
    listen: { host: '127.0.0.1', port: 0 },
    tls: undefined,
    keys: [
      {
        id: 'test',
        keyHash: hashApiKey(apiKey),
        maxSessions: undefined,
        upstream: {
          host: postgres.host,
          port: postgres.port,
          user: postgres.user,
          database: postgres.database,
          password: postgres.password,
          sslMode: 'disable',
          sslRootCert: undefined,
        },
      },
    ],
  });
  const { port: gatewayPort } = await gateway.listen();
  const gatewayUrl = `ws://127.0.0.1:${gatewayPort}/websocket`;
  const tunnel = new Tunnel({ apiKey, gatewayUrl, ...tunnelOptions });
  const { address, port } = await tunnel.listen();
  return {
    gateway,
    gatewayUrl,
    apiKey,
    tunnel,
    host: address,
    port,
    stop: async () => {
      await tunnel.stop('kill');
      await gateway.close();
    },
  };
}
