import type { ProfileInput, ProfileView } from './profile.js';
import type { LogEntry, Settings, TestResult, TunnelState } from './tunnel-state.js';

/** Everything the window shows, in one message. */
export interface AppSnapshot {
  version: string;
  profiles: ProfileView[];
  tunnels: Record<string, TunnelState>;
  settings: Settings;
  /**
   * The platform of the machine the core runs on (a Node.js platform name: 'darwin', 'win32',
   * 'linux'), whose keychain holds the secrets: the form checks a secret's length against it.
   */
  platform?: string;
}

/**
 * The whole surface between the core and a window: command name → signature. Electron IPC and the
 * control server both serve exactly this map; the renderer calls it through one typed client.
 */
export interface RpcCommands {
  getSnapshot(): AppSnapshot;
  addProfile(input: ProfileInput): ProfileView;
  updateProfile(id: string, input: ProfileInput): ProfileView;
  duplicateProfile(id: string): ProfileView;
  deleteProfile(id: string): void;
  createPlayground(): ProfileView;
  startTunnel(id: string): TunnelState;
  stopTunnel(id: string): TunnelState;
  restartTunnel(id: string): TunnelState;
  /**
   * The user confirms that the profile's saved secret goes to its destination as it is now (after
   * a changed gateway URL or database host); then starts (or restarts) its tunnel.
   */
  confirmSecretDestination(id: string): TunnelState;
  killSession(profileId: string, sessionId: string): boolean;
  testConnection(id: string): TestResult;
  getLog(id: string): LogEntry[];
  /**
   * The local password of a profile with a local login (see Profile.localLogin), for its
   * connection presets: made and saved in the keychain on first ask; null when the profile has
   * no local login. Read when the window shows it, never kept in a snapshot.
   */
  getLocalPassword(id: string): string | null;
  /**
   * What "Add from…" offers: the services of the connection service files and the entries of the
   * password file, each as a connection string without its password (see ConnectionSource).
   */
  listConnectionSources(): ConnectionSource[];
  /**
   * The local CA's certificate, for clients that verify a tunnel with TLS (`sslrootcert`, a GUI's
   * "root certificate"): its file and its PEM. Made on first use. Never a private key.
   */
  getLocalCa(): LocalCaCertificate;
  updateSettings(changes: Partial<Settings>): Settings;
}

/**
 * A connection found in libpq's files, for the add form: `connection` is a libpq `key=value`
 * string with no password, pasted into the form as a user would; `hasPassword`, the file has one
 * for it, which the core saves to the keychain when the profile is added with `passwordFrom: id`
 * (the window never sees it).
 */
export interface ConnectionSource {
  id: string;
  /** What the list shows: `service NAME`, or `user@host:port/database (password file)`. */
  label: string;
  connection: string;
  hasPassword: boolean;
}

/** The local CA's certificate as the window sees it. */
export interface LocalCaCertificate {
  /** Absolute path of the CA certificate file (PEM). */
  path: string;
  /** The certificate itself, PEM. */
  pem: string;
}

export type RpcCommand = keyof RpcCommands;
export type RpcArgs<K extends RpcCommand> = Parameters<RpcCommands[K]>;
export type RpcResult<K extends RpcCommand> = ReturnType<RpcCommands[K]>;

/** Events pushed from the core: name → payload. Both transports carry exactly these. */
export interface RpcEvents {
  snapshot: AppSnapshot;
}

/** One pushed event as it crosses a transport (the control server's /events socket, as JSON). */
export type RpcEventMessage = {
  [K in keyof RpcEvents]: { event: K; data: RpcEvents[K] };
}[keyof RpcEvents];

/** What each argument of a command is: an id (a string), a profile, or settings (objects). */
export type RpcArgumentKind = 'id' | 'profile' | 'settings';

/**
 * Every command and its arguments' kinds: the one listing of the commands. Keyed by RpcCommand,
 * so a command added to RpcCommands must be added here; RPC_COMMANDS is read off it.
 */
export const RPC_ARGUMENTS: Record<RpcCommand, readonly RpcArgumentKind[]> = {
  getSnapshot: [],
  addProfile: ['profile'],
  updateProfile: ['id', 'profile'],
  duplicateProfile: ['id'],
  deleteProfile: ['id'],
  createPlayground: [],
  startTunnel: ['id'],
  stopTunnel: ['id'],
  restartTunnel: ['id'],
  confirmSecretDestination: ['id'],
  killSession: ['id', 'id'],
  testConnection: ['id'],
  getLog: ['id'],
  getLocalPassword: ['id'],
  listConnectionSources: [],
  updateSettings: ['settings'],
  getLocalCa: [],
};

/** The names, for transports that must list them (IPC registration, request routing). */
export const RPC_COMMANDS = Object.keys(RPC_ARGUMENTS) as readonly RpcCommand[];

/** A command's failure as it crosses a transport: a sentence for the user, and the field at fault. */
export interface RpcErrorBody {
  message: string;
  field?: string;
}

/** The async client a window holds: every command returns a promise of its result. */
export type RpcClient = { [K in RpcCommand]: (...args: RpcArgs<K>) => Promise<RpcResult<K>> };

/** A command failed for a reason the user can act on; `field` names the form field at fault. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * What a window holds: every command, plus a subscription to snapshots. Electron's preload exposes
 * one as `window.pgTunnel`; in a browser (`pg-tunnel ui`) the renderer builds one over HTTP.
 */
export type PgTunnelBridge = RpcClient & {
  onSnapshot(listener: (snapshot: AppSnapshot) => void): () => void;
};
