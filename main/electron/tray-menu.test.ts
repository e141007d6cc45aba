import { describe, expect, it } from 'vitest';
import type { AppSnapshot } from '../../shared/rpc.js';
import type { TunnelState } from '../../shared/tunnel-state.js';
import { buildTrayMenu, type MenuEntry } from './tray-menu.js';
import { trayIconFile, trayIconState, trayTooltip } from './tray-status.js';
import { notificationsFor } from './notifications.js';

function profile(id: string, name: string) {
  return {
    id,
    name,
    kind: 'tunnel' as const,
    gatewayUrl: 'wss://g/websocket',
    host: '127.0.0.1',
    port: 5000,
    portMode: 'random' as const,
    autoStart: false,
    tls: true,
    secretMask: '••••abcd',
  };
}
function tunnel(
  profileId: string,
  status: TunnelState['status'],
  extra: Partial<TunnelState> = {},
): TunnelState {
  return {
    profileId,
    status,
    host: '127.0.0.1',
    port: 5433,
    problem: null,
    sessions: [],
    logEntries: 0,
    ...extra,
  };
}
function snapshot(tunnels: TunnelState[], startAtLogin = false): AppSnapshot {
  return {
    version: '1',
    profiles: tunnels.map((t) => profile(t.profileId, `DB ${t.profileId}`)),
    tunnels: Object.fromEntries(tunnels.map((t) => [t.profileId, t])),
    settings: { startAtLogin, startHidden: true, autoStartTunnels: true },
  };
}
const labels = (entries: MenuEntry[]) =>
  entries.map((e) => (e.type === 'separator' ? '---' : e.label));

describe('the tray menu', () => {
  it('writes an IPv6 listening address in brackets, as a client would', () => {
    const menu = buildTrayMenu(snapshot([{ ...tunnel('a', 'listening'), host: '::1' }]));
    expect(labels(menu)[0]).toBe('DB a (listening) — [::1]:5433');
  });

  it('lists each tunnel with Start or Stop, copy and open items enabled only while listening, then Start All and Stop All', () => {
    const menu = buildTrayMenu(snapshot([tunnel('a', 'listening'), tunnel('b', 'stopped')]));
    expect(labels(menu)).toEqual([
      'DB a (listening) — 127.0.0.1:5433',
      'DB b (stopped)',
      '---',
      'Start All',
      'Stop All',
      '---',
      'Open PG Tunnel',
      'Start at login',
      'Reveal Logs',
      '---',
      'Quit PG Tunnel',
    ]);
    expect(menu.slice(3, 5)).toMatchObject([{ enabled: true }, { enabled: true }]);
    const [a, b] = menu as Array<Extract<MenuEntry, { type: 'normal' }>>;
    expect(a!.submenu).toEqual([
      {
        type: 'normal',
        label: 'Stop',
        enabled: true,
        action: { kind: 'stop-tunnel', profileId: 'a' },
      },
      {
        type: 'normal',
        label: 'Copy connection URL',
        enabled: true,
        action: { kind: 'copy-url', profileId: 'a' },
      },
      {
        type: 'normal',
        label: 'Open in Your Postgres App',
        enabled: true,
        action: { kind: 'open-url', profileId: 'a' },
      },
      {
        type: 'normal',
        label: 'Open psql in a Terminal',
        enabled: true,
        action: { kind: 'open-psql', profileId: 'a' },
      },
    ]);
    expect(b!.submenu?.[0]).toMatchObject({
      label: 'Start',
      action: { kind: 'start-tunnel', profileId: 'b' },
    });
    expect(b!.submenu?.[1]).toMatchObject({ label: 'Copy connection URL', enabled: false });
  });

  it('shows "Start at login" checked from the settings, and a placeholder with no tunnels', () => {
    const menu = buildTrayMenu(snapshot([], true));
    expect(menu[0]).toEqual({ type: 'normal', label: 'No tunnels yet', enabled: false });
    expect(menu.find((e) => e.type === 'checkbox')).toMatchObject({
      checked: true,
      action: { kind: 'toggle-start-at-login' },
    });
  });
});

describe('the tray icon and tooltip', () => {
  it('error wins over listening, listening over idle', () => {
    expect(trayIconState(snapshot([tunnel('a', 'stopped')]))).toBe('idle');
    expect(trayIconState(snapshot([tunnel('a', 'listening'), tunnel('b', 'stopped')]))).toBe(
      'listening',
    );
    expect(trayIconState(snapshot([tunnel('a', 'listening'), tunnel('b', 'error')]))).toBe('error');
    expect(
      trayIconState(
        snapshot([
          tunnel('a', 'listening', { problem: { message: 'API key is invalid', fix: 'edit-key' } }),
        ]),
      ),
    ).toBe('error');
  });

  it('counts tunnels and sessions', () => {
    const session = {
      id: '1',
      clientAddress: '',
      user: '',
      database: '',
      applicationName: '',
      backendPid: 1,
      openedAt: 0,
      lastActivityAt: 0,
      bytesFromClient: 0,
      bytesToClient: 0,
      state: 'idle' as const,
    };
    expect(
      trayTooltip(
        snapshot([
          tunnel('a', 'listening', { sessions: [session, session] }),
          tunnel('b', 'error'),
        ]),
      ),
    ).toBe('PG Tunnel — 1 of 2 tunnels listening, 2 sessions, 1 with errors');
  });

  it('macOS gets template images, the others colour ones', () => {
    expect(trayIconFile('listening', 'darwin')).toBe('tray-listeningTemplate.png');
    expect(trayIconFile('error', 'linux')).toBe('tray-error.png');
  });
});

describe('notifications', () => {
  it('a rejected key notifies once, on the transition', () => {
    const healthy = snapshot([tunnel('a', 'listening')]);
    const rejected = snapshot([
      tunnel('a', 'listening', { problem: { message: 'API key is invalid', fix: 'edit-key' } }),
    ]);
    expect(notificationsFor(healthy, rejected)).toEqual([
      { title: 'DB a: the key was rejected', body: 'API key is invalid', profileId: 'a' },
    ]);
    expect(notificationsFor(rejected, rejected)).toEqual([]);
    expect(notificationsFor(rejected, healthy)).toEqual([]);
  });

  it('a saved key held back from a changed gateway URL asks to confirm where it goes', () => {
    const held = snapshot([
      tunnel('a', 'error', {
        problem: {
          message: 'The saved API key of “DB a” was saved for wss://old/websocket, …',
          fix: 'confirm-destination',
          destination: 'wss://new/websocket',
        },
      }),
    ]);
    expect(notificationsFor(undefined, held)).toEqual([
      {
        title: 'DB a: confirm where its key goes',
        body: 'The saved API key of “DB a” was saved for wss://old/websocket, …',
        profileId: 'a',
      },
    ]);
  });

  it("a direct profile's refused password notifies as such", () => {
    const refused = snapshot([
      tunnel('a', 'listening', {
        problem: { message: 'PG Tunnel could not log in to “DB a”: …', fix: 'edit-password' },
      }),
    ]);
    expect(notificationsFor(snapshot([tunnel('a', 'listening')]), refused)).toEqual([
      {
        title: 'DB a: the password was rejected',
        body: 'PG Tunnel could not log in to “DB a”: …',
        profileId: 'a',
      },
    ]);
  });

  it('a failed start says so; a notice on a running tunnel gives its first line only', () => {
    const stopped = snapshot([tunnel('a', 'stopped')]);
    const failed = snapshot([
      tunnel('a', 'error', { problem: { message: 'Port 5433 is in use.', fix: 'change-port' } }),
    ]);
    const notice = snapshot([
      tunnel('a', 'listening', {
        problem: { message: 'Your earlier data is kept in /x.\n  pg_dump …', fix: 'none' },
      }),
    ]);
    expect(notificationsFor(stopped, failed)).toEqual([
      { title: 'DB a failed', body: 'Port 5433 is in use.', profileId: 'a' },
    ]);
    expect(notificationsFor(stopped, notice)).toEqual([
      {
        title: 'DB a needs your attention',
        body: 'Your earlier data is kept in /x.',
        profileId: 'a',
      },
    ]);
  });
});
