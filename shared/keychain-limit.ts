/**
 * The longest secret each platform's keychain holds, in UTF-16 code units (JavaScript's
 * `string.length`). Windows Credential Manager stores a credential's blob in at most
 * CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 × 512 bytes (wincred.h; learn.microsoft.com, CREDENTIALW),
 * and the keychain library writes the secret as UTF-16, two bytes a unit: 1,280. macOS Keychain
 * and the Secret Service take far more than any key or password a form accepts.
 */
const KEYCHAIN_LIMITS: Readonly<Record<string, { units: number; name: string }>> = {
  win32: { units: 1280, name: 'Windows Credential Manager' },
};

/**
 * Whether the keychain of `platform` (a Node.js platform name: 'win32', 'darwin', 'linux'; the
 * machine the core runs on) can hold `secret`. Returns a sentence for the field when it cannot,
 * saying what happened and what to do; undefined when it can (or the platform is not known).
 *
 * @param what the secret as the sentence names it ("The API key", "The password").
 */
export function keychainLimitProblem(
  secret: string,
  platform: string | undefined,
  what: string,
): string | undefined {
  const limit = platform === undefined ? undefined : KEYCHAIN_LIMITS[platform];
  if (!limit || secret.length <= limit.units) {
    return undefined;
  }
  return `${what} is ${secret.length.toLocaleString('en')} characters long, and ${limit.name} holds at most ${limit.units.toLocaleString('en')}: use a shorter one (ask whoever issued it).`;
}
