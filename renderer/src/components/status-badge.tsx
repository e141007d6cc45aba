import type { TunnelStatus } from '../../../shared/tunnel-state.js';
import { STATUS_LABELS } from '../../../shared/tunnel-state.js';
import './status-badge.css';

/** A coloured dot and the status in words. */
export function StatusBadge({ status }: { status: TunnelStatus }) {
  return (
    <span className="status-badge" data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {STATUS_LABELS[status]}
    </span>
  );
}
