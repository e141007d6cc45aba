import { hostPort } from '../../../shared/connection-details.js';
import type { SessionState } from '../../../shared/session.js';

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

/** host:port, with IPv6 hosts bracketed; null before the tunnel has ever had a port. */
export function addressText(host: string | null, port: number | null): string | null {
  if (host === null || port === null) {
    return null;
  }
  return hostPort(host, port);
}
