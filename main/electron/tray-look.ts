import type { AppSnapshot } from '../../shared/rpc.js';
import { buildStartMenu, buildTrayMenu, type MenuEntry, type TrayExtras } from './tray-menu.js';
import { trayIconFile, trayIconState, trayTooltip } from './tray-status.js';

/** Where the app core is, as the tray shows it: not yet there, failed to start, or running. */
export type CoreStatus =
  | { phase: 'starting' }
  | { phase: 'failed'; message: string }
  | { phase: 'running'; snapshot: AppSnapshot };

/** Everything the tray icon shows, as data. */
export interface TrayLook {
  menu: MenuEntry[];
  /** A file name in assets/. */
  icon: string;
  tooltip: string;
}

/** What the tray shows for a status (and `extras`, see TrayExtras). */
export function trayLook(
  status: CoreStatus,
  platform: NodeJS.Platform,
  extras: TrayExtras = {},
): TrayLook {
  switch (status.phase) {
    case 'running': {
      const { snapshot } = status;
      return {
        menu: buildTrayMenu(snapshot, extras),
        icon: trayIconFile(trayIconState(snapshot), platform),
        tooltip: trayTooltip(snapshot),
      };
    }
    case 'failed':
      return {
        menu: buildStartMenu(status.message, extras),
        icon: trayIconFile('error', platform),
        tooltip: 'PG Tunnel could not start — open it to see why',
      };
    case 'starting':
      return {
        menu: buildStartMenu(undefined, extras),
        icon: trayIconFile('idle', platform),
        tooltip: 'PG Tunnel — starting…',
      };
  }
}

/**
 * Which parts of the tray must be set again to go from `before` to `after`. Snapshots come about
 * once a second while a session is open (byte counts, last activity), and setting a menu closes
 * one the user has open and, on Linux, makes the icon flicker: a part is set only when what it
 * shows differs. The menu is compared as data (labels, states, actions), which byte counts are
 * not part of.
 */
export function trayLookChanges(
  before: TrayLook | undefined,
  after: TrayLook,
): { menu: boolean; icon: boolean; tooltip: boolean } {
  return {
    menu: before === undefined || JSON.stringify(before.menu) !== JSON.stringify(after.menu),
    icon: before?.icon !== after.icon,
    tooltip: before?.tooltip !== after.tooltip,
  };
}
