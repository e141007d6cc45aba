/**
 * The tray app's entry point: launches the shell (tray-app.ts) on the real `electron` module. All
 * of its logic lives there and in the pure modules beside it, which the tests drive with a
 * recording stand-in for Electron.
 */
// The module object, not named imports: its members (screen, powerMonitor) are read when used,
// after Electron's ready event, not while this module loads.
import electron from 'electron';
// electron-updater is CommonJS: its named exports are read from the default one.
import electronUpdater from 'electron-updater';
import { fileURLToPath } from 'node:url';
import { launchTrayApp } from './tray-app.js';

// No top-level await: Electron's ready event waits for this module, and awaiting it here would
// never end (electron/electron#40719).
launchTrayApp<Electron.NativeImage>(electron, {
  platform: process.platform,
  argv: process.argv,
  env: process.env,
  // Only a packaged app has the feed (app-update.yml, from electron-builder.yml's `publish`).
  ...(electron.app.isPackaged ? { updater: electronUpdater.autoUpdater } : {}),
  paths: {
    assetsDir: fileURLToPath(new URL('../../../assets/', import.meta.url)),
    pageUrl: new URL('../../renderer/index.html', import.meta.url).href,
    preloadPath: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
  },
});
