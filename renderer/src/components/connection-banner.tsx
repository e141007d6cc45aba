import type { ConnectionState } from '../bridge/window-bridge.js';
import './connection-banner.css';

/**
 * Says so while the window has lost `pg-tunnel ui`: what it shows may be stale. Once a restarted
 * `pg-tunnel ui` has refused this window's old token, says what opens it again.
 */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const shown = connection === 'reconnecting' || connection === 'expired';
  return (
    <div className="connection-banner" role="status" hidden={!shown}>
      {connection === 'reconnecting' && (
        <>
          <span>Reconnecting to PG Tunnel…</span>{' '}
          <span className="connection-banner__hint">
            If you restarted pg-tunnel ui, open the URL it printed.
          </span>
        </>
      )}
      {connection === 'expired' &&
        'PG Tunnel was restarted, and this window’s access ended with it. Open the URL that pg-tunnel ui printed.'}
    </div>
  );
}
