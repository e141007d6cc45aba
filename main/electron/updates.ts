/**
 * The part of electron-updater's `autoUpdater` the tray app uses (names and events are its own,
 * https://www.electron.build/auto-update). The feed comes from app-update.yml, which
 * electron-builder writes from the `publish` setting of electron-builder.yml.
 */
export interface ShellUpdater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  /** Closes the windows, emits 'before-quit', quits and runs the installer. */
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-available', listener: (info: { version: string }) => void): unknown;
  on(event: 'update-not-available', listener: () => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Updates are looked for this often in the background, in ms (and at launch). */
export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface UpdatesOptions {
  /** Tells the user something (a notification, or its fallback). */
  notify(notice: { title: string; body: string }): void;
  warn(message: string): void;
  /** A downloaded update is waiting: the tray menu offers to install it. */
  changed(): void;
}

/**
 * Updates as GitHub Desktop does them: checked in the background, downloaded, installed when the
 * user quits and never while a session is open (electron-updater's own install-on-quit is off:
 * the shell installs after the tunnels have closed their sessions). Signature checks are
 * electron-updater's: the download's SHA-512 from the feed always; on Windows the installer's
 * Authenticode publisher (win.verifyUpdateCodeSignature, on by default); on macOS Squirrel.Mac
 * accepts only an app signed by the same Developer ID.
 */
export class Updates {
  /** The version downloaded and waiting to be installed. */
  downloaded: string | undefined;
  private userAsked = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly updater: ShellUpdater,
    options: UpdatesOptions,
  ) {
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = false;
    updater.on('update-available', ({ version }) => {
      if (this.userAsked) {
        options.notify({
          title: `PG Tunnel ${version} is available`,
          body: 'It is downloading, and will be installed when you quit PG Tunnel.',
        });
      }
    });
    updater.on('update-not-available', () => {
      if (this.userAsked) {
        options.notify({ title: 'PG Tunnel is up to date', body: 'No newer version was found.' });
      }
    });
    updater.on('update-downloaded', ({ version }) => {
      this.downloaded = version;
      options.changed();
    });
    updater.on('error', (error) => {
      const sentence = `Could not look for updates: ${error.message.split('\n')[0]}`;
      options.warn(sentence);
      if (this.userAsked) {
        options.notify({
          title: 'PG Tunnel could not look for updates',
          body: `The update feed could not be reached (${error.message.split('\n')[0]}): check the connection and try again later.`,
        });
      }
    });
    this.timer = setInterval(() => void this.check(false), UPDATE_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** Looks for an update; `userAsked` (the menu's Check for Updates) says what is found. */
  async check(userAsked: boolean): Promise<void> {
    this.userAsked = userAsked;
    try {
      await this.updater.checkForUpdates();
    } catch {
      // Reported by the 'error' event.
    }
  }

  /**
   * At quit, after the tunnels have closed every session: installs the downloaded update (the
   * app quits into the installer, which does not restart it). Returns false when there is none.
   */
  installAtQuit(): boolean {
    clearInterval(this.timer);
    if (this.downloaded === undefined) {
      return false;
    }
    this.updater.quitAndInstall(true, false);
    return true;
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
