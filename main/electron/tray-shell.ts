import { join } from 'node:path';
import { connectionDetails, identityOf } from '../../shared/connection-details.js';
import type { AppSnapshot, RpcClient } from '../../shared/rpc.js';
import type { AppCore } from '../service/app-core.js';
import { composeAppCore } from '../service/compose.js';
import { moveLegacyConfig, type TrayConfigLocation } from './config-location.js';
import { CoreStart, type StartState } from './core-start.js';
import { AppWindow } from './app-window.js';
import type { ShellElectron, ShellImage, ShellMenu, ShellTray } from './electron-api.js';
import { registerIpcHandlers } from './ipc-bridge.js';
import { eventChannel } from './ipc-channels.js';
import { applyStartAtLogin, HIDDEN_FLAG, loginCommand } from './login-items.js';
import { toMenuTemplate } from './menu-template.js';
import { notificationsFor, type DesktopNotification } from './notifications.js';
import {
  isWaylandSession,
  showsWindowAtLaunch,
  trayMenuMode,
  trayShown,
  windowKind,
  type WindowKind,
} from './platform-behaviour.js';
import type { TrayAppOptions } from './tray-app.js';
import { STATUS_NOTIFIER_WATCHER, sessionBusHasOwner } from './tray-host.js';
import { trayLook, trayLookChanges, type CoreStatus, type TrayLook } from './tray-look.js';
import type { MenuAction } from './tray-menu.js';
import { isAppPage } from './tray-window.js';
import { recordLoginItem, windowCommands, type LoginItemOptions } from './window-commands.js';

/** Tunnels get this long to close their sessions when the app quits. */
const QUIT_TIMEOUT_MS = 5_000;

/**
 * The tray app after Electron is ready: tray icon, window and IPC bridge first, then the core
 * (through `CoreStart`), wired together. Platform behaviour follows the pure decisions of
 * platform-behaviour.ts; everything else is the core's, reached through its commands, snapshots
 * and launch policy.
 */
export class TrayShell<Image extends ShellImage> {
  readonly start: CoreStart<AppCore>;
  private readonly window: AppWindow;
  private readonly tray: ShellTray<Image>;
  private readonly commands: RpcClient;
  private readonly login: LoginItemOptions;
  private look: TrayLook | undefined;
  /** The menu built from `look`, which macOS and Windows pop up on right click. */
  private menu: ShellMenu | undefined;
  private previous: AppSnapshot | undefined;
  private unsubscribe: (() => void) | undefined;

  /** Makes the tray icon and the window, then starts the core; resolves when that has settled. */
  static async open<Image extends ShellImage>(
    electron: ShellElectron<Image>,
    options: TrayAppOptions & { location: TrayConfigLocation },
  ): Promise<TrayShell<Image>> {
    const { platform, env, argv } = options;
    const watcher =
      platform === 'linux' ? await sessionBusHasOwner(STATUS_NOTIFIER_WATCHER, env) : undefined;
    const hasTray = trayShown(platform, watcher, env);
    const kind = windowKind(platform, { wayland: isWaylandSession(env, argv), trayShown: hasTray });
    const shell = new TrayShell(electron, options, kind);
    await shell.start.start();
    if (shell.start.current.phase === 'running') {
      const core = shell.start.current.core;
      const launchedHidden = argv.includes(HIDDEN_FLAG);
      if (showsWindowAtLaunch(core.opensWindowAtLaunch(launchedHidden), hasTray)) {
        void shell.window.pageReady.then(() => shell.showWindow());
      }
    }
    return shell;
  }

  private constructor(
    private readonly electron: ShellElectron<Image>,
    private readonly options: TrayAppOptions & { location: TrayConfigLocation },
    kind: WindowKind,
  ) {
    const { app, Tray, ipcMain, powerMonitor } = electron;
    const { platform, paths, location } = options;

    this.window = new AppWindow(electron, {
      kind,
      platform,
      pageUrl: paths.pageUrl,
      preloadPath: paths.preloadPath,
      onQuit: () => app.quit(),
    });

    this.tray = new Tray(this.icon(trayLook({ phase: 'starting' }, platform).icon));
    this.tray.on('click', () => this.window.toggle(this.tray.getBounds()));
    if (trayMenuMode(platform) === 'pop-up-on-right-click') {
      this.tray.on('right-click', () => this.tray.popUpContextMenu(this.menu));
    }

    const command = loginCommand({
      appImage: options.env['APPIMAGE'],
      execPath: process.execPath,
      appPath: app.getAppPath(),
      isPackaged: app.isPackaged,
      argv: options.argv,
    });
    this.login = (hidden) => ({
      platform,
      app,
      command,
      hidden,
      ...(options.autostartDir ? { autostartDir: options.autostartDir } : {}),
    });
    this.start = new CoreStart(
      async () => {
        for (const line of await moveLegacyConfig(location)) {
          console.info(line);
        }
        return composeAppCore({
          configDir: location.configDir,
          version: app.getVersion(),
          shell: 'the tray app',
          ...(options.keychainService ? { keychainService: options.keychainService } : {}),
        });
      },
      (state) => this.onStartChange(state),
    );
    this.commands = windowCommands(this.start, this.login);
    const unregister = registerIpcHandlers(ipcMain, this.commands, (url) =>
      isAppPage(url, paths.pageUrl, platform),
    );

    // A second launch (the only way back to a window without a tray icon) shows this one's
    // window, and retries a core that failed to start.
    app.on('second-instance', () => {
      if (this.start.current.phase === 'failed') {
        void this.start.start();
      }
      this.showWindow();
    });
    powerMonitor.on('resume', () => {
      if (this.start.current.phase === 'running') {
        this.start.current.core
          .onResume()
          .catch((error: unknown) =>
            console.warn(`Could not restart tunnels after sleep: ${String(error)}`),
          );
      }
    });
    app.on('before-quit', (event) => {
      if (this.window.quitting) {
        return;
      }
      this.window.quitting = true;
      event.preventDefault();
      unregister();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)));
      const stopped = this.start.settled().then((core) => core?.dispose());
      void Promise.race([stopped, timeout]).finally(() => {
        clearTimeout(timer);
        app.exit(0);
      });
    });
  }

  /** Shows the window and brings it forward. */
  showWindow(): void {
    this.window.show(this.tray.getBounds());
    const state = this.start.current;
    if (state.phase === 'running') {
      // The switch follows the system: an approval given in System Settings meanwhile, say.
      void recordLoginItem(
        state.core,
        this.login(state.core.snapshot().settings.startHidden),
      ).catch((error: unknown) => console.warn(`Could not read the login item: ${String(error)}`));
    }
  }

  private onStartChange(state: StartState<AppCore>): void {
    switch (state.phase) {
      case 'starting':
        this.paint({ phase: 'starting' });
        return;
      case 'failed': {
        this.paint(state);
        // The window shows the sentence and Retry; the notification is for when it is not open.
        if (!this.window.isVisible()) {
          this.notify({ title: 'PG Tunnel could not start', body: state.message });
        }
        void this.window.pageReady.then(() => this.showWindow());
        return;
      }
      case 'running':
        this.onCoreRunning(state.core);
        return;
    }
  }

  private onCoreRunning(core: AppCore): void {
    this.unsubscribe?.();
    this.unsubscribe = core.subscribe((snapshot) => this.render(snapshot));
    this.render(core.snapshot());
    void this.checkLoginItem(core).catch((error: unknown) =>
      console.warn(`Could not check start at login: ${String(error)}`),
    );
    void core.startUp();
  }

  /**
   * At the core's start: the switch takes what the system reports, and the user hears why a login
   * item they asked for will not start. On Linux an existing entry is rewritten, so that it
   * launches this copy of the app (an AppImage moved since, say).
   */
  private async checkLoginItem(core: AppCore): Promise<void> {
    const wanted = core.snapshot().settings;
    const options = this.login(wanted.startHidden);
    const report = await recordLoginItem(core, options);
    if (report.enabled && this.options.platform === 'linux') {
      await applyStartAtLogin(true, options);
    }
    if (wanted.startAtLogin && report.problem) {
      this.notify({ title: 'PG Tunnel will not start at login', body: report.problem });
    }
  }

  private render(snapshot: AppSnapshot): void {
    this.window.send(eventChannel('snapshot'), snapshot);
    this.paint({ phase: 'running', snapshot });
    for (const notification of notificationsFor(this.previous, snapshot)) {
      this.notify(notification);
    }
    this.previous = snapshot;
  }

  /** Sets the parts of the tray whose look changed, and only those. */
  private paint(status: CoreStatus): void {
    const look = trayLook(status, this.options.platform);
    const changes = trayLookChanges(this.look, look);
    this.look = look;
    if (changes.icon) {
      this.tray.setImage(this.icon(look.icon));
    }
    if (changes.tooltip) {
      this.tray.setToolTip(look.tooltip);
    }
    if (changes.menu) {
      this.menu = this.electron.Menu.buildFromTemplate(
        toMenuTemplate(look.menu, (action) => this.onMenuAction(action)),
      );
      if (trayMenuMode(this.options.platform) === 'context-menu') {
        this.tray.setContextMenu(this.menu);
      }
    }
  }

  private onMenuAction(action: MenuAction): void {
    this.handleMenuAction(action).catch((error: unknown) => {
      // A menu has nowhere to show a failure: a notification says it.
      this.notify({
        title: 'PG Tunnel',
        body: error instanceof Error ? error.message : String(error),
      });
    });
  }

  private async handleMenuAction(action: MenuAction): Promise<void> {
    switch (action.kind) {
      case 'start-tunnel':
        await this.commands.startTunnel(action.profileId);
        return;
      case 'stop-tunnel':
        await this.commands.stopTunnel(action.profileId);
        return;
      case 'copy-url': {
        const snapshot = await this.commands.getSnapshot();
        const state = snapshot.tunnels[action.profileId];
        const profile = snapshot.profiles.find((p) => p.id === action.profileId);
        if (profile && state?.host && state.port) {
          this.electron.clipboard.writeText(
            connectionDetails(state.host, state.port, profile.name, identityOf(profile)).url,
          );
        }
        return;
      }
      case 'open-window':
        this.showWindow();
        return;
      case 'toggle-start-at-login': {
        const { settings } = await this.commands.getSnapshot();
        await this.commands.updateSettings({ startAtLogin: !settings.startAtLogin });
        return;
      }
      case 'retry-start':
        await this.start.start();
        return;
      case 'quit':
        this.electron.app.quit();
        return;
    }
  }

  private notify({ title, body }: DesktopNotification): void {
    // The first line only: commands that may follow it are for the window.
    new this.electron.Notification({ title, body: body.split('\n')[0]! }).show();
  }

  private icon(file: string): Image {
    const image = this.electron.nativeImage.createFromPath(
      join(this.options.paths.assetsDir, file),
    );
    image.setTemplateImage(file.includes('Template'));
    return image;
  }
}
