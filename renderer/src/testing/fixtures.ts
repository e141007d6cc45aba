import type { ProfileView } from '../../../shared/profile.js';
import type { AppSnapshot, LocalCaCertificate } from '../../../shared/rpc.js';
import type { SessionInfo } from '../../../shared/session.js';
import type { TunnelState } from '../../../shared/tunnel-state.js';

/** Test data shaped like what the core sends. */
export function profileView(overrides: Partial<ProfileView> = {}): ProfileView {
  return {
    id: 'p1',
    name: 'Staging',
    kind: 'tunnel',
    gatewayUrl: 'wss://gateway.example/websocket',
    host: '127.0.0.1',
    port: 54321,
    portMode: 'random',
    autoStart: false,
    tls: true,
    secretMask: '••••wxyz',
    ...overrides,
  };
}

/** A saved direct profile: verify-full against the system's CAs, its password saved. */
export function directProfileView(overrides: Partial<ProfileView> = {}): ProfileView {
  return profileView({
    kind: 'direct',
    gatewayUrl: '',
    secretMask: '••••••••',
    upstream: {
      host: 'db.example.com',
      port: 5432,
      database: 'shop',
      user: 'app',
      sslmode: 'verify-full',
      sslrootcert: 'system',
      channelBinding: 'prefer',
    },
    ...overrides,
  });
}

export function tunnelState(overrides: Partial<TunnelState> = {}): TunnelState {
  return {
    profileId: 'p1',
    status: 'stopped',
    host: '127.0.0.1',
    port: 54321,
    problem: null,
    sessions: [],
    logEntries: 0,
    ...overrides,
  };
}

export function sessionInfo(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id: '1',
    clientAddress: '127.0.0.1:50000',
    user: 'ada',
    database: 'shop',
    applicationName: 'psql',
    backendPid: 4242,
    openedAt: 0,
    lastActivityAt: 0,
    bytesFromClient: 1234,
    bytesToClient: 1_234_567,
    state: 'idle',
    ...overrides,
  };
}

export function snapshotOf(profiles: ProfileView[], tunnels: TunnelState[] = []): AppSnapshot {
  return {
    version: '1.2.3',
    profiles,
    tunnels: Object.fromEntries(tunnels.map((t) => [t.profileId, t])),
    settings: { startAtLogin: false, startHidden: false, autoStartTunnels: true },
  };
}

export function localCaCertificate(): LocalCaCertificate {
  return {
    path: '/home/ada/.config/pg-tunnel/tls/ca.crt',
    pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  };
}
