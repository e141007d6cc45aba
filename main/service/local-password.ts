import { randomBytes } from 'node:crypto';
import type { ChosenSecretStore } from './secret-choice.js';

/** Random bytes in a generated local password: 144 bits, 24 URL-safe characters. */
const LOCAL_PASSWORD_BYTES = 18;

/** The secret store's account of a profile's local password, beside the profile's own secret. */
function localPasswordAccount(profileId: string): string {
  return `${profileId}.local-login`;
}

/**
 * The local password of profile `profileId` (see Profile.localLogin): the saved one, or a new
 * random one saved now where the profile's other secret is kept (the keychain, or the owner-only
 * file the user chose for it). base64url, so that it goes into URLs and conninfo strings as is.
 *
 * @throws KeychainUnavailableError when the keychain cannot be reached.
 */
export async function localPasswordOf(
  secrets: ChosenSecretStore,
  profileId: string,
): Promise<string> {
  const account = localPasswordAccount(profileId);
  const saved = await secrets.getBeside(profileId, account);
  if (saved !== undefined) {
    return saved;
  }
  const made = randomBytes(LOCAL_PASSWORD_BYTES).toString('base64url');
  await secrets.setBeside(profileId, account, made);
  return made;
}

/** Forgets a profile's local password (its local login was turned off, or it was deleted). */
export async function forgetLocalPassword(
  secrets: ChosenSecretStore,
  profileId: string,
): Promise<void> {
  await secrets.deleteBeside(profileId, localPasswordAccount(profileId));
}

/** The secret store's account of a direct profile's client key passphrase (libpq's sslpassword). */
export function sslPasswordAccount(profileId: string): string {
  return `${profileId}.sslpassword`;
}
