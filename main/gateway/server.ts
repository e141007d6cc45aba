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
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import {
  DEAD_AFTER_MS,
  MAX_CLIENT_MESSAGE_BYTES,
  PING_INTERVAL_MS,
  REQUEST_ID_HEADER,
  TCP_KEEPALIVE_MS,
  TUNNEL_PATH,
  WARM_SOCKET_HEADER,
  WARM_WAIT_MS,
} from '../relay/tunnel-protocol.js';
import { parseRequestTarget } from '../http/request-target.js';
import { deadAfterTicks } from '../relay/ws-liveness.js';
import { clientAddressOf, trustedProxyList } from './client-address.js';
import { DEFAULT_FAILED_KEY_LIMIT, type GatewayConfig } from './config.js';
import { FailedKeyLimiter } from './failed-key-limiter.js';
import { KeyRegistry } from './keys.js';
import { silentLogger, type Logger } from './log.js';
import { createMetricsListener, sendMetrics } from './metrics-listener.js';
import { createMetricsRegistry, createStats, type GatewayStats } from './metrics.js';
import { BOUNDARY_WAIT_MS } from './session-end.js';
import { SessionRegistry } from './session-registry.js';
import { DEFAULT_MAX_PENDING_CONNECTIONS, PendingConnections } from './pending-connections.js';
import { WarmSockets, type FirstMessage } from './warm-socket.js';

export { TUNNEL_PATH } from '../relay/tunnel-protocol.js';

/**
 * After a drain has ended its last sessions, how long it waits for their closing handshakes
 * before it cuts the connections: the wait for a message boundary plus a little.
 */
const DRAIN_CLOSE_GRACE_MS = BOUNDARY_WAIT_MS + 2_000;

/**
 * How long a connection may take to send its request's headers (and a TLS one its handshake), in
 * ms: a tunnel sends them at once, so only a client that holds a socket open without a word waits
 * this long (Node's own default is 60 s, checked every 30 s).
 */
export const HEADERS_TIMEOUT_MS = 10_000;

/** How often Node looks for connections past HEADERS_TIMEOUT_MS, in ms. */
const HEADERS_CHECK_INTERVAL_MS = 1_000;

/** What a connection past the cap on pending connections is told to wait, in s. */
const OVER_CAP_RETRY_AFTER_S = 5;

/**
 * The longest a drain of `drainTimeoutMs` takes, in ms: what a supervisor's stop timeout
 * (systemd's TimeoutStopSec, a container's --stop-timeout) must exceed, or it kills the gateway
 * before its sessions have been told why they end.
 */
export function longestDrainMs(drainTimeoutMs: number): number {
  return drainTimeoutMs + DRAIN_CLOSE_GRACE_MS;
}

export interface Gateway {
  /** Resolves once listening; the address actually bound (port 0 picks a free one). */
  listen(): Promise<AddressInfo>;
  /** Stops accepting, ends every open tunnel, resolves when all is closed. */
  close(): Promise<void>;
  /**
   * Graceful stop: /healthz answers 503, new tunnels are refused with 503 and warm sockets are
   * closed, at once; open sessions may go on for up to `timeoutMs`, then the rest are ended with a FATAL saying the
   * gateway is shutting down; then it closes. Resolves with how many sessions it had to end.
   */
  drain(timeoutMs: number): Promise<{ sessionsEnded: number }>;
  /** Cuts a drain's wait short: the open sessions are ended now (a second SIGTERM). */
  endDrainNow(): void;
  /**
   * Applies a reloaded config: new and changed keys serve new sessions at once, open sessions
   * keep the key entry they started with; a removed key is refused like an unknown one, and its
   * open sessions are ended only when the new config says `onKeyRemoved: "end"`. Warm sockets
   * held for a removed or changed key are closed (their tunnels dial again, and meet the new
   * config). The listen address, TLS files, liveness settings and warmWaitMs are read only at
   * start. Returns how many sessions it ended.
   */
  reload(next: GatewayConfig): { sessionsEnded: number };
  /** The config in force: the one given at creation, or the last reloaded. */
  readonly config: GatewayConfig;
  readonly stats: GatewayStats;
}

export function createGateway(initialConfig: GatewayConfig, log: Logger = silentLogger): Gateway {
  let config = initialConfig;
  let keys = new KeyRegistry(config.keys);
  let trustedProxies = trustedProxyList(config.trustedProxies ?? []);
  const stats = createStats();
  const limiter = new FailedKeyLimiter(config.failedKeyLimit ?? DEFAULT_FAILED_KEY_LIMIT);
  const pending = new PendingConnections(
    config.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS,
  );
  const metrics = createMetricsRegistry(stats, {
    pendingConnections: () => pending.size,
    limitedAddresses: () => limiter.limitedAddresses(),
    limiterFull: () => limiter.full(),
  });
  // Read at start only, as the listen address is.
  const metricsListener = config.metrics && createMetricsListener(metrics, config.metrics, log);
  let endDrainNow: (() => void) | undefined;
  // Read at start only, as the listen address is: a reload does not change them.
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
  const sessions = new SessionRegistry(stats, log, {
    heartbeats,
    deadAfterTicks: deadAfterTicks(pingIntervalMs, deadAfterMs),
  });
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
  });
  // Read at start only, like liveness: the upgrade answers announce it.
  const warmWaitMs = config.warmWaitMs ?? WARM_WAIT_MS;
  const warmSockets = new WarmSockets({ stats, log, heartbeats, waitMs: warmWaitMs });
  if (warmWaitMs > 0) {
    // Every accepted upgrade says that warm sockets are held, and for how long.
    wss.on('headers', (headers) => headers.push(`${WARM_SOCKET_HEADER}: ${warmWaitMs}`));
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = parseRequestTarget(req.url)?.pathname;
    if (path === undefined) {
      log.warn('request refused', {
        client: clientAddressOf(req, trustedProxies).display,
        reason: 'the request target is not a valid URL path',
      });
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
      res.end('The request target is not a valid URL path.\n');
      return;
    }
    const isHealthCheck = req.method === 'GET' && path === '/healthz';
    const overCap = pending.isOverCap(req.socket);
    if (overCap && !isHealthCheck) {
      log.warn('request refused', {
        client: clientAddressOf(req, trustedProxies).display,
        reason: 'too many connections waiting',
      });
      res.writeHead(503, {
        'content-type': 'text/plain',
        'retry-after': String(OVER_CAP_RETRY_AFTER_S),
        connection: 'close',
      });
      res.end('The gateway has too many connections waiting; try again shortly.\n');
      return;
    }
    if (isHealthCheck) {
      // 503 while draining: the load balancer's health check then sends new sessions elsewhere.
      res.writeHead(stats.draining ? 503 : 200, {
        'content-type': 'application/json',
        ...(overCap ? { connection: 'close' } : {}),
      });
      res.end(
        JSON.stringify({
          status: stats.draining ? 'draining' : 'ok',
          sessionsOpen: stats.sessionsOpen,
        }),
      );
    } else if (req.method === 'GET' && path === '/metrics' && !metricsListener) {
      sendMetrics(metrics, res);
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
    const client = clientAddressOf(req, trustedProxies);
    const clientAddress = client.display;
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string, message: string, headers = ''): void => {
      log.warn('tunnel refused', {
        request: requestId,
        client: clientAddress,
        status,
        reason: message,
      });
      const body = `${message}\n`;
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n${headers}` +
          `content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    const path = parseRequestTarget(req.url)?.pathname;
    if (path === undefined) {
      refuse(400, 'Bad Request', 'The request target is not a valid URL path.');
      return;
    }
    if (path !== TUNNEL_PATH) {
      refuse(404, 'Not Found', `Tunnels open at ${TUNNEL_PATH}.`);
      return;
    }
    if (stats.draining) {
      refuse(503, 'Service Unavailable', 'The gateway is shutting down; connect again.');
      return;
    }
    if (pending.isOverCap(socket)) {
      refuse(
        503,
        'Service Unavailable',
        'The gateway has too many connections waiting; try again shortly.',
        `retry-after: ${OVER_CAP_RETRY_AFTER_S}\r\n`,
      );
      return;
    }
    const retryAfterMs = limiter.retryAfterMs(client.host);
    if (retryAfterMs > 0) {
      stats.upgradesLimited++;
      const seconds = Math.ceil(retryAfterMs / 1000);
      refuse(
        429,
        'Too Many Requests',
        `Too many unknown API keys from this address; try again in ${seconds} s.`,
        `retry-after: ${seconds}\r\n`,
      );
      return;
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const key = bearer ? keys.find(bearer[1]!) : undefined;
    if (!key) {
      stats.authFailures++;
      if (limiter.recordFailure(client.host)) {
        log.warn('client address limited', { client: client.host, reason: 'unknown API keys' });
      }
      refuse(401, 'Unauthorized', 'The API key is invalid.');
      return;
    }
    const upstream = key.upstream;
    if (!upstream) {
      refuse(410, 'Gone', 'There is no database behind this API key.');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      pending.upgraded(socket);
      const meta = { id: requestId, clientAddress };
      // The session counts (and meets its key's maxSessions) when its StartupMessage comes.
      const serve = (first?: FirstMessage): void =>
        sessions.serve(ws, { ...key, upstream }, meta, first);
      if (warmWaitMs > 0 && req.headers[WARM_SOCKET_HEADER] !== undefined) {
        warmSockets.hold(ws, meta, key, serve);
      } else {
        serve();
      }
    });
  };

  const options = {
    // Keepalive finds engines gone without a FIN, even while backpressure holds their tunnel.
    keepAlive: true,
    keepAliveInitialDelay: TCP_KEEPALIVE_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: HEADERS_TIMEOUT_MS,
    connectionsCheckingInterval: HEADERS_CHECK_INTERVAL_MS,
  };
  const server: Server = config.tls
    ? createHttpsServer(
        {
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
          handshakeTimeout: HEADERS_TIMEOUT_MS,
          ...options,
        },
        onRequest,
      )
    : createHttpServer(options, onRequest);
  server.on('upgrade', onUpgrade);
  // The socket requests arrive on: with TLS the TLS one, once its handshake is done.
  server.on(config.tls ? 'secureConnection' : 'connection', (socket: Socket) =>
    pending.admit(socket),
  );
  // A request Node's parser cannot read (a bad request line or header, a header past its limit):
  // answered as Node would by default, and said once in the log.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    log.warn('request refused', {
      reason: `unreadable HTTP request (${error.code ?? error.message})`,
    });
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  const close = (): Promise<void> =>
    new Promise((resolve) => {
      clearInterval(heartbeatTimer);
      for (const ws of wss.clients) {
        ws.terminate();
      }
      server.closeAllConnections();
      metricsListener?.server.closeAllConnections();
      metricsListener?.server.close();
      server.close(() => resolve());
    });

  return {
    stats,
    get config() {
      return config;
    },
    listen: async () => {
      await metricsListener?.listen();
      return new Promise((resolve, reject) => {
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
      });
    },
    close,
    drain: async (timeoutMs) => {
      stats.draining = true;
      // They carry no session: the tunnels holding them dial elsewhere (or back, and are told).
      warmSockets.closeAll('the gateway is draining');
      log.info('gateway draining', {
        sessionsOpen: sessions.size,
        drainTimeoutSeconds: timeoutMs / 1000,
      });
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<void>((resolve) => {
        endDrainNow = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([sessions.whenEmpty(), timeUp]);
      clearTimeout(timer);
      const sessionsEnded = sessions.end({ kind: 'gateway-shutdown' });
      // Each ended session finishes the database's message in progress, says why, and closes.
      await Promise.race([sessions.whenEmpty(), delay(DRAIN_CLOSE_GRACE_MS)]);
      log.info('gateway drained', { sessionsEnded });
      await close();
      return { sessionsEnded };
    },
    endDrainNow: () => endDrainNow?.(),
    reload: (next) => {
      keys = new KeyRegistry(next.keys, keys);
      trustedProxies = trustedProxyList(next.trustedProxies ?? []);
      limiter.configure(next.failedKeyLimit ?? DEFAULT_FAILED_KEY_LIMIT);
      pending.configure(next.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS);
      const sessionsEnded =
        next.onKeyRemoved === 'end'
          ? sessions.end({ kind: 'key-revoked' }, (key) => !keys.hasHash(key.keyHash))
          : 0;
      // Not sessions yet: held for a key now gone or changed, they would serve with what it was.
      warmSockets.closeWhere((key) => !keys.includes(key), 'its API key was removed or changed');
      const { listen, tls, liveness, metrics: metricsAddress } = config;
      config = {
        ...next,
        listen,
        tls,
        liveness,
        warmWaitMs: config.warmWaitMs,
        metrics: metricsAddress,
      };
      return { sessionsEnded };
    },
  };
}

/** A wait that does not keep the process alive by itself. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
