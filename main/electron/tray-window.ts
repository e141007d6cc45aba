import type { BrowserWindowConstructorOptions } from 'electron';

/** About the size of a tray popover; the renderer is laid out for it. */
export const TRAY_WINDOW_SIZE = { width: 380, height: 560 };
/** Blur fires before the tray's click when the user clicks the icon to close: ignore that click. */
export const BLUR_GRACE_MS = 200;

/** The tray window: frameless, hidden until placed, and locked down (no Node, sandboxed, isolated). */
export function trayWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    ...TRAY_WINDOW_SIZE,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Only the app's own page is trusted: the exact file the window loaded, nothing it links to. */
export function isAppPage(url: string, appPageUrl: string): boolean {
  return url.split('#')[0] === appPageUrl;
}
