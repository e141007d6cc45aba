import type { TrayConfigLocation } from './config-location.js';
import type { ShellUpdater } from './updates.js';

/** Files the shell loads, resolved by main.ts from its own location. */
export interface TrayAppPaths {
  /** The folder of the tray icons (assets/). */
  assetsDir: string;
  /** The window's page, a file: URL. */
  pageUrl: string;
  /** The bundled preload script, a path. */
  preloadPath: string;
}

/** What launching the tray app takes (launchTrayApp); the shell keeps it. */
export interface TrayAppOptions {
  platform: NodeJS.Platform;
  /** This run's command line (`--hidden`, Chromium switches). */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  paths: TrayAppPaths;
  /** Where the configuration lives; by default `trayConfigLocation`'s (tests give their own). */
  location?: TrayConfigLocation;
  /** The keychain service holding the API keys (default "pg-tunnel"; tests use their own). */
  keychainService?: string;
  /** Linux: where the autostart entry goes (default ~/.config/autostart; tests give their own). */
  autostartDir?: string;
  /**
   * electron-updater's autoUpdater, in a packaged app whose build has a feed (main.ts); absent,
   * the app offers no updates.
   */
  updater?: ShellUpdater;
  /** How often, in ms, dead listeners and network changes are looked for (LivenessWatch). */
  livenessIntervalMs?: number;
  /** The machine's addresses as comparable text (default from os.networkInterfaces()). */
  machineAddresses?: () => string;
}
