import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  DEAD_AFTER_MS,
  MAX_CLIENT_MESSAGE_BYTES,
  PING_INTERVAL_MS,
  WARM_SOCKET_HEADER,
  WARM_WAIT_MS,
} from '../relay/tunnel-protocol.js';
import { deadAfterTicks } from '../relay/ws-liveness.js';
import { clientAddressOf, trustedProxyList } from './client-address.js';
import { DEFAULT_FAILED_KEY_LIMIT, type GatewayConfig } from './config.js';
import { FailedKeyLimiter } from './failed-key-limiter.js';
import { KeyRegistry } from './keys.js';
import { silentLogger, type Logger } from './log.js';
import { createHttpListener } from './http-listener.js';
import { createRequestHandler } from './http-routes.js';
import { createMetricsListener } from './metrics-listener.js';
import { createMetricsRegistry, createStats, type GatewayStats } from './metrics.js';
import { BOUNDARY_WAIT_MS } from './session-end.js';
import { SessionRegistry } from './session-registry.js';
import { DEFAULT_MAX_PENDING_CONNECTIONS, PendingConnections } from './pending-connections.js';
import { createUpgradeHandler } from './upgrade.js';
import { WarmSockets, type FirstMessage } from './warm-socket.js';

export { TUNNEL_PATH } from '../relay/tunnel-protocol.js';

/**
 * After a drain has ended its last sessions, how long it waits for their closing handshakes
 * before it cuts the connections: the wait for a message boundary plus a little.
 */
const DRAIN_CLOSE_GRACE_MS = BOUNDARY_WAIT_MS + 2_000;

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
  const warmLoginsSaid = (key: string, sentence: string): void =>
    log.info('warm logins', { key, message: sentence });
  let keys = new KeyRegistry(config.keys, undefined, warmLoginsSaid);
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
    warmLogins: () => keys.warmLoginsHeld(),
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

  const onRequest = createRequestHandler({
    stats,
    pending,
    metrics,
    metricsOnOwnListener: Boolean(metricsListener),
    log,
    clientOf: (req) => clientAddressOf(req, trustedProxies).display,
  });

  const onUpgrade = createUpgradeHandler({
    stats,
    log,
    pending,
    limiter,
    keys: () => keys,
    clientOf: (req) => clientAddressOf(req, trustedProxies),
    accept: (req, socket, head, { key, upstream }, meta) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        pending.upgraded(socket);
        // The session counts (and meets its key's maxSessions) when its StartupMessage comes.
        const serve = (first?: FirstMessage): void =>
          sessions.serve(ws, { ...key, upstream }, meta, first);
        if (warmWaitMs > 0 && req.headers[WARM_SOCKET_HEADER] !== undefined) {
          warmSockets.hold(ws, meta, key, serve);
        } else {
          serve();
        }
      }),
  });

  const server = createHttpListener({
    tls: config.tls,
    onRequest,
    onUpgrade,
    onConnection: (socket) => pending.admit(socket),
    log,
  });

  const close = async (): Promise<void> => {
    const warmLoginsStopped = keys.stopWarmLogins();
    await new Promise<void>((resolve) => {
      clearInterval(heartbeatTimer);
      for (const ws of wss.clients) {
        ws.terminate();
      }
      server.closeAllConnections();
      metricsListener?.server.closeAllConnections();
      metricsListener?.server.close();
      server.close(() => resolve());
    });
    await warmLoginsStopped;
  };

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
      // No session will take them: the database has its connections back at once.
      void keys.stopWarmLogins();
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
      keys = new KeyRegistry(next.keys, keys, warmLoginsSaid);
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
