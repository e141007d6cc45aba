/**
 * The part of Electron's main-process API the tray app's shell uses, as narrow interfaces. main.ts
 * passes the real `electron` module (the compiler checks it satisfies them); the tests pass a
 * recording stand-in (main/testing/fake-electron.ts), because the Electron binary is the one
 * boundary that cannot run on every machine. Names and signatures are Electron's own
 * (https://electronjs.org/docs/api), cut down to what is called.
 */
import type {
  BrowserWindowConstructorOptions,
  LoginItemSettings,
  MenuItemConstructorOptions,
  Point,
  Rectangle,
} from 'electron';
import type { IpcMainLike } from './ipc-bridge.js';

/** Electron's own types that this surface uses, for code outside main/electron/ (the stand-in). */
export type { BrowserWindowConstructorOptions, MenuItemConstructorOptions, Rectangle };

/** An event whose default Electron behaviour a listener may cancel (close, navigate, quit). */
export interface ShellEvent {
  preventDefault(): void;
}

/**
 * A built menu. Opaque to the shell: it is made by `Menu.buildFromTemplate` and handed back to the
 * tray (set as its context menu, or popped up) or to a window.
 */
export type ShellMenu = object;

/** An icon loaded from a file. */
export interface ShellImage {
  /** macOS: draw it as a template image (black and clear, tinted by the menu bar). */
  setTemplateImage(option: boolean): void;
}

/** What the system reports about the login item (`app.getLoginItemSettings()`). */
export type ReportedLoginItem = Pick<LoginItemSettings, 'openAtLogin'> &
  Partial<Pick<LoginItemSettings, 'status' | 'executableWillLaunchAtLogin'>>;

/** What `app.setLoginItemSettings` is given. */
export interface LoginItemInput {
  openAtLogin: boolean;
  /** macOS before 13 only. */
  openAsHidden?: boolean;
  /** Windows: the arguments of the Run entry (and of the lookup in getLoginItemSettings). */
  args?: string[];
}

export interface ShellApp {
  getPath(name: 'appData'): string;
  getName(): string;
  getVersion(): string;
  getAppPath(): string;
  readonly isPackaged: boolean;
  setPath(name: 'userData', path: string): void;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  quit(): void;
  exit(exitCode?: number): void;
  /** Windows: the AppUserModelID that toasts are shown under. */
  setAppUserModelId(id: string): void;
  /** macOS only. */
  readonly dock: { hide(): void } | undefined;
  getLoginItemSettings(options?: { args?: string[] }): ReportedLoginItem;
  setLoginItemSettings(settings: LoginItemInput): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: ShellEvent) => void): unknown;
}

export interface ShellWebContents {
  send(channel: string, ...args: unknown[]): void;
  on(event: 'will-navigate', listener: (event: ShellEvent) => void): unknown;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

export interface ShellWindow {
  readonly webContents: ShellWebContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  isVisible(): boolean;
  isFocused(): boolean;
  setPosition(x: number, y: number): void;
  setMenu(menu: ShellMenu | null): void;
  setVisibleOnAllWorkspaces(visible: boolean, options?: { visibleOnFullScreen?: boolean }): void;
  on(event: 'blur', listener: () => void): unknown;
  on(event: 'close', listener: (event: ShellEvent) => void): unknown;
  /** Windows: logoff, shutdown or restart; the process ends when listeners return. */
  on(event: 'session-end', listener: (event: ShellEvent) => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface ShellTray<Image extends ShellImage> {
  /** A left click (Linux: the desktop's "activate", which some desktops give a double click). */
  on(event: 'click', listener: () => void): unknown;
  /** macOS and Windows only. */
  on(event: 'right-click', listener: () => void): unknown;
  /** macOS and Windows only; Windows emits 'click' first. */
  on(event: 'double-click', listener: () => void): unknown;
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: ShellMenu | null): void;
  /** macOS and Windows: shows `menu` at the icon now. */
  popUpContextMenu(menu?: ShellMenu): void;
  /** macOS and Windows; zeros on Linux. */
  getBounds(): Rectangle;
}

/** A shown notification: kept referenced by the shell, or its click is lost. */
export interface ShellNotification {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** What `dialog.showMessageBox` is given (Electron's MessageBoxOptions, cut down). */
export interface ShellMessageBox {
  type?: 'none' | 'info' | 'error' | 'question' | 'warning';
  title?: string;
  message: string;
  detail?: string;
  buttons: string[];
  defaultId?: number;
  /** The button Escape (or closing the box) answers. */
  cancelId?: number;
  noLink?: boolean;
}

/**
 * The `electron` module, as far as the shell uses it. `Image` is its NativeImage (a type
 * parameter because the Tray constructor takes exactly what nativeImage makes).
 */
export interface ShellElectron<Image extends ShellImage = ShellImage> {
  app: ShellApp;
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => ShellWindow;
  Tray: new (image: Image) => ShellTray<Image>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): ShellMenu };
  Notification: {
    new (options: { title: string; body: string }): ShellNotification;
    /** Whether this system can show desktop notifications at all. */
    isSupported(): boolean;
  };
  ipcMain: IpcMainLike;
  powerMonitor: {
    on(event: 'resume', listener: () => void): unknown;
    /**
     * Linux and macOS: the system is about to shut down; the event's preventDefault delays it
     * (electronjs.org/docs/api/power-monitor), though the typings declare no argument.
     */
    on(event: 'shutdown', listener: (event?: ShellEvent) => void): unknown;
  };
  dialog: { showMessageBox(options: ShellMessageBox): Promise<{ response: number }> };
  shell: {
    /** Hands a URL to the OS's handler for its scheme (postgres:// to Postico, TablePlus…). */
    openExternal(url: string): Promise<void>;
    showItemInFolder(path: string): void;
  };
  screen: {
    getCursorScreenPoint(): Point;
    getDisplayNearestPoint(point: Point): { workArea: Rectangle };
  };
  nativeImage: { createFromPath(path: string): Image };
  clipboard: { writeText(text: string): void };
}
