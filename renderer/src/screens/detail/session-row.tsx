import { formatBytes, formatDuration } from '../../../../shared/format.js';
import type { SessionInfo } from '../../../../shared/session.js';
import { SESSION_STATE_LABELS } from '../../format/labels.js';

/**
 * One client connection: who (user, database, application), from where, doing what, for how long,
 * and the bytes each way. Laid out on two lines to fit the tray window; still a table row for
 * assistive technology, each cell announced with its column.
 */
export function SessionRow({
  session,
  now,
  onDisconnect,
  disconnecting,
}: {
  session: SessionInfo;
  now: number;
  onDisconnect: () => void;
  disconnecting: boolean;
}) {
  const who = `${session.user || '?'}@${session.database || '?'}`;
  return (
    <tr role="row" className="session-row" data-state={session.state}>
      <td role="cell" className="session-who" title={who}>
        {who}
      </td>
      <td role="cell" className="session-app" title={session.applicationName}>
        {session.applicationName || <span className="muted">unnamed client</span>}
      </td>
      <td role="cell" className="session-client">
        {session.clientAddress}
      </td>
      <td role="cell" className="session-state">
        <span className="session-state-badge">{SESSION_STATE_LABELS[session.state]}</span>
      </td>
      <td role="cell" className="session-duration">
        <span className="session-label" aria-hidden="true">
          open{' '}
        </span>
        {formatDuration(Math.max(0, now - session.openedAt))}
      </td>
      <td role="cell" className="session-bytes-in">
        <span className="session-label" aria-hidden="true">
          sent{' '}
        </span>
        {formatBytes(session.bytesFromClient)}
      </td>
      <td role="cell" className="session-bytes-out">
        <span className="session-label" aria-hidden="true">
          received{' '}
        </span>
        {formatBytes(session.bytesToClient)}
      </td>
      <td role="cell" className="session-action">
        <button
          type="button"
          className="button button-small button-danger"
          aria-label={`Disconnect ${who} (${session.applicationName || 'unnamed client'}, ${session.clientAddress})`}
          disabled={disconnecting}
          onClick={onDisconnect}
        >
          Disconnect
        </button>
      </td>
    </tr>
  );
}
