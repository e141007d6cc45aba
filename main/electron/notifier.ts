import type { ShellElectron, ShellNotification } from './electron-api.js';
import type { DesktopNotification } from './notifications.js';

/** At most this many shown notifications are kept referenced; older ones have left the screen. */
const MAX_KEPT = 20;

/** The bus name of a desktop notification server (freedesktop.org Desktop Notifications). */
export const NOTIFICATION_SERVER = 'org.freedesktop.Notifications';

export interface NotifierOptions {
  Notification: ShellElectron['Notification'];
  /**
   * Linux: whether a notification server owns NOTIFICATION_SERVER on the session bus (undefined:
   * the bus could not be asked, so it is assumed). Other platforms: undefined.
   */
  server: boolean | undefined;
  /** The user clicked a notification: open the window, at its profile when it has one. */
  onClick(profileId: string | undefined): void;
  /**
   * Notifications cannot be shown here: `notice` is to be shown in the tray menu's first line
   * and the window's notice bar instead (undefined: nothing to show any more).
   */
  onFallback(notice: DesktopNotification | undefined): void;
}

/**
 * Desktop notifications that lead somewhere. Each one shown is kept referenced until clicked or
 * closed: Electron holds none, and a notification collected by the garbage collector is still on
 * screen but its click goes nowhere (electron/electron#16922). Where none can be shown (Electron
 * says so, or a Linux desktop has no notification server, where they vanish without a word:
 * signalapp/Signal-Desktop#6314), the latest goes to the fallback instead.
 */
export class Notifier {
  /** Whether notifications reach the screen here. */
  readonly canShow: boolean;
  private readonly kept = new Set<ShellNotification>();
  private fallback: DesktopNotification | undefined;

  constructor(private readonly options: NotifierOptions) {
    this.canShow = options.Notification.isSupported() && options.server !== false;
  }

  /** Shows `notice` (its body's first line), or hands it to the fallback. */
  notify(notice: DesktopNotification): void {
    const shown = { ...notice, body: notice.body.split('\n')[0]! };
    if (!this.canShow) {
      this.fallback = shown;
      this.options.onFallback(shown);
      return;
    }
    const notification = new this.options.Notification({ title: shown.title, body: shown.body });
    notification.on('click', () => {
      this.kept.delete(notification);
      this.options.onClick(notice.profileId);
    });
    notification.on('close', () => this.kept.delete(notification));
    this.kept.add(notification);
    if (this.kept.size > MAX_KEPT) {
      this.kept.delete(this.kept.values().next().value!);
    }
    notification.show();
  }

  /** The notice the fallback shows now, if any. */
  get pending(): DesktopNotification | undefined {
    return this.fallback;
  }

  /** The user has seen the fallback's notice (opened the window from it). */
  clear(): void {
    if (this.fallback) {
      this.fallback = undefined;
      this.options.onFallback(undefined);
    }
  }
}
