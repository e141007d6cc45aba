import { join } from 'node:path';
import type { AppSnapshot, RpcClient } from '../../shared/rpc.js';
import type { AppCore } from '../service/app-core.js';
import { composeAppCore } from '../service/compose.js';
import { moveLegacyConfig, type TrayConfigLocation } from './config-location.js';
import { CoreStart, type StartState } from './core-start.js';
import { AppWindow } from './app-window.js';
import type { ShellElectron, ShellImage, ShellMenu, ShellTray } from './electron-api.js';
import { registerIpcHandlers } from './ipc-bridge.js';
import { eventChannel, NOTICE_CHANNEL, SHOW_PROFILE_CHANNEL } from './ipc-channels.js';
import { LivenessWatch } from './liveness-watch.js';
import { registerOpenExternal } from './open-external.js';
import { ShellLog } from './shell-log.js';
import { isTunnelAction, runTunnelAction } from './tunnel-actions.js';
import { TunnelLogMirror } from './tunnel-log-mirror.js';
import { Updates } from './updates.js';
import { NOTIFICATION_SERVER, Notifier } from './notifier.js';
import { QuitFlow } from './quit-flow.js';
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
import type { TrayAppOptions } from './tray-app-options.js';
import { STATUS_NOTIFIER_WATCHER, sessionBusHasOwner, sessionBusProvides } from './tray-host.js';
import { trayLook, trayLookChanges, type CoreStatus, type TrayLook } from './tray-look.js';
import type { MenuAction } from './tray-menu.js';
import { isAppPage } from './tray-window.js';
import { recordLoginItem, windowCommands, type LoginItemOptions } from './window-commands.js';

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
  private readonly notifier: Notifier;
  /** The log file "Reveal Logs" shows (config dir/logs). */
  readonly log: ShellLog;
  private readonly updates: Updates | undefined;
  private readonly logMirror: TunnelLogMirror;
  private readonly liveness: LivenessWatch;
  private readonly quitFlow: QuitFlow;

  /** Makes the tray icon and the window, then starts the core; resolves when that has settled. */
  static async open<Image extends ShellImage>(
    electron: ShellElectron<Image>,
    options: TrayAppOptions & { location: TrayConfigLocation },
  ): Promise<TrayShell<Image>> {
    const { platform, env, argv } = options;
    const [watcher, notificationServer] =
      platform === 'linux'
        ? await Promise.all([
            sessionBusHasOwner(STATUS_NOTIFIER_WATCHER, env),
            sessionBusProvides(NOTIFICATION_SERVER, env),
          ])
        : [undefined, undefined];
    const hasTray = trayShown(platform, watcher, env);
    const kind = windowKind(platform, { wayland: isWaylandSession(env, argv), trayShown: hasTray });
    const shell = new TrayShell(electron, options, kind, notificationServer);
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
    notificationServer: boolean | undefined,
  ) {
    const { app, Tray, ipcMain, powerMonitor } = electron;
    const { platform, paths, location } = options;
    this.log = new ShellLog(join(location.configDir, 'logs'));
    this.log.info(`PG Tunnel ${app.getVersion()} started on ${platform}`);
    this.notifier = new Notifier({
      Notification: electron.Notification,
      server: notificationServer,
      onClick: (profileId) => this.showWindow(profileId),
      onFallback: (notice) => {
        this.repaint();
        if (notice) {
          this.window.send(NOTICE_CHANNEL, `${notice.title}: ${notice.body}`);
        }
      },
    });

    this.window = new AppWindow(electron, {
      kind,
      platform,
      pageUrl: paths.pageUrl,
      preloadPath: paths.preloadPath,
      onQuit: () => app.quit(),
    });

    this.updates =
      options.updater &&
      new Updates(options.updater, {
        notify: (notice) => this.notify(notice),
        warn: (message) => this.log.warn(message),
        changed: () => this.repaint(),
      });

    this.tray = new Tray(this.icon(trayLook({ phase: 'starting' }, platform).icon));
    this.tray.on('click', () => this.window.toggle(this.tray.getBounds()));
    // Windows sends a double click as 'click' then 'double-click', and the second press has
    // moved the focus to the taskbar, hiding the popover just shown (Electron.NET#343): a
    // double click always ends with the window open.
    this.tray.on('double-click', () => this.showWindow());
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
          this.log.info(line);
        }
        return composeAppCore({
          configDir: location.configDir,
          version: app.getVersion(),
          shell: 'the tray app',
          platform,
          keychainOwner: 'tray-app',
          ...(options.keychainService ? { keychainService: options.keychainService } : {}),
        });
      },
      (state) => this.onStartChange(state),
    );
    this.commands = windowCommands(this.start, this.login);
    this.logMirror = new TunnelLogMirror(this.log, this.commands);
    const isTrusted = (url: string): boolean => isAppPage(url, paths.pageUrl, platform);
    const unregisterCommands = registerIpcHandlers(ipcMain, this.commands, isTrusted);
    const unregisterOpen = registerOpenExternal(ipcMain, electron.shell, isTrusted);
    const unregister = (): void => {
      unregisterCommands();
      unregisterOpen();
    };

    // A second launch (the only way back to a window without a tray icon) shows this one's
    // window, and retries a core that failed to start.
    app.on('second-instance', () => {
      if (this.start.current.phase === 'failed') {
        void this.start.start();
      }
      this.showWindow();
    });
    const revive = (): Promise<unknown> =>
      this.start.current.phase === 'running'
        ? this.start.current.core.onResume()
        : Promise.resolve();
    powerMonitor.on('resume', () => {
      revive().catch((error: unknown) =>
        this.log.warn(`Could not restart tunnels after sleep: ${String(error)}`),
      );
    });
    this.liveness = new LivenessWatch({
      reviveListeners: revive,
      networkChanged: () => {
        if (this.start.current.phase === 'running') {
          this.start.current.core.onNetworkChange();
        }
      },
      warn: (message) => this.log.warn(message),
      ...(options.livenessIntervalMs ? { intervalMs: options.livenessIntervalMs } : {}),
      ...(options.machineAddresses ? { addresses: options.machineAddresses } : {}),
    });
    app.on('before-quit', (event) => {
      if (this.window.quitting) {
        return;
      }
      event.preventDefault();
      void this.quit();
    });
    this.quitFlow = new QuitFlow({
      electron,
      start: this.start,
      updates: this.updates,
      leaving: () => {
        this.window.quitting = true;
        this.liveness.dispose();
        unregister();
      },
    });
    // Logoff, restart or shutdown: no question can be asked, and on Windows 'before-quit' never
    // comes (electron/electron#9613): sessions are closed with a FATAL each and the playground's
    // Postgres is stopped cleanly, in the time the system gives.
    this.window.onSessionEnd(() => void this.quitFlow.exit('disconnect', true));
    powerMonitor.on('shutdown', (event) => {
      event?.preventDefault(); // macOS and Linux wait while the app quits
      void this.quitFlow.exit('disconnect', true);
    });
  }

  /** Quit from the menu, the window or the system's Quit: asks first when sessions are open. */
  quit(): Promise<void> {
    return this.quitFlow.quit();
  }

  /** Shows the window and brings it forward; at `profileId`'s page when given. */
  showWindow(profileId?: string): void {
    this.window.show(this.tray.getBounds());
    this.notifier.clear();
    if (profileId) {
      this.window.send(SHOW_PROFILE_CHANNEL, profileId);
    }
    const state = this.start.current;
    if (state.phase === 'running') {
      // The switch follows the system: an approval given in System Settings meanwhile, say.
      void recordLoginItem(
        state.core,
        this.login(state.core.snapshot().settings.startHidden),
      ).catch((error: unknown) => this.log.warn(`Could not read the login item: ${String(error)}`));
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
      this.log.warn(`Could not check start at login: ${String(error)}`),
    );
    void core.startUp();
    void this.updates?.check(false);
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
    void this.logMirror
      .write(snapshot)
      .catch((error: unknown) => this.log.warn(`Could not read a tunnel's log: ${String(error)}`));
    this.paint({ phase: 'running', snapshot });
    for (const notification of notificationsFor(this.previous, snapshot)) {
      this.notify(notification);
    }
    this.previous = snapshot;
  }

  /** Paints the tray again for the current state (the notice changed). */
  private repaint(): void {
    const state = this.start.current;
    this.paint(
      state.phase === 'running' ? { phase: 'running', snapshot: state.core.snapshot() } : state,
    );
  }

  /** Sets the parts of the tray whose look changed, and only those. */
  private paint(status: CoreStatus): void {
    const look = trayLook(status, this.options.platform, {
      notice: this.notifier.pending,
      updates: this.updates !== undefined,
      updateReady: this.updates?.downloaded,
    });
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
      this.log.error(`${action.kind}: ${error instanceof Error ? error.message : String(error)}`);
      // A menu has nowhere to show a failure: a notification says it.
      this.notify({
        title: 'PG Tunnel',
        body: error instanceof Error ? error.message : String(error),
      });
    });
  }

  private async handleMenuAction(action: MenuAction): Promise<void> {
    if (isTunnelAction(action)) {
      await runTunnelAction(action, {
        commands: this.commands,
        electron: this.electron,
        platform: this.options.platform,
        env: this.options.env,
      });
      return;
    }
    switch (action.kind) {
      case 'check-updates':
        await this.updates?.check(true);
        return;
      case 'reveal-logs':
        this.electron.shell.showItemInFolder(this.log.file);
        return;
      case 'open-window':
        this.showWindow(action.profileId);
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
        await this.quit();
        return;
    }
  }

  private notify(notification: DesktopNotification): void {
    this.notifier.notify(notification);
  }

  private icon(file: string): Image {
    const image = this.electron.nativeImage.createFromPath(
      join(this.options.paths.assetsDir, file),
    );
    image.setTemplateImage(file.includes('Template'));
    return image;
  }
}
