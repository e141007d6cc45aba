import type { ConnectionState } from '../bridge/window-bridge.js';
import './connection-banner.css';

/** Says so while the window has lost `pg-tunnel ui` and is reconnecting: what it shows may be stale. */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  return (
    <div className="connection-banner" role="status" hidden={connection !== 'reconnecting'}>
      {connection === 'reconnecting' && 'Reconnecting to PG Tunnel…'}
    </div>
  );
}
