import type { TunnelStatus } from '../../../shared/tunnel-state.js';
import { STATUS_LABELS } from '../../../shared/tunnel-state.js';
import './status-badge.css';

/**
 * A coloured dot and the status in words. `troubled`: it listens, but a problem shown beside it
 * (a refused key, a host or gateway that cannot be reached) means clients will not get through:
 * the dot is amber, not green.
 */
export function StatusBadge({
  status,
  troubled = false,
}: {
  status: TunnelStatus;
  troubled?: boolean;
}) {
  return (
    <span
      className="status-badge"
      data-status={status === 'listening' && troubled ? 'troubled' : status}
    >
      <span className="status-dot" aria-hidden="true" />
      {STATUS_LABELS[status]}
    </span>
  );
}
