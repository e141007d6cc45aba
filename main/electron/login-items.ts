import { readAutostartEntry, setLinuxAutostart, autostartEntryEnabled } from './autostart-linux.js';
import type { ReportedLoginItem, ShellApp } from './electron-api.js';

/** The part of Electron's `app` that login items need. */
export type LoginItemApp = Pick<ShellApp, 'getLoginItemSettings' | 'setLoginItemSettings'>;

/** Command-line flag that opens the app without its window (started at login). */
export const HIDDEN_FLAG = '--hidden';

/** Chromium's switch that turns its sandbox off (see `loginCommand`). */
const NO_SANDBOX_FLAG = '--no-sandbox';

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** How to launch the app (`loginCommand`): the executable and its arguments. */
  command: string[];
  /** Start without showing the window. */
  hidden: boolean;
  /** Linux: where autostart entries go (tests pass a temporary directory). */
  autostartDir?: string;
}

/** What the system says about starting at login: the state the switch shows. */
export interface LoginItemReport {
  /** PG Tunnel will start at the next login. */
  enabled: boolean;
  /** Why it will not although it was asked to, as a sentence saying what to do. */
  problem?: string;
}

const MAC_NEEDS_APPROVAL =
  'macOS has not yet allowed PG Tunnel to open at login: allow it in System Settings › General › Login Items, and the switch turns on.';
const MAC_NOT_FOUND =
  'macOS did not accept PG Tunnel as a login item, which it does only for builds signed with a Developer ID and notarized: install a signed build, or add PG Tunnel yourself with + in System Settings › General › Login Items.';
const WINDOWS_TURNED_OFF =
  'Windows has PG Tunnel turned off among its startup apps: turn it on in Settings › Apps › Startup (or the Startup tab of Task Manager).';

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
      app.setLoginItemSettings({ openAtLogin: enabled, args: windowsArgs(hidden) });
      return;
    default:
      await setLinuxAutostart(
        enabled,
        hidden ? [...command, HIDDEN_FLAG] : command,
        options.autostartDir,
      );
  }
}

/**
 * Reads back what the system will do at login: `app.getLoginItemSettings()` on macOS and Windows
 * (the same `args` as applyStartAtLogin, which Windows matches entries by), the autostart entry
 * on Linux.
 */
export async function readStartAtLogin(options: StartAtLoginOptions): Promise<LoginItemReport> {
  const { platform, app, hidden } = options;
  if (platform === 'darwin' || platform === 'win32') {
    const args = platform === 'win32' ? { args: windowsArgs(hidden) } : undefined;
    return loginItemReport(platform, app.getLoginItemSettings(args));
  }
  const entry = await readAutostartEntry(options.autostartDir);
  return { enabled: entry !== undefined && autostartEntryEnabled(entry) };
}

/**
 * The switch's state from what macOS or Windows reports. macOS 13 and later (SMAppService) give a
 * `status`: 'requires-approval' means registered but held until the user allows it in System
 * Settings, so nothing starts yet. 'not-found' comes back for an item just registered by a build
 * that is not signed and notarized (electron/electron#45672): macOS refused it, and the user needs
 * a sentence saying so. 'not-registered' is the plain "off". Windows gives
 * `executableWillLaunchAtLogin` false when the entry exists but the user turned it off among the
 * startup apps. Earlier macOS: `openAtLogin`.
 * (Electron: app.getLoginItemSettings.)
 */
export function loginItemReport(
  platform: 'darwin' | 'win32',
  reported: ReportedLoginItem,
): LoginItemReport {
  if (platform === 'darwin') {
    switch (reported.status) {
      case 'requires-approval':
        return { enabled: false, problem: MAC_NEEDS_APPROVAL };
      case 'enabled':
        return { enabled: true };
      case 'not-found':
        return { enabled: false, problem: MAC_NOT_FOUND };
      case 'not-registered':
        return { enabled: false };
      default:
        return { enabled: reported.openAtLogin };
    }
  }
  if (reported.openAtLogin && reported.executableWillLaunchAtLogin === false) {
    return { enabled: false, problem: WINDOWS_TURNED_OFF };
  }
  return { enabled: reported.openAtLogin };
}

export interface LaunchFacts {
  /** $APPIMAGE: the AppImage file this run came from, when it did. */
  appImage: string | undefined;
  /** process.execPath (inside the AppImage's temporary mount when run from one). */
  execPath: string;
  /** app.getAppPath(): the app's folder, which an unpackaged Electron needs as its argument. */
  appPath: string;
  isPackaged: boolean;
  /** This run's command line. */
  argv: readonly string[];
}

/**
 * How the desktop relaunches the app at login (Linux; macOS and Windows relaunch the executable
 * themselves): the AppImage file when run from one, since the executable inside vanishes with its
 * mount; the executable; or, from the source tree, Electron with the app's folder.
 *
 * `--no-sandbox` is carried over when this run has it. An AppImage cannot hold Chromium's setuid
 * sandbox helper, and Ubuntu 24.04+ forbids the unprivileged user namespaces Chromium uses instead,
 * so there an AppImage starts only with --no-sandbox (electron/electron#42510); an entry without it
 * would fail at every login without a word. The app never adds the flag itself.
 */
export function loginCommand(facts: LaunchFacts): string[] {
  const launcher = facts.appImage
    ? [facts.appImage]
    : facts.isPackaged
      ? [facts.execPath]
      : [facts.execPath, facts.appPath];
  return facts.argv.includes(NO_SANDBOX_FLAG) ? [...launcher, NO_SANDBOX_FLAG] : launcher;
}

function windowsArgs(hidden: boolean): string[] {
  return hidden ? [HIDDEN_FLAG] : [];
}
