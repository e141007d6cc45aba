import type { WebSocket } from 'ws';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import type { GatewayStats } from './metrics.js';
import { SessionControl, type GatewayEndCause } from './session-control.js';

/** The gateway's open sessions, so that a drain, a reload or a timeout can end them. */
export class SessionRegistry {
  private readonly open = new Set<SessionControl>();
  private readonly emptyWaiters: Array<() => void> = [];

  constructor(
    private readonly stats: GatewayStats,
    private readonly log: Logger,
  ) {}

  /** Registers a session that has just been accepted; it leaves the registry when its WebSocket closes. */
  add(id: string, ws: WebSocket, key: KeyEntry): SessionControl {
    const control = new SessionControl(id, ws, key, this.stats, this.log, (closed) => {
      this.open.delete(closed);
      if (this.open.size === 0) {
        for (const wake of this.emptyWaiters.splice(0)) {
          wake();
        }
      }
    });
    this.open.add(control);
    return control;
  }

  get size(): number {
    return this.open.size;
  }

  /** Ends every session `which` selects with the FATAL of `cause`; returns how many. */
  end(cause: GatewayEndCause, which: (key: KeyEntry) => boolean = () => true): number {
    let ended = 0;
    for (const control of this.open) {
      if (which(control.key) && control.end(cause)) {
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
}
