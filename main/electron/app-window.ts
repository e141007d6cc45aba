import type { Rectangle, ShellElectron, ShellWindow } from './electron-api.js';
import { trayClickAction, type WindowKind } from './platform-behaviour.js';
import { BLUR_GRACE_MS, TRAY_WINDOW_SIZE, trayWindowOptions } from './tray-window.js';
import { windowPosition } from './window-position.js';

export interface AppWindowOptions {
  kind: WindowKind;
  platform: NodeJS.Platform;
  pageUrl: string;
  preloadPath: string;
  /** What Quit in a framed window's menu bar does. */
  onQuit(): void;
}

/**
 * The app's one window: made hidden, locked down (no navigation, no pop-ups), kept when closed
 * (closing hides it; only Quit quits), shown next to the tray icon when it is a popover, hidden
 * when a popover loses focus.
 */
export class AppWindow {
  /** Resolves once the page has painted: showing the window earlier would show it blank. */
  readonly pageReady: Promise<void>;
  private readonly window: ShellWindow;
  private hiddenOnBlurAt = -Infinity;
  /** Set when the app quits: then closing closes. */
  quitting = false;

  constructor(
    private readonly electron: Pick<ShellElectron, 'BrowserWindow' | 'Menu' | 'screen'>,
    private readonly options: AppWindowOptions,
  ) {
    const { kind, platform, pageUrl, preloadPath } = options;
    const window = new electron.BrowserWindow(trayWindowOptions(preloadPath, kind));
    this.window = window;
    window.webContents.on('will-navigate', (event) => event.preventDefault());
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    this.pageReady = new Promise((resolve) => window.once('ready-to-show', resolve));
    window.loadURL(pageUrl).catch((error: unknown) => {
      console.error(`The window could not load ${pageUrl}: ${String(error)}`);
    });
    if (platform === 'darwin') {
      // Open on the Space the user is on, also over a full-screen app, not on the one it was made on.
      window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    }
    if (kind === 'framed') {
      // Maybe no tray menu to quit from: the window's own menu bar holds Quit (Alt shows it).
      const quit = { label: 'Quit PG Tunnel', accelerator: 'CmdOrCtrl+Q', click: options.onQuit };
      window.setMenu(electron.Menu.buildFromTemplate([{ label: 'PG Tunnel', submenu: [quit] }]));
    } else {
      window.on('blur', () => {
        this.hiddenOnBlurAt = Date.now();
        window.hide();
      });
    }
    // Alt+F4, Cmd+W, the title bar's button: hidden, and the app and its tunnels stay.
    window.on('close', (event) => {
      if (!this.quitting) {
        event.preventDefault();
        window.hide();
      }
    });
  }

  /** Shows the window and brings it forward; a popover goes next to the tray icon first. */
  show(trayBounds: Rectangle): void {
    if (this.options.kind === 'popover') {
      const { screen } = this.electron;
      const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
      const { x, y } = windowPosition(
        trayBounds,
        TRAY_WINDOW_SIZE,
        display.workArea,
        this.options.platform,
      );
      this.window.setPosition(x, y);
    }
    this.window.show();
    this.window.focus();
  }

  /** What a left click on the tray icon does (`trayClickAction`). */
  toggle(trayBounds: Rectangle): void {
    const action = trayClickAction(
      this.options.kind,
      { visible: this.window.isVisible(), focused: this.window.isFocused() },
      Date.now() - this.hiddenOnBlurAt,
      BLUR_GRACE_MS,
    );
    if (action === 'show') {
      this.show(trayBounds);
    } else if (action === 'hide') {
      this.window.hide();
    }
  }

  isVisible(): boolean {
    return this.window.isVisible();
  }

  /** Windows: the user logs off or the system shuts down (the window's 'session-end'). */
  onSessionEnd(listener: () => void): void {
    this.window.on('session-end', listener);
  }

  /** Pushes a message to the page (a snapshot). */
  send(channel: string, payload: unknown): void {
    this.window.webContents.send(channel, payload);
  }
}
