import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Conf from 'conf';
import { DEFAULT_LOCAL_TLS, type Profile } from '../../shared/profile.js';
import type { Settings } from '../../shared/tunnel-state.js';

/** What the config file holds. Never a secret: keys live in the keychain. */
export interface StoreShape {
  profiles: Profile[];
  settings: Settings;
  /** Where each saved secret may go, by profile id (see SecretBindings); absent before 0.2. */
  secretBindings?: Record<string, string>;
}

export const DEFAULT_SETTINGS: Settings = {
  startAtLogin: false,
  startHidden: true,
  autoStartTunnels: true,
};

/** The part of `conf` the core uses. */
export type ConfigBackend = Pick<Conf<StoreShape>, 'get' | 'set' | 'path'>;

/** profiles.json cannot be used; the message says which file and what to do. */
export class ProfilesFileError extends Error {
  override readonly name = 'ProfilesFileError';
}

/**
 * Opens `<configDir>/profiles.json` with conf (created with the defaults when absent).
 *
 * @throws ProfilesFileError when the file exists but is not valid JSON: it is a user's saved work,
 *   so it is never cleared.
 */
export function openConfig(configDir: string): ConfigBackend {
  try {
    return new Conf<StoreShape>({
      cwd: configDir,
      configName: 'profiles',
      projectName: 'pg-tunnel',
      defaults: { profiles: [], settings: DEFAULT_SETTINGS },
      clearInvalidConfig: false,
      // Owner-only: it lists every gateway URL and database address (see makeConfigDirPrivate).
      configFileMode: 0o600,
    });
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new ProfilesFileError(
        `The profiles file ${join(configDir, 'profiles.json')} is not valid JSON (${error.message}); PG Tunnel never clears it: fix it, or move it away to start with no tunnels.`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The kind earlier versions gave tunnel profiles (an API key and a gateway). */
const LEGACY_TUNNEL_KIND = 'remote';

/** Profiles and settings, persisted through the config backend on every change. */
export class ProfileStore {
  /** Renames the kind of profiles saved by earlier versions ('remote' → 'tunnel'), once. */
  constructor(private readonly config: ConfigBackend) {
    const stored = config.get('profiles');
    if (stored.some((p) => (p.kind as string) === LEGACY_TUNNEL_KIND)) {
      config.set(
        'profiles',
        stored.map((p) =>
          (p.kind as string) === LEGACY_TUNNEL_KIND ? { ...p, kind: 'tunnel' as const } : p,
        ),
      );
    }
  }

  /** The profiles; a field that earlier versions did not save reads as its default. */
  list(): Profile[] {
    return this.config
      .get('profiles')
      .map((profile) => ({ ...profile, tls: profile.tls ?? DEFAULT_LOCAL_TLS }));
  }

  get(id: string): Profile | undefined {
    return this.list().find((p) => p.id === id);
  }

  /** Throws a sentence when no profile has this id. */
  require(id: string): Profile {
    const profile = this.get(id);
    if (!profile) {
      throw new Error('That tunnel no longer exists; it may have been deleted in another window.');
    }
    return profile;
  }

  add(fields: Omit<Profile, 'id'>): Profile {
    const profile: Profile = { id: randomUUID(), ...fields };
    this.config.set('profiles', [...this.list(), profile]);
    return profile;
  }

  update(id: string, changes: Partial<Omit<Profile, 'id' | 'kind'>>): Profile {
    const updated = { ...this.require(id), ...changes };
    this.config.set(
      'profiles',
      this.list().map((p) => (p.id === id ? updated : p)),
    );
    return updated;
  }

  delete(id: string): void {
    this.config.set(
      'profiles',
      this.list().filter((p) => p.id !== id),
    );
  }

  settings(): Settings {
    return { ...DEFAULT_SETTINGS, ...this.config.get('settings') };
  }

  updateSettings(changes: Partial<Settings>): Settings {
    const settings = { ...this.settings(), ...changes };
    this.config.set('settings', settings);
    return settings;
  }
}
