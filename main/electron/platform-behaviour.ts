/**
 * How the tray app behaves on each desktop, as pure decisions the shell (tray-app.ts) follows.
 * Each one answers a fault reported against Electron tray apps on real desktops; the sources are
 * Electron's documentation of Tray and BrowserWindow (https://electronjs.org/docs/api/tray).
 */

/**
 * How the tray's menu opens:
 * - 'context-menu' (Linux): `tray.setContextMenu`, the only way a StatusNotifierItem (AppIndicator)
 *   icon gets a menu at all; the desktop opens it on right click and sends a left click as "activate".
 * - 'pop-up-on-right-click' (macOS, Windows): `tray.popUpContextMenu` from the right-click event. A
 *   menu set with setContextMenu would take the left click on macOS, which then never reaches the
 *   window (Electron: "mouse-up … will not be emitted if you have set a context menu").
 */
export type TrayMenuMode = 'context-menu' | 'pop-up-on-right-click';

export function trayMenuMode(platform: NodeJS.Platform): TrayMenuMode {
  return platform === 'darwin' || platform === 'win32' ? 'pop-up-on-right-click' : 'context-menu';
}

/**
 * The window's kind:
 * - 'popover': frameless, placed by the tray icon, hidden when it loses focus, not in the taskbar.
 * - 'framed': an ordinary window the desktop places, in the taskbar, kept open until closed, with a
 *   menu bar holding Quit. Used where a popover cannot work: on Wayland a window can neither place
 *   itself nor learn where the pointer is, and without a tray icon a popover that hides itself
 *   could not be found again (nor the app be quit).
 */
export type WindowKind = 'popover' | 'framed';

export function windowKind(
  platform: NodeJS.Platform,
  desktop: { wayland: boolean; trayShown: boolean },
): WindowKind {
  if (platform !== 'linux') {
    return 'popover';
  }
  return desktop.wayland || !desktop.trayShown ? 'framed' : 'popover';
}

/**
 * Whether Electron draws its windows with Wayland: a Wayland session (WAYLAND_DISPLAY set, which
 * Electron 38+ follows by default, `--ozone-platform-hint=auto`) not overridden on the command line
 * with `--ozone-platform=x11` (or the hint set to x11), which runs it under XWayland instead.
 */
export function isWaylandSession(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  const forced = argv
    .map((arg) => /^--ozone-platform(?:-hint)?=(\w+)$/.exec(arg)?.[1])
    .find((value) => value !== undefined);
  if (forced !== undefined) {
    return forced === 'wayland' || (forced === 'auto' && Boolean(env['WAYLAND_DISPLAY']));
  }
  return Boolean(env['WAYLAND_DISPLAY']);
}

/**
 * Whether the desktop shows tray icons. macOS and Windows always do. On Linux an icon shows only
 * where something hosts StatusNotifierItems, announced on the session bus as
 * org.kde.StatusNotifierWatcher (KDE Plasma, XFCE, Cinnamon, GNOME with the AppIndicator
 * extension); plain GNOME Shell has none. When the bus could not be asked (`watcher` undefined),
 * GNOME is the one desktop known to show none; Ubuntu's GNOME ships the extension enabled.
 */
export function trayShown(
  platform: NodeJS.Platform,
  watcher: boolean | undefined,
  env: NodeJS.ProcessEnv,
): boolean {
  if (platform !== 'linux') {
    return true;
  }
  if (watcher !== undefined) {
    return watcher;
  }
  const desktop = env['XDG_CURRENT_DESKTOP'] ?? '';
  return !/\bGNOME\b/i.test(desktop) || /\bubuntu\b/i.test(desktop);
}

/**
 * What a left click on the tray icon does to the window. A popover hides itself when it loses
 * focus, and that blur comes just before the click on the icon that caused it: a click within
 * `graceMs` of such a hide only confirms it. A framed window that is open but behind others is
 * brought forward rather than hidden.
 *
 * @param msSinceBlurHide milliseconds since the popover last hid on blur (Infinity: never).
 */
export function trayClickAction(
  kind: WindowKind,
  window: { visible: boolean; focused: boolean },
  msSinceBlurHide: number,
  graceMs: number,
): 'show' | 'hide' | 'nothing' {
  if (kind === 'framed') {
    return window.visible && window.focused ? 'hide' : 'show';
  }
  if (window.visible) {
    return 'hide';
  }
  return msSinceBlurHide > graceMs ? 'show' : 'nothing';
}

/**
 * Whether the window shows at launch: what the core decides (first run, "start hidden", the login
 * item's --hidden flag), unless there is no tray icon to open it from; then it always shows, or
 * the app would run with nothing of it visible.
 */
export function showsWindowAtLaunch(coreOpensWindow: boolean, trayIsShown: boolean): boolean {
  return coreOpensWindow || !trayIsShown;
}
