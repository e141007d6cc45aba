import { describe, expect, it } from 'vitest';
import type { AppSnapshot } from '../../shared/rpc.js';
import type { SessionInfo } from '../../shared/session.js';
import { trayLook, trayLookChanges } from './tray-look.js';

const session = (bytes: number): SessionInfo => ({
  id: 's1',
  clientAddress: '127.0.0.1:50000',
  user: 'me',
  database: 'app',
  applicationName: 'psql',
  backendPid: 42,
  openedAt: 1_000,
  lastActivityAt: 1_000 + bytes,
  bytesFromClient: bytes,
  bytesToClient: bytes * 10,
  state: bytes % 2 ? 'active' : 'idle',
});

const snapshot = (sessions: SessionInfo[]): AppSnapshot => ({
  version: '1',
  profiles: [
    {
      id: 'a',
      name: 'Staging',
      kind: 'tunnel',
      gatewayUrl: 'wss://g/websocket',
      host: '127.0.0.1',
      port: 5433,
      portMode: 'random',
      autoStart: false,
      tls: true,
      secretMask: '••••abcd',
    },
  ],
  tunnels: {
    a: {
      profileId: 'a',
      status: 'listening',
      host: '127.0.0.1',
      port: 5433,
      problem: null,
      sessions,
      logEntries: 3,
    },
  },
  settings: { startAtLogin: false, startHidden: true, autoStartTunnels: true },
});

describe('the tray look', () => {
  it('two snapshots that differ only in byte counts, activity and session state change nothing', () => {
    const before = trayLook({ phase: 'running', snapshot: snapshot([session(100)]) }, 'linux');
    const after = trayLook({ phase: 'running', snapshot: snapshot([session(90_001)]) }, 'linux');
    expect(trayLookChanges(before, after)).toEqual({ menu: false, icon: false, tooltip: false });
  });

  it('a session opening changes the tooltip only; a tunnel stopping changes all three', () => {
    const idle = trayLook({ phase: 'running', snapshot: snapshot([]) }, 'darwin');
    const busy = trayLook({ phase: 'running', snapshot: snapshot([session(1)]) }, 'darwin');
    expect(trayLookChanges(idle, busy)).toEqual({ menu: false, icon: false, tooltip: true });
    const stopped = snapshot([]);
    stopped.tunnels['a']!.status = 'stopped';
    expect(
      trayLookChanges(busy, trayLook({ phase: 'running', snapshot: stopped }, 'darwin')),
    ).toEqual({ menu: true, icon: true, tooltip: true });
  });

  it('everything is set the first time', () => {
    expect(trayLookChanges(undefined, trayLook({ phase: 'starting' }, 'win32'))).toEqual({
      menu: true,
      icon: true,
      tooltip: true,
    });
  });

  it('a core that failed to start: the error icon, and a menu with Retry', () => {
    const look = trayLook(
      { phase: 'failed', message: 'The profiles file is not valid JSON.' },
      'darwin',
    );
    expect(look.icon).toBe('tray-errorTemplate.png');
    expect(look.menu).toContainEqual({
      type: 'normal',
      label: 'Retry',
      enabled: true,
      action: { kind: 'retry-start' },
    });
  });
});
