import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConnectionInput } from '../../shared/connection-input.js';
import type { Profile, ProfileInput } from '../../shared/profile.js';
import type { AppCore } from '../service/app-core.js';
import { runsAsRoot } from '../service/playground/location.js';
import { composeAppCore, type AppCoreSetup } from '../service/compose.js';
import { DEFAULT_SETTINGS } from '../service/profiles-file.js';
import { createKeychainSecretStore, type SecretStore } from '../service/secret-store.js';

/** Keychain service of the tests, so that they never touch a user's saved keys. */
export const TEST_KEYCHAIN_SERVICE = 'pg-tunnel-test';

export interface TestCore {
  core: AppCore;
  configDir: string;
  /** The keychain as the core sees it (the tests' own service), to check what it holds. */
  secrets: SecretStore;
}

/**
 * A fresh config directory, private as PG Tunnel makes it: its owner's alone, except that as root
 * other users may pass through (not list it), because the playground's Postgres then runs as the
 * user "postgres", which must reach its data inside.
 */
export async function newConfigDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-config-'));
  await chmod(dir, runsAsRoot() ? 0o711 : 0o700);
  return dir;
}

/**
 * The real core, composed by the same function as the tray app and `pg-tunnel ui`, on a fresh (or
 * given) config directory and the real OS keychain under the tests' own service; `setup` changes
 * what the shells leave as it is (the local certificate's check interval).
 */
export async function createTestCore(
  configDir?: string,
  setup: Pick<AppCoreSetup, 'localTlsCheckIntervalMs'> = {},
): Promise<TestCore> {
  const dir = configDir ?? (await newConfigDir());
  const core = await composeAppCore({
    configDir: dir,
    version: 'test',
    keychainService: TEST_KEYCHAIN_SERVICE,
    ...setup,
  });
  return { core, configDir: dir, secrets: createKeychainSecretStore(TEST_KEYCHAIN_SERVICE) };
}

/** A playground profile as the window creates it; `changes` make other profiles from it. */
export function savedProfile(id: string, changes: Partial<Profile> = {}): Profile {
  return {
    id,
    name: 'Local playground',
    kind: 'playground',
    gatewayUrl: '',
    host: '127.0.0.1',
    port: null,
    portMode: 'random',
    autoStart: false,
    tls: true,
    ...changes,
  };
}

/** Writes profiles.json in `configDir` as an earlier run would have left it (owner-only). */
export async function saveProfiles(configDir: string, profiles: Profile[]): Promise<void> {
  await writeFile(
    join(configDir, 'profiles.json'),
    JSON.stringify({ profiles, settings: DEFAULT_SETTINGS }),
    { mode: 0o600 },
  );
}

/**
 * What the window sends once a postgres:// `url` (its password in it) was pasted into the add
 * form and saved as a profile named `name`.
 */
export function pastedDirectProfile(name: string, url: string): ProfileInput {
  const input = readConnectionInput(url, 'The pasted value');
  if (input.kind !== 'direct') {
    throw new Error(`Not a direct connection string: ${JSON.stringify(input)}`);
  }
  return { name, kind: 'direct', upstream: input.upstream, password: input.password };
}
