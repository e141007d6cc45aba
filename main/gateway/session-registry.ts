import type { WebSocket } from 'ws';
import { SqlState, type PgError } from '../pgwire/error-response.js';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import type { EndReason, GatewayStats } from './metrics.js';
import { SessionControl } from './session-control.js';

/** The FATAL of sessions still open when a drain runs out (Postgres's own shutdown SQLSTATE). */
export const SHUTDOWN_ERROR: PgError = {
  severity: 'FATAL',
  code: SqlState.AdminShutdown,
  message: 'terminating connection because the tunnel gateway is shutting down',
  hint: 'Connect again: new sessions go to a gateway that is running.',
};

/** The FATAL of sessions of a key a reload removed, when the config says to end them. */
export const REVOKED_ERROR: PgError = {
  severity: 'FATAL',
  // admin_shutdown: an operator's command ended it, as pg_terminate_backend would.
  code: SqlState.AdminShutdown,
  message: 'terminating connection because its API key was revoked',
  hint: 'Ask the database owner for a new API key.',
};

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

  /** Ends every session `which` selects with `error`; returns how many. */
  end(error: PgError, reason: EndReason, which: (key: KeyEntry) => boolean = () => true): number {
    let ended = 0;
    for (const control of this.open) {
      if (which(control.key) && control.end(error, reason)) {
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
