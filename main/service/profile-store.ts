import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Conf from 'conf';
import type { Profile } from '../../shared/profile.js';
import type { Settings } from '../../shared/tunnel-state.js';
import { DEFAULT_SETTINGS, readProfilesFile, type StoreShape } from './profiles-file.js';

/** The part of `conf` the core uses. */
export type ConfigBackend = Pick<Conf<StoreShape>, 'get' | 'set' | 'path' | 'store'>;

/** profiles.json cannot be used; the message says which file and what to do. */
export class ProfilesFileError extends Error {
  override readonly name = 'ProfilesFileError';
}

/**
 * Opens `<configDir>/profiles.json` with conf (created with the defaults when absent).
 *
 * @throws ProfilesFileError when the file exists but is not valid JSON: it is a user's saved work,
 *   so it is never cleared (its content is read through its schema by ProfileStore).
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

/** Profiles and settings, persisted through the config backend on every change. */
export class ProfileStore {
  /**
   * Reads the file through its migrations and schema (readProfilesFile); a migrated file is
   * written back once, in this version's shape.
   *
   * @throws ProfilesFileError naming the file and the field that does not fit; the file is kept.
   */
  constructor(private readonly config: ConfigBackend) {
    let read: ReturnType<typeof readProfilesFile>;
    try {
      read = readProfilesFile(config.store, config.path);
    } catch (error) {
      throw new ProfilesFileError(
        `${(error as Error).message} PG Tunnel keeps it as it is: fix that field, or move the file away to start with no tunnels.`,
      );
    }
    if (read.migrated) {
      config.set('profiles', read.shape.profiles);
      config.set('settings', read.shape.settings);
    }
  }

  list(): Profile[] {
    return this.config.get('profiles');
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
    return this.config.get('settings');
  }

  updateSettings(changes: Partial<Settings>): Settings {
    const settings = { ...this.settings(), ...changes };
    this.config.set('settings', settings);
    return settings;
  }
}
