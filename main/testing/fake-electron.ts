import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { RpcReply } from '../../shared/rpc-dispatch.js';
import type {
  BrowserWindowConstructorOptions,
  MenuItemConstructorOptions,
  Rectangle,
  LoginItemInput,
  ReportedLoginItem,
  ShellApp,
  ShellElectron,
  ShellEvent,
  ShellImage,
  ShellMenu,
  ShellMessageBox,
  ShellNotification,
  ShellTray,
  ShellWebContents,
  ShellWindow,
} from '../electron/electron-api.js';
import type { IpcCommandHandler, IpcMainLike } from '../electron/ipc-bridge.js';
import type { ShellUpdater } from '../electron/updates.js';

/**
 * A recording stand-in for the `electron` module, the one boundary the tests cannot run (its
 * binary is not on every machine). It records what the shell does (windows shown, menus set,
 * notifications) and plays the user and the desktop (clicks, closing a window, blur), following
 * Electron's documented behaviour for the platform it is made for, including the defaults the
 * shell must override: a window closed for good, then 'window-all-closed' without a listener,
 * quits; on macOS a tray with a context menu set opens that menu on a left click instead of
 * emitting 'click' (https://electronjs.org/docs/api/tray).
 */
export interface FakeElectron {
  electron: ShellElectron<FakeImage>;
  app: FakeApp;
  windows: FakeWindow[];
  trays: FakeTray[];
  /** Every menu built, in order. */
  menus: FakeMenu[];
  /** Notifications the user saw. */
  notifications: Array<{ title: string; body: string }>;
  /** Notifications shown where nothing displays them (no notification server). */
  lostNotifications: Array<{ title: string; body: string }>;
  /**
   * The user clicks the `index`th notification shown (in `notifications`' order), as late as a
   * user would: after a garbage collection. A notification the shell kept no reference to is gone
   * by then and its click never arrives (electron/electron#16922): resolves false.
   */
  clickNotification(index: number): Promise<boolean>;
  ipc: FakeIpcMain;
  powerMonitor: Emitter;
  clipboard: { text: string };
  /** Message boxes shown, and the button the user will press next (by label). */
  dialogs: FakeDialogs;
  /** URLs handed to the OS (shell.openExternal) and files revealed (shell.showItemInFolder). */
  opened: { external: string[]; revealed: string[] };
  /**
   * The computer shuts down or the user logs off. Windows: each window gets 'session-end', and
   * the process is ended when its listeners return; 'before-quit' is never emitted
   * (electron/electron#9613; electronjs.org/docs/api/browser-window, event 'session-end').
   * macOS and Linux: powerMonitor 'shutdown', whose default a listener may prevent to get time to
   * quit (electronjs.org/docs/api/power-monitor, event 'shutdown'). Returns the event.
   */
  systemShutsDown(): FakeEvent;
}

/** Message boxes: what was shown, and the user's next answers, by button label. */
export class FakeDialogs {
  readonly shown: ShellMessageBox[] = [];
  /** Labels of the buttons the user presses, first answer first; Escape (cancelId) when empty. */
  readonly answers: string[] = [];
  showMessageBox(options: ShellMessageBox): Promise<{ response: number }> {
    this.shown.push(options);
    const answer = this.answers.shift();
    const index = answer === undefined ? -1 : options.buttons.indexOf(answer);
    if (answer !== undefined && index < 0) {
      throw new Error(`The dialog has no button "${answer}": ${options.buttons.join(', ')}`);
    }
    return Promise.resolve({ response: index < 0 ? (options.cancelId ?? 0) : index });
  }
}

/** Runs a full garbage collection (the flag is set once, for this test process). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

type Listener = (...args: never[]) => unknown;

/** Node-style events, enough for the shell's on/once. */
export class Emitter {
  private readonly listeners = new Map<string, Array<{ listener: Listener; once: boolean }>>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { listener, once: false }]);
    return this;
  }

  once(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { listener, once: true }]);
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Calls the listeners of `event`; false when it had none. */
  emit(event: string, ...args: unknown[]): boolean {
    const entries = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      entries.filter((entry) => !entry.once),
    );
    for (const { listener } of entries) {
      (listener as (...a: unknown[]) => unknown)(...args);
    }
    return entries.length > 0;
  }
}

/** An event a listener may cancel, as Electron passes to close, will-navigate and before-quit. */
export class FakeEvent implements ShellEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeImage implements ShellImage {
  template = false;
  constructor(readonly path: string) {}
  setTemplateImage(option: boolean): void {
    this.template = option;
  }
}

export class FakeMenu {
  constructor(readonly template: MenuItemConstructorOptions[]) {}

  /** Labels of the top level; separators as '---'. */
  labels(): string[] {
    return this.template.map((item) => (item.type === 'separator' ? '---' : (item.label ?? '')));
  }

  /** The item with this label, at any depth. */
  item(label: string, items = this.template): MenuItemConstructorOptions | undefined {
    for (const item of items) {
      const found =
        item.label === label
          ? item
          : Array.isArray(item.submenu)
            ? this.item(label, item.submenu)
            : undefined;
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  /** Clicks the item with this label, as the user would. */
  click(label: string): void {
    const item = this.item(label);
    if (!item?.click) {
      throw new Error(`The menu has no clickable item "${label}": ${this.labels().join(', ')}`);
    }
    item.click(undefined as never, undefined, undefined as never);
  }
}

/** What the system reports back, per platform, for the login item the app set. */
export interface LoginItemSystem {
  /** macOS 13+: the user has not approved the login item (System Settings › Login Items). */
  needsApproval: boolean;
  /** Windows: the user turned the app off among the startup apps. */
  turnedOffByUser: boolean;
  /**
   * macOS 13+: the build is not signed with a Developer ID (or not notarized). SMAppService then
   * reports the item it was asked to register as 'not-found' (electron/electron#45672), and
   * nothing starts at login.
   */
  unsigned: boolean;
}

export class FakeApp extends Emitter implements ShellApp {
  readonly isPackaged = false;
  readonly dock: { hide(): void } | undefined;
  dockHidden = false;
  userDataPath: string | undefined;
  appUserModelId: string | undefined;
  /** Set when app.quit() went through (before-quit not prevented). */
  quitted = false;
  exitCode: number | undefined;
  lockAvailable = true;
  loginItem: LoginItemInput | undefined;
  readonly loginSystem: LoginItemSystem = {
    needsApproval: false,
    turnedOffByUser: false,
    unsigned: false,
  };
  /** The notifications list, to tell whether the user model id was set before the first. */
  notificationsBeforeUserModelId: number | undefined;

  constructor(
    private readonly fake: Pick<FakeElectron, 'notifications'>,
    private readonly platform: NodeJS.Platform,
    private readonly appData: string,
  ) {
    super();
    this.dock = platform === 'darwin' ? { hide: () => (this.dockHidden = true) } : undefined;
  }

  getPath(): string {
    return this.appData;
  }
  getName(): string {
    return 'pg-tunnel';
  }
  getVersion(): string {
    return 'test';
  }
  getAppPath(): string {
    return '/opt/pg-tunnel';
  }
  setPath(_name: 'userData', path: string): void {
    this.userDataPath = path;
  }
  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** Electron: emits before-quit; unless a listener prevents it, the app quits. */
  quit(): void {
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) {
      this.quitted = true;
    }
  }
  /** Electron, once every window is gone: 'window-all-closed'; with no listener, the app quits. */
  allWindowsClosed(): void {
    if (!this.emit('window-all-closed')) {
      this.quit();
    }
  }
  exit(exitCode = 0): void {
    this.exitCode = exitCode;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
    this.notificationsBeforeUserModelId = this.fake.notifications.length;
  }
  setLoginItemSettings(settings: LoginItemInput): void {
    this.loginItem = settings;
  }
  getLoginItemSettings(options?: { args?: string[] }): ReportedLoginItem {
    const registered = this.loginItem?.openAtLogin ?? false;
    if (this.platform === 'darwin') {
      const status = !registered
        ? 'not-registered'
        : this.loginSystem.unsigned
          ? 'not-found'
          : this.loginSystem.needsApproval
            ? 'requires-approval'
            : 'enabled';
      return { openAtLogin: status === 'enabled', status };
    }
    // Windows matches the Run entry by its arguments too.
    const sameArgs =
      JSON.stringify(options?.args ?? []) === JSON.stringify(this.loginItem?.args ?? []);
    return {
      openAtLogin: registered && sameArgs,
      executableWillLaunchAtLogin: registered && !this.loginSystem.turnedOffByUser,
    };
  }
}

export class FakeWebContents extends Emitter implements ShellWebContents {
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  /** Called with each message sent, as the page's ipcRenderer would receive it. */
  readonly receivers = new Set<(channel: string, args: unknown[]) => void>();
  openHandler: (() => { action: 'deny' }) | undefined;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    for (const receive of this.receivers) {
      receive(channel, structuredClone(args));
    }
  }
  setWindowOpenHandler(handler: () => { action: 'deny' }): void {
    this.openHandler = handler;
  }
}

export class FakeWindow extends Emitter implements ShellWindow {
  readonly webContents = new FakeWebContents();
  url: string | undefined;
  visible = false;
  focused = false;
  destroyed = false;
  position: [number, number] | undefined;
  menu: ShellMenu | null = null;
  readonly allWorkspaces: Array<{ visible: boolean; options: unknown }> = [];

  constructor(
    readonly options: BrowserWindowConstructorOptions,
    private readonly onDestroyed: () => void,
  ) {
    super();
  }

  /** Loads the page; 'ready-to-show' follows once it has painted (here: on the next turn). */
  loadURL(url: string): Promise<void> {
    this.url = url;
    setTimeout(() => this.emit('ready-to-show'), 0);
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = this.visible;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  setPosition(x: number, y: number): void {
    this.position = [x, y];
  }
  setMenu(menu: ShellMenu | null): void {
    this.menu = menu;
  }
  setVisibleOnAllWorkspaces(visible: boolean, options?: { visibleOnFullScreen?: boolean }): void {
    this.allWorkspaces.push({ visible, options });
  }

  /** The user closes the window (Alt+F4, Cmd+W, the title bar): gone unless 'close' is prevented. */
  userClose(): FakeEvent {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.visible = false;
      this.destroyed = true;
      this.onDestroyed();
    }
    return event;
  }

  /** The window loses focus (a click elsewhere, on the tray icon included). */
  userBlur(): void {
    this.focused = false;
    this.emit('blur');
  }
}

export class FakeTray extends Emitter implements ShellTray<FakeImage> {
  contextMenu: ShellMenu | null = null;
  tooltip = '';
  /** Menus the user saw open, in order. */
  readonly shownMenus: FakeMenu[] = [];
  readonly calls = { setImage: 0, setToolTip: 0, setContextMenu: 0 };

  constructor(
    public image: FakeImage,
    private readonly platform: NodeJS.Platform,
    private readonly bounds: Rectangle,
    private readonly windows: () => FakeWindow[],
  ) {
    super();
  }

  setImage(image: FakeImage): void {
    this.calls.setImage++;
    this.image = image;
  }
  setToolTip(toolTip: string): void {
    this.calls.setToolTip++;
    this.tooltip = toolTip;
  }
  setContextMenu(menu: ShellMenu | null): void {
    this.calls.setContextMenu++;
    this.contextMenu = menu;
  }
  popUpContextMenu(menu?: ShellMenu): void {
    this.show(menu ?? this.contextMenu);
  }
  getBounds(): Rectangle {
    return this.platform === 'linux' ? { x: 0, y: 0, width: 0, height: 0 } : this.bounds;
  }

  /** A left click (Linux: the desktop's "activate"). */
  userLeftClick(): void {
    if (this.platform === 'darwin' && this.contextMenu) {
      this.show(this.contextMenu); // the menu takes the click; 'click' is not emitted
      return;
    }
    this.emit('click');
  }

  /**
   * A double click. Windows: the first press is a 'click', the second takes the focus to the
   * taskbar (the open popover blurs), then 'double-click' (Electron.NET#343; the Tray event
   * 'double-click' is macOS and Windows only, electronjs.org/docs/api/tray). Linux: the desktop's
   * "activate" twice.
   */
  userDoubleClick(): void {
    this.userLeftClick();
    if (this.platform === 'linux') {
      this.userLeftClick();
      return;
    }
    for (const window of this.windows()) {
      if (window.focused) {
        window.userBlur();
      }
    }
    this.emit('double-click');
  }

  /** A right click: the context menu where one is set, else (macOS, Windows) 'right-click'. */
  userRightClick(): void {
    if (this.contextMenu) {
      this.show(this.contextMenu);
    } else if (this.platform !== 'linux') {
      this.emit('right-click');
    }
  }

  private show(menu: ShellMenu | null): void {
    if (menu instanceof FakeMenu) {
      this.shownMenus.push(menu);
    }
  }
}

/** ipcMain, and the renderer's side of invoke: a call from a frame whose URL the test chooses. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, IpcCommandHandler>();
  handle(channel: string, listener: IpcCommandHandler): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What the page at `frameUrl` gets back for `channel`, structured-cloned as Electron does. */
  async invoke(channel: string, frameUrl: string, ...args: unknown[]): Promise<RpcReply> {
    const handler = this.handlers.get(channel);
    if (!handler) {
      throw new Error(`No handler registered for '${channel}'`);
    }
    return structuredClone(await handler({ senderFrame: { url: frameUrl } }, ...args));
  }
}

export interface FakeElectronOptions {
  platform: NodeJS.Platform;
  /** `app.getPath('appData')`. */
  appData?: string;
  /**
   * Whether something displays notifications (default true). Linux: a notification server on
   * the session bus (org.freedesktop.Notifications); without one, Electron still says
   * notifications are supported and shows them, and they vanish (signalapp/Signal-Desktop#6314).
   */
  notificationServer?: boolean;
  /** What `Notification.isSupported()` says (default true; electronjs.org/docs/api/notification). */
  notificationsSupported?: boolean;
  /** Where the tray icon is on screen (macOS, Windows). */
  trayBounds?: Rectangle;
}

/** A fresh stand-in for one launch of the app. */
export function fakeElectron({
  platform,
  appData = '/nonexistent/appData',
  trayBounds = { x: 1000, y: 0, width: 22, height: 24 },
  notificationServer = true,
  notificationsSupported = true,
}: FakeElectronOptions): FakeElectron {
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const menus: FakeMenu[] = [];
  const notifications: Array<{ title: string; body: string }> = [];
  const lostNotifications: Array<{ title: string; body: string }> = [];
  /** Electron holds no reference to a shown notification: only the shell's keeps it alive. */
  const shownNotifications: Array<WeakRef<FakeNotification>> = [];
  const dialogs = new FakeDialogs();
  const opened = { external: [] as string[], revealed: [] as string[] };
  const ipc = new FakeIpcMain();
  const powerMonitor = new Emitter();
  const clipboard = { text: '' };
  const app = new FakeApp({ notifications }, platform, appData);

  const onWindowDestroyed = (): void => {
    if (windows.every((w) => w.destroyed)) {
      app.allWindowsClosed();
    }
  };
  const electron: ShellElectron<FakeImage> = {
    app,
    BrowserWindow: class extends FakeWindow {
      constructor(options: BrowserWindowConstructorOptions) {
        super(options, onWindowDestroyed);
        windows.push(this);
      }
    },
    Tray: class extends FakeTray {
      constructor(image: FakeImage) {
        super(image, platform, trayBounds, () => windows);
        trays.push(this);
      }
    },
    Menu: {
      buildFromTemplate: (template) => {
        const menu = new FakeMenu(template);
        menus.push(menu);
        return menu;
      },
    },
    Notification: class extends FakeNotification {
      static isSupported(): boolean {
        return notificationsSupported;
      }
      show(): void {
        if (platform === 'linux' && !notificationServer) {
          lostNotifications.push(this.options);
          return;
        }
        notifications.push(this.options);
        shownNotifications.push(new WeakRef(this));
      }
    },
    dialog: { showMessageBox: (options) => dialogs.showMessageBox(options) },
    shell: {
      openExternal: (url) => {
        opened.external.push(url);
        return Promise.resolve();
      },
      showItemInFolder: (path) => {
        opened.revealed.push(path);
      },
    },
    ipcMain: ipc,
    powerMonitor,
    screen: {
      getCursorScreenPoint: () => ({ x: 1010, y: 10 }),
      getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 25, width: 1440, height: 875 } }),
    },
    nativeImage: { createFromPath: (path) => new FakeImage(path) },
    clipboard: { writeText: (text) => (clipboard.text = text) },
  };
  const clickNotification = async (index: number): Promise<boolean> => {
    // A WeakRef's target outlives the job that made it: let that end before collecting.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    const notification = shownNotifications[index]?.deref();
    notification?.emit('click');
    return notification !== undefined;
  };
  const systemShutsDown = (): FakeEvent => {
    const event = new FakeEvent();
    if (platform === 'win32') {
      for (const window of windows) {
        window.emit('session-end', event);
      }
    } else {
      powerMonitor.emit('shutdown', event);
    }
    return event;
  };
  return {
    electron,
    app,
    windows,
    trays,
    menus,
    notifications,
    lostNotifications,
    clickNotification,
    ipc,
    powerMonitor,
    clipboard,
    dialogs,
    opened,
    systemShutsDown,
  };
}

/**
 * electron-updater's autoUpdater against a feed the test fills (https://www.electron.build/auto-update):
 * checkForUpdates emits 'update-available' and, with autoDownload, 'update-downloaded' once
 * downloaded, or 'update-not-available'; quitAndInstall closes the windows, then quits the app
 * (its 'before-quit' comes after the windows closed) and runs the installer.
 */
export class FakeUpdater extends Emitter implements ShellUpdater {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  /** The newest version on the feed (undefined: nothing newer than the running app). */
  available: string | undefined;
  /** The feed cannot be reached: checks fail with this message. */
  failure: string | undefined;
  /** What quitAndInstall was called with. */
  installed: { isSilent?: boolean; isForceRunAfter?: boolean } | undefined;
  /** Called as the installer would start: the test looks at what is still open then. */
  onInstall: (() => void) | undefined;

  constructor(private readonly app: FakeApp) {
    super();
  }

  checkForUpdates(): Promise<unknown> {
    if (this.failure) {
      const error = new Error(this.failure);
      this.emit('error', error);
      return Promise.reject(error);
    }
    if (this.available === undefined) {
      this.emit('update-not-available');
      return Promise.resolve(null);
    }
    const version = this.available;
    this.emit('update-available', { version });
    if (this.autoDownload) {
      setTimeout(() => this.emit('update-downloaded', { version }), 0);
    }
    return Promise.resolve({ updateInfo: { version } });
  }

  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installed = {
      ...(isSilent === undefined ? {} : { isSilent }),
      ...(isForceRunAfter === undefined ? {} : { isForceRunAfter }),
    };
    this.onInstall?.();
    this.app.quit();
  }
}

/** A notification; 'click' when the user clicks it. */
export class FakeNotification extends Emitter implements ShellNotification {
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {}
}
