import type { DesktopBridge } from '../../../shared/desktop.js';
import type { PgTunnelBridge } from '../../../shared/rpc.js';
import { createHttpBridge } from './http-bridge.js';

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

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    pgTunnel?: PgTunnelBridge & { desktop?: DesktopBridge };
  }
}

/** Electron's bridge when the preload set one, else one over HTTP to the control server. */
export function pickBridge(win: Window): WindowBridge {
  return win.pgTunnel ?? createHttpBridge({ origin: win.location.origin });
}

/**
 * The access token arrives as ?token= on the first load, and the server trades it for an HttpOnly
 * cookie in that same response: the address bar need not show it (nor history keep it) any longer.
 */
export function forgetTokenInAddressBar(win: Window): void {
  const url = new URL(win.location.href);
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
}
