import type { DesktopBridge } from '../../../shared/desktop.js';
import type { PgTunnelBridge } from '../../../shared/rpc.js';
import type { WindowBridge } from './bridge-types.js';
import { createHttpBridge } from './http-bridge.js';

export type { ConnectionListener, ConnectionState, WindowBridge } from './bridge-types.js';

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
