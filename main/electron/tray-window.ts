import type { BrowserWindowConstructorOptions } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WindowKind } from './platform-behaviour.js';

/** About the size of a tray popover; the renderer is laid out for it. */
export const TRAY_WINDOW_SIZE = { width: 380, height: 560 };
/** Blur fires before the tray's click when the user clicks the icon to close: ignore that click. */
export const BLUR_GRACE_MS = 200;

/**
 * The tray window's options: locked down in both kinds (no Node, sandboxed, isolated), hidden
 * until placed. A 'popover' is frameless and kept out of the taskbar; a 'framed' window (Wayland,
 * or a desktop without a tray) is an ordinary one with a title bar, a content area of the same
 * size, and a menu bar (Quit) that Alt shows.
 */
export function trayWindowOptions(
  preloadPath: string,
  kind: WindowKind,
): BrowserWindowConstructorOptions {
  const shape: BrowserWindowConstructorOptions =
    kind === 'popover'
      ? {
          frame: false,
          movable: false,
          minimizable: false,
          skipTaskbar: true,
          alwaysOnTop: true,
        }
      : { title: 'PG Tunnel', useContentSize: true, autoHideMenuBar: true };
  return {
    ...TRAY_WINDOW_SIZE,
    ...shape,
    show: false,
    resizable: false,
    maximizable: false,
    fullscreenable: false,
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

/**
 * Only the app's own page is trusted: the file the window loaded, whatever its fragment or query.
 * Both URLs are compared as file paths turned back into URLs, because the page's URL comes from
 * Chromium and the app's from `import.meta.url`, which may spell one path differently (percent-
 * encoding of spaces and other characters, the case of a Windows drive letter). On Windows paths
 * are case-insensitive, so the comparison is too. Anything that is not a local file URL is refused.
 *
 * @param platform whose path rules apply (the tests try Windows paths on Linux).
 */
export function isAppPage(
  url: string,
  appPageUrl: string,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const page = canonicalFileUrl(url, platform);
  return page !== undefined && page === canonicalFileUrl(appPageUrl, platform);
}

function canonicalFileUrl(url: string, platform: NodeJS.Platform): string | undefined {
  const windows = platform === 'win32';
  try {
    const href = pathToFileURL(fileURLToPath(url, { windows }), { windows }).href;
    return windows ? href.toLowerCase() : href;
  } catch {
    return undefined; // not a file: URL, or one with a host (a network share) on this platform
  }
}
