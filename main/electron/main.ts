/**
 * The tray app's shell: gets the core from the one composition root (`composeAppCore`, as
 * `pg-tunnel ui` and `pg-tunnel playground` do, on the same configuration directory), builds the
 * tray, the window and the IPC bridge, and wires desktop events to the core's commands. Everything
 * with logic lives in the core or in the pure modules beside this file; this one only connects.
 */
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  screen,
  Tray,
} from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { connectionDetails } from '../../shared/connection-details.js';
import type { AppSnapshot } from '../../shared/rpc.js';
import type { AppCore } from '../service/app-core.js';
import { composeAppCore } from '../service/compose.js';
import { moveLegacyConfig, trayConfigLocation } from './config-location.js';
import { SNAPSHOT_CHANNEL } from './ipc-channels.js';
import { registerIpcHandlers } from './ipc-bridge.js';
import { applyStartAtLogin, HIDDEN_FLAG } from './login-items.js';
import { toMenuTemplate } from './menu-template.js';
import { notificationsFor } from './notifications.js';
import { buildTrayMenu, type MenuAction } from './tray-menu.js';
import { trayIconFile, trayIconState, trayTooltip } from './tray-status.js';
import { BLUR_GRACE_MS, isAppPage, TRAY_WINDOW_SIZE, trayWindowOptions } from './tray-window.js';
import { windowPosition } from './window-position.js';

/** Tunnels get this long to close their sessions when the app quits. */
const QUIT_TIMEOUT_MS = 5_000;
const ASSETS_DIR = fileURLToPath(new URL('../../../assets/', import.meta.url));
const PAGE_URL = new URL('../../renderer/index.html', import.meta.url).href;
const PRELOAD_PATH = fileURLToPath(new URL('./preload.cjs', import.meta.url));

// One configuration for the tray app, `pg-tunnel ui` and `pg-tunnel playground`. Set before
// anything reads userData: the single-instance lock below lives there too.
const location = trayConfigLocation({ appData: app.getPath('appData'), appName: app.getName() });
app.setPath('userData', location.configDir);

if (!app.requestSingleInstanceLock()) {
  app.quit(); // a second launch: the first instance shows its window instead
} else {
  app.dock?.hide(); // a tray app: no Dock icon (packaged builds also set LSUIElement)
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  for (const line of await moveLegacyConfig(location)) {
    console.info(line);
  }
  let core: AppCore;
  try {
    core = await composeAppCore({ configDir: location.configDir, version: app.getVersion() });
  } catch (error) {
    dialog.showErrorBox('PG Tunnel cannot start', (error as Error).message);
    app.exit(1);
    return;
  }

  const window = new BrowserWindow(trayWindowOptions(PRELOAD_PATH));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void window.loadURL(PAGE_URL);

  const tray = new Tray(icon(trayIconFile('idle', process.platform)));
  let hiddenAt = 0;
  const showWindow = (): void => {
    const { width, height } = TRAY_WINDOW_SIZE;
    const trayBounds = tray.getBounds();
    const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
    window.setPosition(
      ...toPair(windowPosition(trayBounds, { width, height }, display.workArea, process.platform)),
    );
    window.show();
    window.focus();
  };
  window.on('blur', () => {
    hiddenAt = Date.now();
    window.hide();
  });
  tray.on('click', () => {
    if (window.isVisible()) {
      window.hide();
    } else if (Date.now() - hiddenAt > BLUR_GRACE_MS) {
      showWindow();
    }
  });
  app.on('second-instance', showWindow);

  const unregister = registerIpcHandlers(ipcMain, core.commands, (url) => isAppPage(url, PAGE_URL));

  // How the desktop relaunches us at login: the AppImage itself when packaged as one.
  const appImage = process.env['APPIMAGE'];
  const launchCommand = appImage
    ? [appImage]
    : app.isPackaged
      ? [process.execPath]
      : [process.execPath, app.getAppPath()];
  // The login entry carries both settings (start at login, start hidden): rewritten when either changes.
  let appliedLoginEntry: string | undefined;
  let previous: AppSnapshot | undefined;
  const onAction = (action: MenuAction): void => {
    void handleAction(action);
  };
  const handleAction = async (action: MenuAction): Promise<void> => {
    switch (action.kind) {
      case 'start-tunnel':
        await core.commands.startTunnel(action.profileId);
        return;
      case 'stop-tunnel':
        await core.commands.stopTunnel(action.profileId);
        return;
      case 'copy-url': {
        const snapshot = core.snapshot();
        const state = snapshot.tunnels[action.profileId];
        const profile = snapshot.profiles.find((p) => p.id === action.profileId);
        if (profile && state?.host && state.port) {
          clipboard.writeText(connectionDetails(state.host, state.port, profile.name).url);
        }
        return;
      }
      case 'open-window':
        showWindow();
        return;
      case 'toggle-start-at-login':
        await core.commands.updateSettings({
          startAtLogin: !core.snapshot().settings.startAtLogin,
        });
        return;
      case 'quit':
        app.quit();
        return;
    }
  };
  const render = (snapshot: AppSnapshot): void => {
    window.webContents.send(SNAPSHOT_CHANNEL, snapshot);
    tray.setImage(icon(trayIconFile(trayIconState(snapshot), process.platform)));
    tray.setToolTip(trayTooltip(snapshot));
    tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(buildTrayMenu(snapshot), onAction)));
    for (const { title, body } of notificationsFor(previous, snapshot)) {
      new Notification({ title, body }).show();
    }
    previous = snapshot;
    const { startAtLogin, startHidden } = snapshot.settings;
    const loginEntry = `${startAtLogin}/${startHidden}`;
    if (loginEntry !== appliedLoginEntry) {
      appliedLoginEntry = loginEntry;
      void applyStartAtLogin(startAtLogin, {
        platform: process.platform,
        app,
        command: launchCommand,
        hidden: startHidden,
      });
    }
  };
  render(core.snapshot());
  core.subscribe(render);

  powerMonitor.on('resume', () => void core.onResume());

  if (core.opensWindowAtLaunch(process.argv.includes(HIDDEN_FLAG))) {
    window.once('ready-to-show', showWindow);
  }
  void core.startUp();

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) {
      return;
    }
    quitting = true;
    event.preventDefault();
    unregister();
    const timeout = new Promise((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS));
    void Promise.race([core.dispose(), timeout]).finally(() => app.exit(0));
  });
}

function icon(file: string): Electron.NativeImage {
  const image = nativeImage.createFromPath(join(ASSETS_DIR, file));
  image.setTemplateImage(file.includes('Template'));
  return image;
}

function toPair({ x, y }: { x: number; y: number }): [number, number] {
  return [x, y];
}
