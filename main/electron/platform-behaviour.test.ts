import { describe, expect, it } from 'vitest';
import {
  isWaylandSession,
  showsWindowAtLaunch,
  trayClickAction,
  trayMenuMode,
  trayShown,
  windowKind,
} from './platform-behaviour.js';

describe('the tray menu', () => {
  it('pops up on right click on macOS and Windows, and is the context menu on Linux', () => {
    expect(trayMenuMode('darwin')).toBe('pop-up-on-right-click');
    expect(trayMenuMode('win32')).toBe('pop-up-on-right-click');
    expect(trayMenuMode('linux')).toBe('context-menu');
    expect(trayMenuMode('freebsd')).toBe('context-menu');
  });
});

describe('a click on the tray icon', () => {
  const grace = 200;
  it('toggles a popover, except for the click that just made it lose focus', () => {
    expect(trayClickAction('popover', { visible: false, focused: false }, Infinity, grace)).toBe(
      'show',
    );
    expect(trayClickAction('popover', { visible: true, focused: true }, Infinity, grace)).toBe(
      'hide',
    );
    expect(trayClickAction('popover', { visible: false, focused: false }, 50, grace)).toBe(
      'nothing',
    );
    expect(trayClickAction('popover', { visible: false, focused: false }, 500, grace)).toBe('show');
  });

  it('brings a framed window that is behind others forward instead of hiding it', () => {
    expect(trayClickAction('framed', { visible: true, focused: false }, Infinity, grace)).toBe(
      'show',
    );
    expect(trayClickAction('framed', { visible: true, focused: true }, Infinity, grace)).toBe(
      'hide',
    );
  });
});

describe('the window kind', () => {
  it('is a popover on macOS and Windows, and on Linux where a tray shows and windows can place themselves', () => {
    expect(windowKind('darwin', { wayland: false, trayShown: true })).toBe('popover');
    expect(windowKind('win32', { wayland: false, trayShown: true })).toBe('popover');
    expect(windowKind('linux', { wayland: false, trayShown: true })).toBe('popover');
  });

  it('is an ordinary framed window on Wayland, and where no tray icon shows', () => {
    expect(windowKind('linux', { wayland: true, trayShown: true })).toBe('framed');
    expect(windowKind('linux', { wayland: false, trayShown: false })).toBe('framed');
  });
});

describe('a Wayland session', () => {
  it('is one where WAYLAND_DISPLAY is set, unless the command line asks for X11', () => {
    const wayland = { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' };
    expect(isWaylandSession(wayland, [])).toBe(true);
    expect(isWaylandSession(wayland, ['--ozone-platform=x11'])).toBe(false);
    expect(isWaylandSession(wayland, ['--ozone-platform-hint=x11'])).toBe(false);
    expect(isWaylandSession(wayland, ['--ozone-platform-hint=auto'])).toBe(true);
    expect(isWaylandSession({ DISPLAY: ':0' }, [])).toBe(false);
    expect(isWaylandSession({ DISPLAY: ':0' }, ['--ozone-platform=wayland'])).toBe(true);
  });
});

describe('whether the desktop shows a tray icon', () => {
  it('macOS and Windows always; Linux when a StatusNotifierWatcher is on the session bus', () => {
    expect(trayShown('darwin', undefined, {})).toBe(true);
    expect(trayShown('win32', undefined, {})).toBe(true);
    expect(trayShown('linux', true, { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(true);
    expect(trayShown('linux', false, { XDG_CURRENT_DESKTOP: 'KDE' })).toBe(false);
  });

  it('when the bus cannot be asked: not on plain GNOME, yes on Ubuntu’s GNOME and elsewhere', () => {
    expect(trayShown('linux', undefined, { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(false);
    expect(trayShown('linux', undefined, { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe(true);
    expect(trayShown('linux', undefined, { XDG_CURRENT_DESKTOP: 'KDE' })).toBe(true);
    expect(trayShown('linux', undefined, {})).toBe(true);
  });

  it('without one, the window shows at launch even when the core would keep it hidden', () => {
    expect(showsWindowAtLaunch(false, true)).toBe(false);
    expect(showsWindowAtLaunch(false, false)).toBe(true);
    expect(showsWindowAtLaunch(true, true)).toBe(true);
  });
});
