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
  ShellTray,
  ShellWebContents,
  ShellWindow,
} from '../electron/electron-api.js';
import type { IpcCommandHandler, IpcMainLike } from '../electron/ipc-bridge.js';

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
  notifications: Array<{ title: string; body: string }>;
  ipc: FakeIpcMain;
  powerMonitor: Emitter;
  clipboard: { text: string };
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
  readonly loginSystem: LoginItemSystem = { needsApproval: false, turnedOffByUser: false };
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
  openHandler: (() => { action: 'deny' }) | undefined;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
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
  /** Where the tray icon is on screen (macOS, Windows). */
  trayBounds?: Rectangle;
}

/** A fresh stand-in for one launch of the app. */
export function fakeElectron({
  platform,
  appData = '/nonexistent/appData',
  trayBounds = { x: 1000, y: 0, width: 22, height: 24 },
}: FakeElectronOptions): FakeElectron {
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const menus: FakeMenu[] = [];
  const notifications: Array<{ title: string; body: string }> = [];
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
        super(image, platform, trayBounds);
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
    Notification: class {
      constructor(private readonly options: { title: string; body: string }) {}
      show(): void {
        notifications.push(this.options);
      }
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
  return { electron, app, windows, trays, menus, notifications, ipc, powerMonitor, clipboard };
}
