import { AppCore } from './app-core.js';
import { Playground } from './playground.js';
import { openConfig } from './profile-store.js';
import { createKeychainSecretStore } from './secret-store.js';

/** The core as `pg-tunnel ui` and `pg-tunnel playground` run it: conf on disk, the OS keychain. */
export function createHeadlessCore(configDir: string, version: string): Promise<AppCore> {
  const secrets = createKeychainSecretStore();
  return AppCore.create({
    config: openConfig(configDir),
    secrets,
    playground: new Playground(configDir, secrets),
    version,
  });
}
