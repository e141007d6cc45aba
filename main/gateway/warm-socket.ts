import type { WebSocket } from 'ws';
import { CloseCode } from '../relay/tunnel-protocol.js';
import type { KeyEntry } from './keys.js';
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

/** One warm socket held: the key entry it was accepted with, and how to let it go. */
interface Held {
  key: KeyEntry;
  /** Closes it without serving it; its 'close' then releases it. */
  dismiss(reason: string): void;
}

/**
 * The warm sockets the gateway holds: WebSockets a tunnel opened ahead of need (announced with
 * WARM_SOCKET_HEADER), each waiting for its first message. They are not sessions: they are not
 * in the session registry and do not count against their key's maxSessions until that message
 * comes and `serve` makes one. A drain or a reload closes them at once (see closeAll, closeWhere):
 * the tunnel that held one re-dials, and retries a client's StartupMessage that crossed the close.
 */
export class WarmSockets {
  private readonly held = new Set<Held>();

  constructor(private readonly context: WarmContext) {}

  /**
   * Holds `ws`, accepted for `key`, until its first message arrives, then calls `serve` with it:
   * from then on it is an ordinary tunnel. Meanwhile it counts in the warm-socket metrics, is
   * pinged every ping interval (so that load balancers and NATs on the way keep it), and is
   * closed after the wait without a message: the tunnel refreshes its warm sockets before that.
   * A tunnel gone without a FIN costs a socket until then, or until TCP keepalive or a failed
   * ping write finds it gone.
   */
  hold(
    ws: WebSocket,
    meta: { id: string; clientAddress: string },
    key: KeyEntry,
    serve: (first: FirstMessage) => void,
  ): void {
    const { stats, log, heartbeats, waitMs } = this.context;
    stats.warmSocketsOpen++;
    stats.warmSocketsTotal++;
    const ping = (): void => ws.ping();
    heartbeats.add(ping);
    const dismiss = (reason: string): void => {
      if (ws.readyState !== ws.OPEN) {
        return;
      }
      log.info('warm socket closed', { request: meta.id, client: meta.clientAddress, reason });
      ws.close(CloseCode.Normal);
    };
    const timer = setTimeout(() => dismiss(`no message within ${waitMs / 1000} s`), waitMs);
    const onError = (error: Error): void =>
      log.warn('warm socket error', { request: meta.id, reason: error.message });
    const held: Held = { key, dismiss };
    const release = (): void => {
      clearTimeout(timer);
      heartbeats.delete(ping);
      this.held.delete(held);
      stats.warmSocketsOpen--;
      ws.off('message', onFirstMessage);
      ws.off('close', release);
      ws.off('error', onError);
    };
    const onFirstMessage = (data: Buffer, isBinary: boolean): void => {
      // Dismissed, its close frame on its way: a startup that crossed it is the tunnel's to retry.
      if (ws.readyState !== ws.OPEN) {
        return;
      }
      release();
      // serve() registers its own listeners synchronously, before ws can deliver another message.
      serve({ data, isBinary });
    };
    this.held.add(held);
    ws.on('message', onFirstMessage);
    ws.on('close', release);
    ws.on('error', onError);
  }

  /** Closes every warm socket held for a key `which` selects (a reload: removed or changed keys). */
  closeWhere(which: (key: KeyEntry) => boolean, reason: string): void {
    for (const held of [...this.held]) {
      if (which(held.key)) {
        held.dismiss(reason);
      }
    }
  }

  /** Closes every warm socket held (a drain: they carry no session to wait for). */
  closeAll(reason: string): void {
    this.closeWhere(() => true, reason);
  }
}
