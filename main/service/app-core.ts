import { parseApiKeyInput, maskApiKey } from '../../shared/api-key.js';
import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_HOST,
  DEFAULT_LOCAL_TLS,
  validateProfileInput,
  type Profile,
  type ProfileInput,
  type ProfileView,
} from '../../shared/profile.js';
import { RpcError, type AppSnapshot, type RpcClient } from '../../shared/rpc.js';
import type { LocalCa } from '../tls/index.js';
import type { Playground } from './playground/index.js';
import { ProfileStore, type ConfigBackend } from './profile-store.js';
import type { SecretStore } from './secret-store.js';
import { TunnelManager, type TunnelTarget } from './tunnel-manager.js';

export interface AppCoreOptions {
  config: ConfigBackend;
  /** The OS keychain: remote profiles' API keys, one entry per profile id. */
  secrets: SecretStore;
  playground: Playground;
  /**
   * The local CA, opened (made or renewed as needed) when a tunnel with TLS starts and when the
   * window asks for the CA certificate.
   */
  localCa: () => Promise<LocalCa>;
  version: string;
}

/** Subscribers hear of bursts of changes (a session opening touches several fields) once. */
const SNAPSHOT_COALESCE_MS = 50;

/**
 * The app's core, shared by the tray app, `pg-tunnel ui` and `pg-tunnel playground` (built for
 * each by `composeAppCore`): profiles, their keys, their tunnels. Shells use it only through
 * `commands` (the RPC contract, which both transports serve), `snapshot()`/`subscribe()`, and the
 * launch and resume policy (`startUp`, `opensWindowAtLaunch`, `onResume`).
 *
 * Keys are read from the keychain when needed (a tunnel starting, a copy), never all at launch:
 * the core starts, and the playground runs, on a machine without a keychain; a tunnel that needs
 * one then says so on its card.
 */
export class AppCore {
  readonly commands: RpcClient;
  private readonly profiles: ProfileStore;
  private readonly tunnels: TunnelManager;
  /** The masked tail of each key read or saved in this run (absent: not read yet). */
  private readonly masks = new Map<string, string>();
  private readonly listeners = new Set<(snapshot: AppSnapshot) => void>();
  private pendingSnapshot: NodeJS.Timeout | undefined;

  /** Builds the core; nothing is read from the keychain and no tunnel starts. */
  constructor(private readonly options: AppCoreOptions) {
    this.profiles = new ProfileStore(options.config);
    this.tunnels = new TunnelManager(
      this.profiles,
      (profile) => this.target(profile),
      options.localCa,
    );
    this.tunnels.on('change', () => this.changed());
    this.commands = this.buildCommands();
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

  snapshot(): AppSnapshot {
    return {
      version: this.options.version,
      profiles: this.profiles.list().map((p) => this.view(p)),
      tunnels: this.tunnels.states(),
      settings: this.profiles.settings(),
    };
  }

  /** Calls `listener` with a fresh snapshot after every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: AppSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    clearTimeout(this.pendingSnapshot);
    this.listeners.clear();
    await this.tunnels.dispose();
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

  private view(profile: Profile): ProfileView {
    return { ...profile, apiKeyMask: this.masks.get(profile.id) ?? null };
  }

  /** Where a profile's tunnel leads: the playground's own gateway, or its URL with the saved key. */
  private async target(profile: Profile): Promise<TunnelTarget | undefined> {
    if (profile.kind === 'playground') {
      return this.options.playground.target(profile.id);
    }
    const apiKey = await this.options.secrets.get(profile.id);
    if (apiKey === undefined) {
      return undefined;
    }
    this.masks.set(profile.id, maskApiKey(apiKey));
    return { apiKey, gatewayUrl: profile.gatewayUrl };
  }

  private async saveKey(id: string, input: string): Promise<void> {
    const parsed = parseApiKeyInput(input, 'The API key');
    if (!parsed.ok) {
      throw new RpcError(parsed.error, 'apiKey');
    }
    await this.options.secrets.set(id, parsed.apiKey);
    this.masks.set(id, maskApiKey(parsed.apiKey));
  }

  private buildCommands(): RpcClient {
    const { profiles, tunnels } = this;
    const secrets = this.options.secrets;
    const validate = (input: ProfileInput, requireKey: boolean): void => {
      const [field, message] = Object.entries(validateProfileInput(input, { requireKey }))[0] ?? [];
      if (field && message) {
        throw new RpcError(message, field);
      }
    };
    const mutate = async <T>(work: () => Promise<T>): Promise<T> => {
      const result = await work();
      this.changed();
      return result;
    };

    return {
      getSnapshot: async () => this.snapshot(),

      addProfile: (input) =>
        mutate(async () => {
          validate(input, true);
          const profile = profiles.add(fieldsOf(input, 'remote'));
          try {
            await this.saveKey(profile.id, input.apiKey!);
          } catch (error) {
            profiles.delete(profile.id); // no profile without its key
            throw error;
          }
          return this.view(profile);
        }),

      updateProfile: (id, input) =>
        mutate(async () => {
          validate(input, false);
          const before = profiles.require(id);
          if (input.apiKey !== undefined && before.kind === 'playground') {
            throw new RpcError('The playground’s key is made and kept by PG Tunnel.', 'apiKey');
          }
          if (input.apiKey !== undefined) {
            await this.saveKey(id, input.apiKey);
          }
          const { kind: _kind, ...changes } = fieldsOf(input, before.kind, before);
          const profile = profiles.update(id, changes);
          const { status } = tunnels.state(id);
          if (status === 'listening' || status === 'error') {
            await tunnels.restart(id); // apply the new address or key now
          }
          return this.view(profile);
        }),

      duplicateProfile: (id) =>
        mutate(async () => {
          const source = profiles.require(id);
          // The playground's key is the playground's own; a remote profile's is in the keychain.
          const key = source.kind === 'remote' ? await secrets.get(id) : undefined;
          // A copy gets a port of its own: two tunnels cannot share one.
          const { id: _id, ...fields } = source;
          const copy = profiles.add({
            ...fields,
            name: `${source.name} (copy)`,
            port: null,
            portMode: 'random',
          });
          if (key) {
            await secrets.set(copy.id, key);
            this.masks.set(copy.id, maskApiKey(key));
          }
          return this.view(copy);
        }),

      deleteProfile: (id) =>
        mutate(async () => {
          const profile = profiles.require(id);
          await tunnels.forget(id);
          if (profile.kind === 'remote') {
            await secrets.delete(id);
          }
          profiles.delete(id);
          this.masks.delete(id);
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

      startTunnel: (id) => mutate(() => tunnels.start(id)),
      stopTunnel: (id) => mutate(() => tunnels.stop(id)),
      restartTunnel: (id) => mutate(() => tunnels.restart(id)),
      killSession: async (profileId, sessionId) => tunnels.killSession(profileId, sessionId),
      testConnection: (id) => tunnels.testConnection(id),
      getLog: async (id) => tunnels.log(id),
      getLocalCa: async () => {
        // The certificate only: its private key, and the server's, never leave the core.
        const { caCertPath, caCertPem } = await this.options.localCa();
        return { path: caCertPath, pem: caCertPem };
      },
      updateSettings: (changes) => mutate(async () => profiles.updateSettings(changes)),
    };
  }
}

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
      input.gatewayUrl?.trim() ||
      before?.gatewayUrl ||
      (kind === 'remote' ? DEFAULT_GATEWAY_URL : ''),
    host,
    port: portMode === 'fixed' ? (input.port ?? null) : keepPort ? before.port : null,
    portMode,
    autoStart: input.autoStart ?? before?.autoStart ?? false,
    tls: input.tls ?? before?.tls ?? DEFAULT_LOCAL_TLS,
  };
}
