import { trayConfigLocation } from './config-location.js';
import { APP_USER_MODEL_ID } from './app-id.js';
import type { ShellElectron, ShellImage } from './electron-api.js';
import { TrayShell } from './tray-shell.js';
import type { TrayAppOptions } from './tray-app-options.js';

export type { TrayAppOptions, TrayAppPaths } from './tray-app-options.js';

/** A launched tray app. */
export interface TrayApp<Image extends ShellImage> {
  /**
   * Resolves once the tray icon and window exist, the core's first start has settled (running,
   * or failed and explained in the window), and the window was shown if launch shows it.
   */
  launched: Promise<TrayShell<Image> | undefined>;
}

/**
 * Launches the tray app on `electron` (the real module in main.ts, a recording stand-in in the
 * tests). What must happen before Electron's ready event (the configuration directory as
 * userData, the single-instance lock, the Windows AppUserModelID) happens synchronously here;
 * then the tray icon and the window come up before the core, so the app is never running with
 * nothing visible, whatever the core's start does.
 *
 * @returns undefined when another instance holds the lock: this one quits, and the other shows
 *   its window (its 'second-instance' handler).
 */
export function launchTrayApp<Image extends ShellImage>(
  electron: ShellElectron<Image>,
  options: TrayAppOptions,
): TrayApp<Image> | undefined {
  const { app } = electron;
  const { platform, env } = options;
  const location =
    options.location ??
    trayConfigLocation({ appData: app.getPath('appData'), appName: app.getName(), env, platform });
  // One configuration for the tray app, `pg-tunnel ui` and `pg-tunnel playground`. Set before
  // anything reads userData: the single-instance lock lives there too.
  app.setPath('userData', location.configDir);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  if (platform === 'win32') {
    // Before any notification: Windows shows toasts only under the installer's AppUserModelID.
    app.setAppUserModelId(APP_USER_MODEL_ID);
  }
  app.dock?.hide(); // a tray app: no Dock icon (packaged builds also set LSUIElement)
  // Closing the window hides it (tray-shell.ts); should every window still be gone, Electron's
  // default for this event would quit and cut every tunnel. Only Quit quits.
  app.on('window-all-closed', () => undefined);
  const launched = app
    .whenReady()
    .then(() => TrayShell.open(electron, { ...options, location }))
    .catch((error: unknown) => {
      // The tray or the window themselves could not be made: nothing could show this, and an
      // invisible instance would keep the lock, so say it where it can be read and leave.
      console.error(`PG Tunnel could not open its tray icon or window: ${String(error)}`);
      app.exit(1);
      return undefined;
    });
  return { launched };
}
