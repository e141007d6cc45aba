import { parseApiKeyInput, maskApiKey } from '../../shared/api-key.js';
import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_HOST,
  validateProfileInput,
  type Profile,
  type ProfileInput,
  type ProfileView,
} from '../../shared/profile.js';
import { RpcError, type AppSnapshot, type RpcClient } from '../../shared/rpc.js';
import { Playground } from './playground.js';
import { ProfileStore, type ConfigBackend } from './profile-store.js';
import type { SecretStore } from './secret-store.js';
import { TunnelManager } from './tunnel-manager.js';

export interface AppCoreOptions {
  config: ConfigBackend;
  secrets: SecretStore;
  playground: Playground;
  version: string;
}

/** Subscribers hear of bursts of changes (a session opening touches several fields) once. */
const SNAPSHOT_COALESCE_MS = 50;

/**
 * The app's core, shared by the tray app and `pg-tunnel ui`: profiles, their keys, their tunnels.
 * `commands` implements the RPC contract; both transports serve exactly that object.
 */
export class AppCore {
  readonly profiles: ProfileStore;
  readonly tunnels: TunnelManager;
  readonly commands: RpcClient;
  private readonly masks = new Map<string, string | null>();
  private readonly listeners = new Set<(snapshot: AppSnapshot) => void>();
  private pendingSnapshot: NodeJS.Timeout | undefined;

  private constructor(private readonly options: AppCoreOptions) {
    this.profiles = new ProfileStore(options.config);
    this.tunnels = new TunnelManager(this.profiles, options.secrets, (profile, apiKey) =>
      profile.kind === 'playground'
        ? options.playground.gatewayUrl(apiKey)
        : Promise.resolve(profile.gatewayUrl),
    );
    this.tunnels.on('change', () => this.changed());
    this.commands = this.buildCommands();
  }

  /** Builds the core and reads the masked tail of each saved key once. */
  static async create(options: AppCoreOptions): Promise<AppCore> {
    const core = new AppCore(options);
    for (const profile of core.profiles.list()) {
      const key = await options.secrets.get(profile.id);
      core.masks.set(profile.id, key ? maskApiKey(key) : null);
    }
    return core;
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
          const key = await secrets.get(id);
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
          }
          this.masks.set(copy.id, this.masks.get(id) ?? null);
          return this.view(copy);
        }),

      deleteProfile: (id) =>
        mutate(async () => {
          profiles.require(id);
          await tunnels.forget(id);
          await secrets.delete(id);
          profiles.delete(id);
          this.masks.delete(id);
        }),

      createPlayground: () =>
        mutate(async () => {
          const existing = profiles.list().find((p) => p.kind === 'playground');
          if (existing) {
            // Its key is ours to make: if the keychain lost it, the in-process gateway takes a new one.
            if (!(await secrets.get(existing.id))) {
              await this.saveKey(existing.id, Playground.newApiKey());
            }
            return this.view(existing);
          }
          const profile = profiles.add({
            name: 'Local playground',
            kind: 'playground',
            gatewayUrl: '',
            host: DEFAULT_HOST,
            port: null,
            portMode: 'random',
            autoStart: false,
          });
          await this.saveKey(profile.id, Playground.newApiKey());
          return this.view(profile);
        }),

      startTunnel: (id) => mutate(() => tunnels.start(id)),
      stopTunnel: (id) => mutate(() => tunnels.stop(id)),
      restartTunnel: (id) => mutate(() => tunnels.restart(id)),
      killSession: async (profileId, sessionId) => tunnels.killSession(profileId, sessionId),
      testConnection: (id) => tunnels.testConnection(id),
      getLog: async (id) => tunnels.log(id),
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
  };
}
