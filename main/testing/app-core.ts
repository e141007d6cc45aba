import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppCore } from '../service/app-core.js';
import { Playground } from '../service/playground.js';
import { openConfig } from '../service/profile-store.js';
import { createKeychainSecretStore, type SecretStore } from '../service/secret-store.js';

/** Keychain service of the tests, so that they never touch a user's saved keys. */
export const TEST_KEYCHAIN_SERVICE = 'pg-tunnel-test';

export interface TestCore {
  core: AppCore;
  configDir: string;
  secrets: SecretStore;
}

/** The real core on a fresh (or given) config directory and the real OS keychain. */
export async function createTestCore(configDir?: string): Promise<TestCore> {
  const dir = configDir ?? (await mkdtemp(join(tmpdir(), 'pg-tunnel-config-')));
  const secrets = createKeychainSecretStore(TEST_KEYCHAIN_SERVICE);
  const core = await AppCore.create({
    config: openConfig(dir),
    secrets,
    playground: new Playground(dir, secrets),
    version: 'test',
  });
  return { core, configDir: dir, secrets };
}
