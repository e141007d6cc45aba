import { hostPort } from '../../../shared/connection-details.js';
import type { SessionState } from '../../../shared/session.js';
import type { WarmLoginsInfo } from '../../../shared/tunnel-state.js';

/** What a session is doing, read from the server's ReadyForQuery status. */
export const SESSION_STATE_LABELS: Record<SessionState, string> = {
  starting: 'Logging in',
  idle: 'Idle',
  active: 'Active',
  'in-transaction': 'In transaction',
  failed: 'Failed transaction',
};

export function sessionCountText(count: number): string {
  if (count === 0) {
    return 'No sessions';
  }
  return count === 1 ? '1 session' : `${count} sessions`;
}

/**
 * How many warm logins a direct tunnel holds ("2 warm logins held"); null when it holds none by
 * design (another kind of tunnel, a stopped one, warm logins off).
 */
export function warmLoginsText(info: WarmLoginsInfo | undefined): string | null {
  if (!info || info.max === 0) {
    return null;
  }
  if (info.paused) {
    return 'Warm logins paused';
  }
  if (info.held === 0) {
    return 'No warm login held';
  }
  return info.held === 1 ? '1 warm login held' : `${info.held} warm logins held`;
}

/** host:port, with IPv6 hosts bracketed; null before the tunnel has ever had a port. */
export function addressText(host: string | null, port: number | null): string | null {
  if (host === null || port === null) {
    return null;
  }
  return hostPort(host, port);
}
