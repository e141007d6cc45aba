import { setLinuxAutostart } from './autostart-linux.js';

/** The part of Electron's `app` that login items need. */
export interface LoginItemApp {
  setLoginItemSettings(settings: {
    openAtLogin: boolean;
    openAsHidden?: boolean;
    args?: string[];
  }): void;
}

/** Command-line flag that opens the app without its window (started at login). */
export const HIDDEN_FLAG = '--hidden';

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** How to launch the app: the executable (the AppImage when packaged as one) and its arguments. */
  command: string[];
  /** Start without showing the window. */
  hidden: boolean;
  /** Linux: where autostart entries go (tests pass a temporary directory). */
  autostartDir?: string;
}

/** macOS and Windows through the OS login items; Linux through an XDG autostart entry. */
export async function applyStartAtLogin(
  enabled: boolean,
  options: StartAtLoginOptions,
): Promise<void> {
  const { platform, app, command, hidden } = options;
  switch (platform) {
    case 'darwin':
      app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: hidden });
      return;
    case 'win32':
      app.setLoginItemSettings({ openAtLogin: enabled, args: hidden ? [HIDDEN_FLAG] : [] });
      return;
    default:
      await setLinuxAutostart(
        enabled,
        hidden ? [...command, HIDDEN_FLAG] : command,
        options.autostartDir,
      );
  }
}
