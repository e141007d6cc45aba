import { openLocalCa } from '../tls/index.js';
import { AppCore } from './app-core.js';
import { Playground } from './playground/index.js';
import { makeConfigDirPrivate } from './private-files.js';
import { openConfig } from './profile-store.js';
import { Credentials } from './credentials.js';
import { SecretBindings } from './secret-binding.js';
import { createSecretChoice } from './secret-choice.js';
import { createFileSecretStore } from './secret-file.js';
import { claimingSecretStore } from './keychain-claim.js';
import { createKeychainSecretStore } from './secret-store.js';

/** What differs between the shells that build the core. */
export interface AppCoreSetup {
  /**
   * Where profiles (profiles.json) and the playground live: `defaultConfigDir()` for the tray app,
   * `pg-tunnel ui` and `pg-tunnel playground` alike, or `--config-dir`.
   */
  configDir: string;
  /** Shown in the window's settings. */
  version: string;
  /** The keychain service holding the API keys (default "pg-tunnel"); the tests use their own. */
  keychainService?: string;
  /**
   * How often, in ms, a running tunnel with TLS looks whether its local certificate is due for
   * renewal (default daily); the tests make it short.
   */
  localTlsCheckIntervalMs?: number;
  /**
   * The program building the core, as other shells name who runs the playground
   * ("pg-tunnel ui", "the tray app"; default "PG Tunnel").
   */
  shell?: string;
  /** The platform whose keychain holds the secrets (default process.platform; see AppCoreOptions). */
  platform?: string;
  /**
   * macOS: the program whose own the keychain items are to be ('tray-app'): items it reads that
   * another program made are saved again as its own (claimingSecretStore). Unset: read as they are.
   */
  keychainOwner?: string;
  /** Where the one line about a config folder made private goes (default: standard output). */
  log?: (line: string) => void;
}

/**
 * The one composition root of the app core, which the tray app, `pg-tunnel ui`, `pg-tunnel
 * playground` and the tests all call: profiles in `conf` in `configDir`, API keys in the OS
 * keychain (or, for a profile whose user chose it, in the owner-only secrets file beside them), the playground and the local CA (`tls/`) beside them. Nothing is read from the keychain here, so this works on
 * a machine without one.
 *
 * The config folder is made owner-only first (see makeConfigDirPrivate), and `log` told once
 * when that corrected an earlier version's modes.
 *
 * @throws conf's error when profiles.json exists but is not valid JSON (it is never cleared).
 */
export async function composeAppCore({
  configDir,
  version,
  keychainService,
  localTlsCheckIntervalMs,
  shell,
  platform,
  keychainOwner,
  log = (line) => console.info(line),
}: AppCoreSetup): Promise<AppCore> {
  makeConfigDirPrivate(configDir, log);
  const keychain = createKeychainSecretStore(keychainService);
  const claimed =
    keychainOwner && (platform ?? process.platform) === 'darwin'
      ? claimingSecretStore(keychain, {
          configDir,
          program: keychainOwner,
          warn: (message) => console.warn(message),
        })
      : keychain;
  const config = openConfig(configDir);
  return new AppCore({
    config,
    credentials: new Credentials(
      createSecretChoice(claimed, createFileSecretStore(configDir)),
      new SecretBindings(config),
    ),
    playground: new Playground(configDir, claimed, shell),
    localCa: () => openLocalCa(configDir),
    localTlsCheckIntervalMs,
    version,
    ...(platform ? { platform } : {}),
  });
}
