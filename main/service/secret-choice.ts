import { KeychainUnavailableError, type SecretStore } from './secret-store.js';

/** A secret store that keeps each profile's secret where its user chose: keychain or file. */
export interface ChosenSecretStore extends SecretStore {
  /**
   * Saves `secret` for `account` in the owner-only file instead of the keychain, from now on: the
   * user's explicit choice on a machine without an OS keychain, never made for them. Any copy in
   * the keychain is left to it (it cannot be reached anyway where this is chosen).
   */
  keepInFile(account: string, secret: string): Promise<void>;
  /** Saves `secret` for `account` where the secret of `like` is kept (a duplicated profile's). */
  setBeside(like: string, account: string, secret: string): Promise<void>;
  /**
   * The secret of `account` kept beside the secret of `like` (a profile's local password or key
   * passphrase): looked for only in the file when `like` is kept there, so a profile the user
   * keeps in the file never touches a keychain that is not there.
   */
  getBeside(like: string, account: string): Promise<string | undefined>;
  /** Deletes the secret of `account` kept beside that of `like` (see getBeside); true if one was. */
  deleteBeside(like: string, account: string): Promise<boolean>;
  /** The file the chosen secrets are kept in, for the warning that names it. */
  readonly filePath: string;
}

/**
 * The store the core uses: the OS keychain for every profile, except those whose user chose the
 * owner-only file (their account is in it). get() looks in the file first, so a profile kept
 * there never touches a keychain that is not there; set() writes where the profile's secret
 * already is (the keychain, unless it was kept in the file); delete() removes it from both.
 *
 * @param keychain the OS keychain (createKeychainSecretStore).
 * @param file the owner-only file (createFileSecretStore).
 */
export function createSecretChoice(
  keychain: SecretStore,
  file: SecretStore & { readonly path: string },
): ChosenSecretStore {
  const inFile = async (account: string): Promise<boolean> =>
    (await file.get(account)) !== undefined;
  const remove = async (account: string): Promise<boolean> => {
    const fromFile = await file.delete(account);
    try {
      return (await keychain.delete(account)) || fromFile;
    } catch (error) {
      // A profile kept in the file on a machine without a keychain: nothing more to delete.
      if (fromFile && error instanceof KeychainUnavailableError) {
        return true;
      }
      throw error;
    }
  };
  return {
    filePath: file.path,
    async get(account) {
      return (await file.get(account)) ?? keychain.get(account);
    },
    async set(account, secret) {
      await ((await inFile(account)) ? file : keychain).set(account, secret);
    },
    delete: remove,
    keepInFile: (account, secret) => file.set(account, secret),
    async setBeside(like, account, secret) {
      await ((await inFile(like)) ? file : keychain).set(account, secret);
    },
    async deleteBeside(like, account) {
      return (await inFile(like)) ? file.delete(account) : remove(account);
    },
    async getBeside(like, account) {
      return (await inFile(like))
        ? file.get(account)
        : ((await file.get(account)) ?? keychain.get(account));
    },
  };
}
