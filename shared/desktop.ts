/**
 * What the tray app's window can do beyond the RPC contract, because it runs inside the desktop
 * app: Electron's preload exposes it as `window.pgTunnel.desktop`; a browser window of
 * `pg-tunnel ui` has none, and leaves out what only the tray app has (start at login, the tray).
 */
export interface DesktopBridge {
  /** The main process asks to show a profile (a notification about it was clicked). */
  onShowProfile(listener: (profileId: string) => void): () => void;
  /** A notice the desktop could not show as a notification, for the window's notice bar. */
  onNotice(listener: (text: string) => void): () => void;
  /**
   * Hands a postgres:// URL to the program the OS opens such URLs with (Postico, TablePlus…).
   * Rejects with a sentence when the URL is not a Postgres one or no program takes it.
   */
  openExternal(url: string): Promise<void>;
}
