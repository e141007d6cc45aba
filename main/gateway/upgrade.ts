import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { REQUEST_ID_HEADER } from '../relay/tunnel-protocol.js';
import type { UpstreamTarget } from '../upstream/target.js';
import type { FailedKeyLimiter } from './failed-key-limiter.js';
import type { KeyEntry, KeyRegistry } from './keys.js';
import type { Logger } from './log.js';
import type { GatewayStats } from './metrics.js';
import type { PendingConnections } from './pending-connections.js';
import type { SessionMeta } from './session.js';
import { checkUpgrade } from './upgrade-check.js';

/** What the upgrade handler reads and calls; `keys` is a getter, as a reload replaces the registry. */
export interface UpgradeContext {
  stats: GatewayStats;
  log: Logger;
  pending: PendingConnections;
  limiter: FailedKeyLimiter;
  keys(): KeyRegistry;
  /** The client's address (see clientAddressOf): `host` for counting, `display` for the log. */
  clientOf(req: IncomingMessage): { host: string; display: string };
  /** Completes an accepted upgrade (the WebSocket handshake) and serves the tunnel. */
  accept(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    granted: { key: KeyEntry; upstream: UpstreamTarget },
    meta: SessionMeta,
  ): void;
}

/**
 * The gateway's `upgrade` listener: counts the request, decides it with checkUpgrade, and either
 * hands it to `accept` or answers the refusal itself: the status, the request id header (which
 * the engine shows the user), Retry-After where it applies, and the sentence as the body, with one
 * log line.
 */
export function createUpgradeHandler(
  context: UpgradeContext,
): (req: IncomingMessage, socket: Socket, head: Buffer) => void {
  const { stats, log, pending, limiter } = context;
  return (req, socket, head) => {
    stats.upgradeRequests++;
    if (socket instanceof TLSSocket && socket.isSessionReused()) {
      stats.tlsResumptions++;
    }
    const requestId = randomUUID();
    const client = context.clientOf(req);
    socket.on('error', () => socket.destroy());
    const decision = checkUpgrade(
      {
        target: req.url,
        authorization: req.headers.authorization,
        clientHost: client.host,
        draining: stats.draining,
        overCap: pending.isOverCap(socket),
      },
      context.keys(),
      limiter,
    );
    if (decision.accept) {
      context.accept(req, socket, head, decision, { id: requestId, clientAddress: client.display });
      return;
    }
    if (decision.counted === 'limited') {
      stats.upgradesLimited++;
    } else if (decision.counted === 'auth-failure') {
      stats.authFailures++;
    }
    if (decision.newlyLimited) {
      log.warn('client address limited', { client: client.host, reason: 'unknown API keys' });
    }
    log.warn('tunnel refused', {
      request: requestId,
      client: client.display,
      status: decision.status,
      reason: decision.message,
    });
    const retryAfter =
      decision.retryAfterSeconds === undefined
        ? ''
        : `retry-after: ${decision.retryAfterSeconds}\r\n`;
    const body = `${decision.message}\n`;
    socket.end(
      `HTTP/1.1 ${decision.status} ${decision.reason}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n${retryAfter}` +
        `content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  };
}
