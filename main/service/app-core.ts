import { parseApiKeyInput } from '../../shared/api-key.js';
import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_HOST,
  DEFAULT_LOCAL_TLS,
  validateProfileInput,
  type Profile,
  type ProfileInput,
  type ProfileKind,
  type ProfileView,
} from '../../shared/profile.js';
import { RpcError, type AppSnapshot, type RpcClient } from '../../shared/rpc.js';
import type { LocalCa } from '../tls/index.js';
import type { Playground } from './playground/index.js';
import { runnerOf, type RunningPlayground } from './playground/running.js';
import { ProfileStore, type ConfigBackend } from './profile-store.js';
import type { Credentials } from './credentials.js';
import { findConnections } from './connection-sources.js';
import { KeychainUnavailableError } from './secret-store.js';
import { secretDestination } from './secret-binding.js';
import { tunnelTargets } from './tunnel-targets.js';
import { TunnelManager } from './tunnel-manager.js';
import type { TunnelState } from '../../shared/tunnel-state.js';

export interface AppCoreOptions {
  config: ConfigBackend;
  /**
   * Tunnel profiles' API keys and direct profiles' passwords, one per id: where each is kept, the
   * destination it may go to, and its mask (see Credentials).
   */
  credentials: Credentials;
  playground: Playground;
  /**
   * The local CA, opened (made or renewed as needed) when a tunnel with TLS starts and when the
   * window asks for the CA certificate.
   */
  localCa: () => Promise<LocalCa>;
  /**
   * How often, in ms, a running tunnel with TLS looks whether its certificate is due for renewal
   * (default daily).
   */
  localTlsCheckIntervalMs?: number;
  version: string;
  /**
   * The platform whose keychain holds the secrets, a Node.js platform name (default
   * process.platform): a secret longer than it holds is refused with a sentence.
   */
  platform?: string;
}

/** Subscribers hear of bursts of changes (a session opening touches several fields) once. */
const SNAPSHOT_COALESCE_MS = 50;
/**
 * How often, in ms, the core looks whether another process (another shell on the same config
 * directory) runs the playground: a small file read, so the window shows it within seconds.
 */
const PLAYGROUND_LOOK_MS = 2_000;

/**
 * The app's core, shared by the tray app, `pg-tunnel ui` and `pg-tunnel playground` (built for
 * each by `composeAppCore`): profiles, their keys, their tunnels. Shells use it only through
 * `commands` (the RPC contract, which both transports serve), `snapshot()`/`subscribe()`, and the
 * launch and resume policy (`startUp`, `opensWindowAtLaunch`, `onResume`).
 *
 * Secrets (API keys, passwords) are read from the keychain when needed (a tunnel starting, a
 * copy), never all at launch: the core starts, and the playground runs, on a machine without a
 * keychain; a tunnel that needs one then says so on its card.
 */
export class AppCore {
  readonly commands: RpcClient;
  private readonly profiles: ProfileStore;
  private readonly tunnels: TunnelManager;
  private readonly listeners = new Set<(snapshot: AppSnapshot) => void>();
  private pendingSnapshot: NodeJS.Timeout | undefined;
  /** The playground as another process runs it, as last looked at (see lookForPlayground). */
  private playgroundElsewhere: RunningPlayground | undefined;
  private readonly playgroundLook: NodeJS.Timeout;

  private readonly platform: string;

  /** Builds the core; nothing is read from the keychain and no tunnel starts. */
  constructor(private readonly options: AppCoreOptions) {
    this.platform = options.platform ?? process.platform;
    this.profiles = new ProfileStore(options.config);
    this.tunnels = new TunnelManager(
      this.profiles,
      tunnelTargets(options.credentials, options.playground),
      options.localCa,
      options.localTlsCheckIntervalMs,
    );
    this.tunnels.on('change', () => this.changed());
    this.commands = this.buildCommands();
    this.playgroundLook = setInterval(
      () => void this.lookForPlayground(),
      PLAYGROUND_LOOK_MS,
    ).unref();
    void this.lookForPlayground();
  }

  /**
   * What every shell does once at launch: starts the profiles flagged auto-start, when the
   * "start tunnels automatically" setting is on. Resolves when each has started or failed
   * (a failure shows on its card, never as a rejection).
   */
  async startUp(): Promise<void> {
    if (!this.profiles.settings().autoStartTunnels) {
      return;
    }
    await Promise.all(
      this.profiles
        .list()
        .filter((p) => p.autoStart)
        .map((p) => this.tunnels.start(p.id)),
    );
  }

  /**
   * Whether a shell with a window shows it at launch: always on the first run (no profiles yet),
   * else unless it was launched hidden (the login item's flag) or the "start hidden" setting is on.
   */
  opensWindowAtLaunch(launchedHidden: boolean): boolean {
    const noProfiles = this.profiles.list().length === 0;
    return noProfiles || !(launchedHidden || this.profiles.settings().startHidden);
  }

  /**
   * What every shell does when the computer wakes: restarts the tunnels whose listener the OS
   * closed during sleep, on the same port. Resolves with their profile ids.
   */
  onResume(): Promise<string[]> {
    return this.tunnels.reviveDeadListeners();
  }

  /**
   * What every shell does when the computer's network changes (another Wi-Fi, a VPN): tunnels
   * replace the WebSockets they hold ahead of need, which may lead nowhere now.
   */
  onNetworkChange(): void {
    this.tunnels.networkChanged();
  }

  /**
   * Starts a profile's tunnel with `input`'s address (host, port, portMode) instead of its saved
   * one, as `pg-tunnel playground --host H --port P` asks. The address is kept on the profile, for
   * the next start, only when the tunnel listens: a start that fails (the port is in use, the host
   * is not an address of this machine) leaves the profile as it was, so that saved GUI
   * connections still find it at its old address next time.
   *
   * @throws RpcError when `input` is not a valid profile (its sentence names the field).
   */
  async startWith(id: string, input: ProfileInput): Promise<TunnelState> {
    const before = this.profiles.require(id);
    throwIfInvalid(input, before.kind, false, this.platform);
    const { kind: _kind, ...changes } = fieldsOf(input, before.kind, before);
    await this.tunnels.stop(id);
    this.profiles.update(id, changes);
    const state = await this.tunnels.start(id);
    if (state.status !== 'listening') {
      const { id: _id, kind: _k, ...saved } = before;
      this.profiles.update(id, saved);
    }
    this.changed();
    return state;
  }

  snapshot(): AppSnapshot {
    return {
      version: this.options.version,
      profiles: this.profiles.list().map((p) => this.view(p)),
      tunnels: this.withPlaygroundElsewhere(this.tunnels.states()),
      settings: this.profiles.settings(),
      platform: this.platform,
    };
  }

  /** Calls `listener` with a fresh snapshot after every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: AppSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stops every tunnel and the playground. 'kill' (the default) ends sessions now; 'drain' stops
   * taking new ones and lets open sessions finish, ending what is left after `drainTimeoutMs`
   * (default 30 s, see Tunnel.stop).
   */
  async dispose(mode: 'drain' | 'kill' = 'kill', drainTimeoutMs?: number): Promise<void> {
    clearTimeout(this.pendingSnapshot);
    clearInterval(this.playgroundLook);
    this.listeners.clear();
    await this.tunnels.dispose(mode, drainTimeoutMs);
    await this.options.playground.dispose();
  }

  private changed(): void {
    this.pendingSnapshot ??= setTimeout(() => {
      this.pendingSnapshot = undefined;
      const snapshot = this.snapshot();
      for (const listener of this.listeners) {
        listener(snapshot);
      }
    }, SNAPSHOT_COALESCE_MS);
  }

  /**
   * Starts a profile's tunnel; the playground, when another process runs it, is left to it and its
   * state says so (runBy), rather than fail here on its data directory.
   */
  private async startTunnel(id: string): Promise<TunnelState> {
    if (this.profiles.require(id).kind === 'playground') {
      await this.lookForPlayground();
      const elsewhere = this.withPlaygroundElsewhere(this.tunnels.states())[id];
      if (elsewhere?.runBy !== undefined) {
        return elsewhere;
      }
    }
    return this.tunnels.start(id);
  }

  /** Looks whether another process runs the playground; a change is a change of the snapshot. */
  private async lookForPlayground(): Promise<void> {
    const found = this.profiles.list().some((p) => p.kind === 'playground')
      ? await this.options.playground.elsewhere()
      : undefined;
    if (JSON.stringify(found) !== JSON.stringify(this.playgroundElsewhere)) {
      this.playgroundElsewhere = found;
      this.changed();
    }
  }

  /**
   * The states, with the playground's as another process runs it, where this one does not: one
   * playground per config directory, seen from every shell.
   */
  private withPlaygroundElsewhere(
    states: Record<string, TunnelState>,
  ): Record<string, TunnelState> {
    const other = this.playgroundElsewhere;
    const playground = this.profiles.list().find((p) => p.kind === 'playground');
    const own = playground && states[playground.id];
    if (!other || !own || own.status === 'listening' || own.status === 'starting') {
      return states;
    }
    return {
      ...states,
      [own.profileId]: {
        ...own,
        status: 'listening',
        host: other.host,
        port: other.port,
        problem: null,
        runBy: runnerOf(other),
      },
    };
  }

  private view(profile: Profile): ProfileView {
    return { ...profile, secretMask: this.options.credentials.mask(profile.id) };
  }

  /**
   * Saves the secret of `input` (the key or the password its kind takes) for profile `id`, bound
   * to `destination`, where the profile leads once saved.
   */
  private async saveSecret(
    id: string,
    kind: ProfileKind,
    input: ProfileInput,
    destination: string | undefined,
  ): Promise<void> {
    let secret: string | undefined;
    if (kind === 'tunnel' && input.apiKey !== undefined) {
      const parsed = parseApiKeyInput(input.apiKey, 'The API key');
      if (!parsed.ok) {
        throw new RpcError(parsed.error, 'apiKey');
      }
      secret = parsed.apiKey;
    } else if (kind === 'direct' && input.password) {
      secret = input.password;
    }
    if (secret !== undefined) {
      try {
        await this.options.credentials.save(id, kind, secret, destination, {
          inFile: input.secretInFile,
        });
      } catch (error) {
        // The form offers the way forward on this field: the owner-only file, chosen explicitly.
        throw error instanceof KeychainUnavailableError
          ? new RpcError(error.message, 'secretInFile')
          : error;
      }
    }
    if (kind === 'direct' && input.sslPassword) {
      await this.options.credentials.saveSslPassword(id, input.sslPassword);
    }
  }

  private buildCommands(): RpcClient {
    const { profiles, tunnels } = this;
    const { credentials } = this.options;
    const mutate = async <T>(work: () => Promise<T>): Promise<T> => {
      const result = await work();
      this.changed();
      return result;
    };

    return {
      getSnapshot: async () => this.snapshot(),

      addProfile: (given) =>
        mutate(async () => {
          const kind = given.kind ?? 'tunnel';
          // A password from a service or password file reaches the keychain, not the window.
          const fromFile =
            given.passwordFrom !== undefined && !given.password
              ? findConnections().find((found) => found.id === given.passwordFrom)?.password
              : undefined;
          const input = fromFile === undefined ? given : { ...given, password: fromFile };
          throwIfInvalid(input, kind, true, this.platform);
          const profile = profiles.add(fieldsOf(input, kind));
          try {
            await this.saveSecret(profile.id, kind, input, secretDestination(profile));
          } catch (error) {
            profiles.delete(profile.id); // no profile without its secret
            throw error;
          }
          return this.view(profile);
        }),

      updateProfile: (id, input) =>
        mutate(async () => {
          const before = profiles.require(id);
          throwIfInvalid(input, before.kind, false, this.platform);
          if (input.apiKey !== undefined && before.kind !== 'tunnel') {
            throw new RpcError(
              before.kind === 'playground'
                ? 'The playground’s key is made and kept by PG Tunnel.'
                : 'A direct profile logs in with a password, not an API key.',
              'apiKey',
            );
          }
          if ((input.password !== undefined || input.upstream) && before.kind !== 'direct') {
            throw new RpcError(
              'Only a direct profile has a database URL and a password.',
              'upstream',
            );
          }
          const fields = fieldsOf(input, before.kind, before);
          await this.saveSecret(id, before.kind, input, secretDestination(fields));
          const { kind: _kind, ...changes } = fields;
          const profile = profiles.update(id, changes);
          if (before.localLogin && !profile.localLogin) {
            await credentials.forgetLocalPassword(id);
          }
          const { status } = tunnels.state(id);
          if (status === 'listening' || status === 'error') {
            await tunnels.restart(id); // apply the new address or key now
          }
          return this.view(profile);
        }),

      duplicateProfile: (id) =>
        mutate(async () => {
          const source = profiles.require(id);
          // A copy gets a port of its own: two tunnels cannot share one.
          const { id: _id, ...fields } = source;
          const copy = profiles.add({
            ...fields,
            name: `${source.name} (copy)`,
            port: null,
            portMode: 'random',
          });
          // The playground's key is the playground's own; other profiles' are credentials.
          if (source.kind !== 'playground') {
            await credentials.copy(id, copy);
          }
          return this.view(copy);
        }),

      deleteProfile: (id) =>
        mutate(async () => {
          const profile = profiles.require(id);
          await tunnels.forget(id);
          await credentials.forget(id, { ownSecret: profile.kind !== 'playground' });
          profiles.delete(id);
        }),

      createPlayground: () =>
        mutate(async () => {
          // One playground: its data and keys live in its own directory, not with the profile.
          const existing = profiles.list().find((p) => p.kind === 'playground');
          const profile =
            existing ??
            profiles.add({
              name: 'Local playground',
              kind: 'playground',
              gatewayUrl: '',
              host: DEFAULT_HOST,
              port: null,
              portMode: 'random',
              autoStart: false,
              tls: DEFAULT_LOCAL_TLS,
            });
          return this.view(profile);
        }),

      startTunnel: (id) => mutate(() => this.startTunnel(id)),
      stopTunnel: (id) => mutate(() => tunnels.stop(id)),
      restartTunnel: (id) => mutate(() => tunnels.restart(id)),
      confirmSecretDestination: (id) =>
        mutate(async () => {
          if (!(await credentials.confirmDestination(profiles.require(id)))) {
            throw new RpcError('This tunnel has no saved secret to send: edit it and enter one.');
          }
          return tunnels.restart(id);
        }),
      killSession: async (profileId, sessionId) => tunnels.killSession(profileId, sessionId),
      testConnection: (id) => tunnels.testConnection(id),
      getLog: async (id) => tunnels.log(id),
      listConnectionSources: async () =>
        findConnections().map(({ password: _password, ...source }) => source),
      getLocalPassword: async (id) =>
        profiles.require(id).localLogin ? credentials.localPassword(id) : null,
      getLocalCa: async () => {
        // The certificate only: its private key, and the server's, never leave the core.
        const { caCertPath, caCertPem } = await this.options.localCa();
        return { path: caCertPath, pem: caCertPem };
      },
      updateSettings: (changes) => mutate(async () => profiles.updateSettings(changes)),
    };
  }
}

/** @throws RpcError naming the first field of `input` that is not valid for a `kind` profile. */
function throwIfInvalid(
  input: ProfileInput,
  kind: ProfileKind,
  adding: boolean,
  platform: string,
): void {
  const errors = validateProfileInput(input, { kind, adding, platform });
  const [field, message] = Object.entries(errors)[0] ?? [];
  if (field && message) {
    throw new RpcError(message, field);
  }
}

/** What the window shows of a saved secret of a profile of `kind`. */

/** The stored fields of a profile from what the user typed, with defaults for what they left out. */
function fieldsOf(
  input: ProfileInput,
  kind: Profile['kind'],
  before?: Profile,
): Omit<Profile, 'id'> {
  const portMode = input.portMode ?? before?.portMode ?? 'random';
  const host = input.host?.trim() || before?.host || DEFAULT_HOST;
  const keepPort =
    before && portMode === 'random' && before.portMode === 'random' && host === before.host;
  return {
    name: input.name.trim(),
    kind,
    gatewayUrl:
      kind === 'tunnel'
        ? input.gatewayUrl?.trim() || before?.gatewayUrl || DEFAULT_GATEWAY_URL
        : '',
    ...(kind === 'direct' ? { upstream: input.upstream ?? before?.upstream } : {}),
    host,
    port: portMode === 'fixed' ? (input.port ?? null) : keepPort ? before.port : null,
    portMode,
    autoStart: input.autoStart ?? before?.autoStart ?? false,
    tls: input.tls ?? before?.tls ?? DEFAULT_LOCAL_TLS,
    // Off by default, and then left out of profiles.json.
    localLogin: (input.localLogin ?? before?.localLogin) || undefined,
    // Adaptive by default, and then left out of profiles.json; a direct profile's only.
    warmLogins:
      kind === 'direct' && (input.warmLogins ?? before?.warmLogins) === 'off' ? 'off' : undefined,
  };
}
