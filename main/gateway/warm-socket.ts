import type { WebSocket } from 'ws';
import { CloseCode } from '../pgwire/tunnel-protocol.js';
import type { Logger } from './log.js';
import type { GatewayStats } from './metrics.js';

/** A WebSocket's first message, as ws delivered it. */
export interface FirstMessage {
  data: Buffer;
  isBinary: boolean;
}

export interface WarmContext {
  stats: GatewayStats;
  log: Logger;
  /** The gateway's ping timer: called every ping interval (see SessionContext.heartbeats). */
  heartbeats: Set<() => void>;
  /** How long a warm socket may wait for its first message, in ms (WARM_WAIT_MS by default). */
  waitMs: number;
}

/**
 * Holds a warm socket, one a tunnel opened ahead of need (see WARM_SOCKET_HEADER), until its
 * first message arrives, then calls `serve` with it: from then on it is an ordinary tunnel, and
 * only then does it count as a session (and against its key's maxSessions). Meanwhile it counts
 * in the warm-socket metrics, is pinged every ping interval (so that load balancers and NATs on
 * the way keep it), and is closed after `waitMs` without a message: the tunnel refreshes its warm
 * sockets before that. A tunnel gone without a FIN costs a socket until then, or until TCP
 * keepalive or a failed ping write finds it gone.
 */
export function holdWarmSocket(
  ws: WebSocket,
  meta: { id: string; clientAddress: string },
  { stats, log, heartbeats, waitMs }: WarmContext,
  serve: (first: FirstMessage) => void,
): void {
  stats.warmSocketsOpen++;
  stats.warmSocketsTotal++;
  const ping = (): void => ws.ping();
  heartbeats.add(ping);
  const timer = setTimeout(() => {
    log.info('warm socket expired', {
      request: meta.id,
      client: meta.clientAddress,
      reason: `no message within ${waitMs / 1000} s`,
    });
    ws.close(CloseCode.Normal);
  }, waitMs);
  const onError = (error: Error): void =>
    log.warn('warm socket error', { request: meta.id, reason: error.message });
  const release = (): void => {
    clearTimeout(timer);
    heartbeats.delete(ping);
    stats.warmSocketsOpen--;
    ws.off('message', onFirstMessage);
    ws.off('close', release);
    ws.off('error', onError);
  };
  // serve() registers its own listeners synchronously, before ws can deliver another message.
  const onFirstMessage = (data: Buffer, isBinary: boolean): void => {
    release();
    serve({ data, isBinary });
  };
  ws.on('message', onFirstMessage);
  ws.on('close', release);
  ws.on('error', onError);
}
