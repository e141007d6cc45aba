import type { SecretStore } from '../secret-store.js';

/** The keychain account where earlier versions of PG Tunnel kept the playground database's password. */
const LEGACY_PASSWORD_ACCOUNT = 'playground-postgres';

/** What earlier versions kept in the keychain for the playground. */
export interface LegacySecrets {
  /** The password of the database directory they used ("postgres"); null when the keychain had none. */
  password: string | null;
  /** The playground profile's API key, when the keychain had it. */
  apiKey: string | undefined;
}

/**
 * Reads the playground's secrets from where earlier versions kept them: the keychain, under the
 * account "playground-postgres" (the database password) and under the profile's id (its API key).
 *
 * @returns undefined when the keychain cannot be read now (none on this machine, or locked): the
 *   secrets then stay where they are, to be moved at a later start.
 */
export async function readLegacySecrets(
  keychain: SecretStore,
  profileId: string,
): Promise<LegacySecrets | undefined> {
  try {
    return {
      password: (await keychain.get(LEGACY_PASSWORD_ACCOUNT)) ?? null,
      apiKey: await keychain.get(profileId),
    };
  } catch {
    // No keychain, a locked one, or a refusal: nothing is lost, the secrets stay in the keychain.
    return undefined;
  }
}

/**
 * Removes those keychain entries, once their content is safely in the credentials file. A failure
 * leaves them in the keychain, where they harm nothing.
 */
export async function removeLegacySecrets(keychain: SecretStore, profileId: string): Promise<void> {
  await keychain.delete(LEGACY_PASSWORD_ACCOUNT).catch(() => false);
  await keychain.delete(profileId).catch(() => false);
}
