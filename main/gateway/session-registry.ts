import type { WebSocket } from 'ws';
import type { UpstreamTarget } from '../upstream/target.js';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import type { GatewayStats } from './metrics.js';
import { GatewaySession, type SessionMeta } from './session.js';
import type { GatewayEndCause } from './session-end.js';
import type { FirstMessage } from './warm-socket.js';

/** What the registry's sessions share besides its stats and log: the gateway's liveness timer. */
export interface SessionLiveness {
  /** Called every ping interval; each session with a database connection adds its check. */
  heartbeats: Set<() => void>;
  /** Silent, unheld ping intervals after which an engine is judged dead. */
  deadAfterTicks: number;
}

/** The gateway's open sessions, so that a drain, a reload or a timeout can end them. */
export class SessionRegistry {
  private readonly open = new Set<GatewaySession>();
  private readonly emptyWaiters: Array<() => void> = [];

  constructor(
    private readonly stats: GatewayStats,
    private readonly log: Logger,
    private readonly liveness: SessionLiveness,
  ) {}

  /**
   * Serves an accepted tunnel as a session, registered until its WebSocket closes. `first`: the
   * message a warm socket was held until, read as the first of the opening.
   */
  serve(
    ws: WebSocket,
    key: KeyEntry & { upstream: UpstreamTarget },
    meta: SessionMeta,
    first?: FirstMessage,
  ): void {
    const session = new GatewaySession(ws, key, meta, {
      stats: this.stats,
      log: this.log,
      ...this.liveness,
      closed: (closed) => this.forget(closed),
    });
    this.open.add(session);
    session.serve(first);
  }

  get size(): number {
    return this.open.size;
  }

  /** Ends every session `which` selects with the FATAL of `cause`; returns how many. */
  end(cause: GatewayEndCause, which: (key: KeyEntry) => boolean = () => true): number {
    let ended = 0;
    for (const session of this.open) {
      if (which(session.key) && session.end(cause)) {
        ended++;
      }
    }
    return ended;
  }

  /** Resolves once no session is open (at once if none is). */
  whenEmpty(): Promise<void> {
    return this.open.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  private forget(session: GatewaySession): void {
    this.open.delete(session);
    if (this.open.size === 0) {
      for (const wake of this.emptyWaiters.splice(0)) {
        wake();
      }
    }
  }
}
