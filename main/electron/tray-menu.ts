import { hostPort } from '../../shared/connection-details.js';
import type { AppSnapshot } from '../../shared/rpc.js';
import { isRunning, STATUS_LABELS } from '../../shared/tunnel-state.js';

/** What clicking a menu item does; the shell maps each to a call on the core or the app. */
export type MenuAction =
  | { kind: 'start-tunnel'; profileId: string }
  | { kind: 'stop-tunnel'; profileId: string }
  | { kind: 'copy-url'; profileId: string }
  | { kind: 'open-url'; profileId: string }
  | { kind: 'open-psql'; profileId: string }
  | { kind: 'start-all' }
  | { kind: 'stop-all' }
  | { kind: 'reveal-logs' }
  | { kind: 'check-updates' }
  | { kind: 'open-window'; profileId?: string }
  | { kind: 'toggle-start-at-login' }
  | { kind: 'retry-start' }
  | { kind: 'quit' };

/** A menu item as data: the shell turns these into Electron's MenuItemConstructorOptions. */
export type MenuEntry =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: MenuAction; submenu?: MenuEntry[] }
  | { type: 'checkbox'; label: string; checked: boolean; action: MenuAction };

const OPEN_WINDOW: MenuEntry = {
  type: 'normal',
  label: 'Open PG Tunnel',
  enabled: true,
  action: { kind: 'open-window' },
};
const REVEAL_LOGS: MenuEntry = {
  type: 'normal',
  label: 'Reveal Logs',
  enabled: true,
  action: { kind: 'reveal-logs' },
};
const QUIT: MenuEntry = {
  type: 'normal',
  label: 'Quit PG Tunnel',
  enabled: true,
  action: { kind: 'quit' },
};

/**
 * The tray's menu while the core is not running: starting, or (with `failure`, the sentence the
 * window shows) failed, with Retry. Open and Quit work in both.
 */
export function buildStartMenu(failure: string | undefined, extras: TrayExtras = {}): MenuEntry[] {
  const status: MenuEntry[] =
    failure === undefined
      ? [{ type: 'normal', label: 'Starting…', enabled: false }]
      : [
          { type: 'normal', label: 'PG Tunnel could not start', enabled: false },
          { type: 'normal', label: 'Retry', enabled: true, action: { kind: 'retry-start' } },
        ];
  return [
    ...noticeEntries(extras),
    ...status,
    { type: 'separator' },
    OPEN_WINDOW,
    REVEAL_LOGS,
    { type: 'separator' },
    QUIT,
  ];
}

/** What the tray menu shows beside the core's state. */
export interface TrayExtras {
  /**
   * A notification that could not be shown (no notification server): the menu's first line,
   * which opens the window at its profile.
   */
  notice?: { title: string; profileId?: string } | undefined;
  /** Whether updates can be looked for (a packaged app with a feed). */
  updates?: boolean;
  /** A downloaded update, installed when PG Tunnel quits. */
  updateReady?: string | undefined;
}

/** "Check for Updates…", or what a downloaded update waits for. */
function updateEntries(extras: TrayExtras): MenuEntry[] {
  if (!extras.updates) {
    return [];
  }
  return extras.updateReady
    ? [
        {
          type: 'normal',
          label: `Version ${extras.updateReady} Installs When You Quit`,
          enabled: false,
        },
      ]
    : [
        {
          type: 'normal',
          label: 'Check for Updates…',
          enabled: true,
          action: { kind: 'check-updates' },
        },
      ];
}

/** The notice line and its separator, when there is a notice. */
function noticeEntries(extras: TrayExtras): MenuEntry[] {
  const { notice } = extras;
  if (!notice) {
    return [];
  }
  const action: MenuAction = notice.profileId
    ? { kind: 'open-window', profileId: notice.profileId }
    : { kind: 'open-window' };
  return [
    { type: 'normal', label: `⚠ ${notice.title}`, enabled: true, action },
    { type: 'separator' },
  ];
}

/** A tunnel's items that need its port listening: their labels and actions. */
const LISTENING_ACTIONS: ReadonlyArray<[string, 'copy-url' | 'open-url' | 'open-psql']> = [
  ['Copy connection URL', 'copy-url'],
  ['Open in Your Postgres App', 'open-url'],
  ['Open psql in a Terminal', 'open-psql'],
];

/**
 * The tray's context menu, a pure function of the state: a notice that could not be shown as a
 * notification, each tunnel with Start/Stop and "Copy connection URL", then "Open PG Tunnel",
 * "Start at login" and Quit.
 */
export function buildTrayMenu(snapshot: AppSnapshot, extras: TrayExtras = {}): MenuEntry[] {
  const tunnels: MenuEntry[] = snapshot.profiles.map((profile) => {
    const state = snapshot.tunnels[profile.id];
    const status = state?.status ?? 'stopped';
    const address =
      status === 'listening' && state?.host && state.port
        ? ` — ${hostPort(state.host, state.port)}`
        : '';
    return {
      type: 'normal',
      label: `${profile.name} (${STATUS_LABELS[status].toLowerCase()})${address}`,
      enabled: true,
      submenu: [
        isRunning(state)
          ? {
              type: 'normal',
              label: 'Stop',
              enabled: status === 'listening',
              action: { kind: 'stop-tunnel', profileId: profile.id },
            }
          : {
              type: 'normal',
              label: 'Start',
              enabled: true,
              action: { kind: 'start-tunnel', profileId: profile.id },
            },
        ...LISTENING_ACTIONS.map(([label, kind]): MenuEntry => ({
          type: 'normal',
          label,
          enabled: status === 'listening',
          action: { kind, profileId: profile.id },
        })),
      ],
    };
  });
  const states = snapshot.profiles.map((p) => snapshot.tunnels[p.id]);
  const all: MenuEntry[] =
    tunnels.length < 2
      ? []
      : [
          { type: 'separator' },
          {
            type: 'normal',
            label: 'Start All',
            enabled: states.some((state) => !isRunning(state)),
            action: { kind: 'start-all' },
          },
          {
            type: 'normal',
            label: 'Stop All',
            enabled: states.some((state) => state?.status === 'listening'),
            action: { kind: 'stop-all' },
          },
        ];
  return [
    ...noticeEntries(extras),
    ...(tunnels.length > 0
      ? tunnels
      : [{ type: 'normal' as const, label: 'No tunnels yet', enabled: false }]),
    ...all,
    { type: 'separator' },
    OPEN_WINDOW,
    {
      type: 'checkbox',
      label: 'Start at login',
      checked: snapshot.settings.startAtLogin,
      action: { kind: 'toggle-start-at-login' },
    },
    ...updateEntries(extras),
    REVEAL_LOGS,
    { type: 'separator' },
    QUIT,
  ];
}
