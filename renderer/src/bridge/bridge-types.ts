import type { DesktopBridge } from '../../../shared/desktop.js';
import type { PgTunnelBridge } from '../../../shared/rpc.js';

/**
 * Whether snapshots are flowing: a browser window can lose `pg-tunnel ui` and find it again, or
 * find it restarted with a new access token ('expired'), which only the URL it printed opens.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'expired';
export type ConnectionListener = (state: ConnectionState) => void;

/**
 * The bridge a window holds: the shared contract, plus (optionally) the state of its connection.
 * Electron's preload bridge has no connection to lose and leaves the optional part out.
 */
export type WindowBridge = PgTunnelBridge & {
  connectionState?(): ConnectionState;
  onConnectionChange?(listener: ConnectionListener): () => void;
  /** The tray app's desktop side; absent in a browser (`pg-tunnel ui`). */
  desktop?: DesktopBridge;
};
