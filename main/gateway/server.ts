import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { encodeErrorResponse } from '../pgwire/error-response.js';
import { describeFailure } from '../pgwire/failure.js';
import {
  CloseCode,
  DEAD_AFTER_MS,
  MAX_MESSAGE_BYTES,
  PING_INTERVAL_MS,
  REQUEST_ID_HEADER,
  TCP_KEEPALIVE_MS,
  TUNNEL_PATH,
  WARM_SOCKET_HEADER,
  WARM_WAIT_MS,
} from '../pgwire/tunnel-protocol.js';
import { deadAfterTicks } from '../pgwire/ws-liveness.js';
import type { GatewayConfig } from './config.js';
import { KeyRegistry } from './keys.js';
import { silentLogger, type Logger } from './log.js';
import { createMetricsRegistry, createStats, type GatewayStats } from './metrics.js';
import { serveTunnelSession } from './tunnel-session.js';
import { holdWarmSocket, type FirstMessage } from './warm-socket.js';

export { TUNNEL_PATH } from '../pgwire/tunnel-protocol.js';

export interface Gateway {
  /** Resolves once listening; the address actually bound (port 0 picks a free one). */
  listen(): Promise<AddressInfo>;
  /** Stops accepting, ends every open tunnel, resolves when all is closed. */
  close(): Promise<void>;
  readonly stats: GatewayStats;
}

export function createGateway(config: GatewayConfig, log: Logger = silentLogger): Gateway {
  const keys = new KeyRegistry(config.keys);
  const stats = createStats();
  const metrics = createMetricsRegistry(stats);
  const { pingIntervalMs, deadAfterMs } = config.liveness ?? {
    pingIntervalMs: PING_INTERVAL_MS,
    deadAfterMs: DEAD_AFTER_MS,
  };
  // One timer for every tunnel: each pings its engine and is ended once judged dead.
  const heartbeats = new Set<() => void>();
  const heartbeatTimer = setInterval(() => {
    for (const heartbeat of heartbeats) {
      heartbeat();
    }
  }, pingIntervalMs).unref();
  const sessionContext = {
    stats,
    log,
    heartbeats,
    deadAfterTicks: deadAfterTicks(pingIntervalMs, deadAfterMs),
  };
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_MESSAGE_BYTES,
  });
  const warmWaitMs = config.warmWaitMs ?? WARM_WAIT_MS;
  const warmContext = { stats, log, heartbeats, waitMs: warmWaitMs };
  if (warmWaitMs > 0) {
    // Every accepted upgrade says that warm sockets are held, and for how long.
    wss.on('headers', (headers) => headers.push(`${WARM_SOCKET_HEADER}: ${warmWaitMs}`));
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', sessionsOpen: stats.sessionsOpen }));
    } else if (req.method === 'GET' && path === '/metrics') {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`Nothing here. Tunnels open a WebSocket at ${TUNNEL_PATH}.\n`);
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    stats.upgradeRequests++;
    if (socket instanceof TLSSocket && socket.isSessionReused()) {
      stats.tlsResumptions++;
    }
    const requestId = randomUUID();
    const clientAddress = clientAddressOf(req);
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string, message: string): void => {
      log.warn('tunnel refused', {
        request: requestId,
        client: clientAddress,
        status,
        reason: message,
      });
      const body = `${message}\n`;
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
          `content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    if (new URL(req.url ?? '/', 'http://gateway').pathname !== TUNNEL_PATH) {
      refuse(404, 'Not Found', `Tunnels open at ${TUNNEL_PATH}.`);
      return;
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const key = bearer ? keys.find(bearer[1]!) : undefined;
    if (!key) {
      stats.authFailures++;
      refuse(401, 'Unauthorized', 'The API key is invalid.');
      return;
    }
    const upstream = key.upstream;
    if (!upstream) {
      refuse(410, 'Gone', 'There is no database behind this API key.');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const meta = { id: requestId, clientAddress };
      const serve = (first?: FirstMessage): void => {
        if (key.maxSessions !== undefined && key.openSessions >= key.maxSessions) {
          log.warn('tunnel refused', { request: requestId, key: key.id, reason: 'session limit' });
          ws.send(
            encodeErrorResponse(describeFailure({ kind: 'session-limit', limit: key.maxSessions })),
          );
          ws.close(CloseCode.Normal);
          return;
        }
        // The registry's entry itself (a copy would count its sessions where the limit above
        // never reads them), typed with the upstream it has.
        serveTunnelSession(ws, Object.assign(key, { upstream }), meta, sessionContext, first);
      };
      if (warmWaitMs > 0 && req.headers[WARM_SOCKET_HEADER] !== undefined) {
        holdWarmSocket(ws, meta, warmContext, serve);
      } else {
        serve();
      }
    });
  };

  // Keepalive finds engines gone without a FIN, even while backpressure holds their tunnel.
  const keepAlive = { keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS };
  const server: Server = config.tls
    ? createHttpsServer(
        { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key), ...keepAlive },
        onRequest,
      )
    : createHttpServer(keepAlive, onRequest);
  server.on('upgrade', onUpgrade);

  return {
    stats,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.listen.port, config.listen.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          log.info('gateway listening', {
            address: address.address,
            port: address.port,
            tls: Boolean(config.tls),
            keys: config.keys.length,
          });
          resolve(address);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        clearInterval(heartbeatTimer);
        for (const ws of wss.clients) {
          ws.terminate();
        }
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The first X-Forwarded-For hop when a load balancer is in front, else the peer address. */
function clientAddressOf(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || `${req.socket.remoteAddress}:${req.socket.remotePort}`;
}
