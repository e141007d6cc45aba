import { maskApiKey } from '../../shared/api-key.js';
import { PASSWORD_MASK } from '../../shared/direct-upstream.js';
import type { Profile, ProfileKind } from '../../shared/profile.js';
import type { ChosenSecretStore } from './secret-choice.js';
import { forgetLocalPassword, localPasswordOf, sslPasswordAccount } from './local-password.js';
import { SecretBindings, SecretDestinationChanged, secretDestination } from './secret-binding.js';

/**
 * Every profile's secret (a tunnel's API key, a direct profile's password) as one service: where
 * it is kept (the keychain, or the owner-only file the user chose), the one destination it may go
 * to (SecretBindings), and the mask the window shows once it was read or saved in this run.
 * Composed at the root and handed to the core, which saves, copies and forgets secrets, and to
 * the tunnel targets, which read one before a dial. The playground's key is the playground's own
 * and never passes here.
 */
export class Credentials {
  /** The mask of each secret read or saved in this run (absent: not read yet). */
  private readonly masks = new Map<string, string>();

  constructor(
    private readonly store: ChosenSecretStore,
    private readonly bindings: SecretBindings,
  ) {}

  /** The window's mask of the secret of `id`: null until read or saved in this run. */
  mask(id: string): string | null {
    return this.masks.get(id) ?? null;
  }

  /**
   * The secret to send to `profile`'s destination now, or undefined when none is saved. A secret
   * saved by a version that recorded no destination is bound to the profile's at this first use.
   *
   * @throws SecretDestinationChanged when it was saved for another destination: nothing is sent.
   * @throws KeychainUnavailableError (and the store's other errors) when it cannot be read.
   */
  async forDial(profile: Profile): Promise<string | undefined> {
    const secret = await this.store.get(profile.id);
    if (secret === undefined) {
      return undefined;
    }
    this.masks.set(profile.id, maskOf(profile.kind, secret));
    const destination = secretDestination(profile)!;
    const savedFor = this.bindings.get(profile.id);
    if (savedFor === undefined) {
      this.bindings.bind(profile.id, destination);
    } else if (savedFor !== destination) {
      throw new SecretDestinationChanged(profile, savedFor, destination);
    }
    return secret;
  }

  /**
   * Saves `secret` for profile `id` of `kind`, bound to `destination` (where the profile leads
   * once saved); `inFile`: in the owner-only file, as the user chose, instead of the keychain.
   *
   * @throws KeychainUnavailableError when the keychain cannot be had (and `inFile` is not set).
   */
  async save(
    id: string,
    kind: ProfileKind,
    secret: string,
    destination: string | undefined,
    { inFile = false }: { inFile?: boolean } = {},
  ): Promise<void> {
    await (inFile ? this.store.keepInFile(id, secret) : this.store.set(id, secret));
    this.masks.set(id, maskOf(kind, secret));
    if (destination !== undefined) {
      this.bindings.bind(id, destination);
    }
  }

  /** Gives `copy` the secret of profile `id`, kept where that one's is, bound where it was. */
  async copy(id: string, copy: Profile): Promise<void> {
    const secret = await this.store.get(id);
    if (secret === undefined) {
      return;
    }
    await this.store.setBeside(id, copy.id, secret);
    this.masks.set(copy.id, maskOf(copy.kind, secret));
    const savedFor = this.bindings.get(id);
    if (savedFor !== undefined) {
      this.bindings.bind(copy.id, savedFor);
    }
  }

  /**
   * The profile `id` is deleted: its secret, its local password, its key passphrase, binding and
   * mask go with it. `ownSecret` false: the profile's own secret is not here (the playground's).
   */
  async forget(id: string, { ownSecret = true }: { ownSecret?: boolean } = {}): Promise<void> {
    // The secrets kept beside the profile's own go first: where they are depends on it.
    await forgetLocalPassword(this.store, id);
    await this.store.deleteBeside(id, sslPasswordAccount(id));
    if (ownSecret) {
      await this.store.delete(id);
    }
    this.bindings.forget(id);
    this.masks.delete(id);
  }

  /**
   * The password of profile `id`'s local port (Profile.localLogin): the saved one, or one made
   * and saved now beside the profile's own secret (see localPasswordOf).
   *
   * @throws KeychainUnavailableError when the keychain cannot be reached.
   */
  localPassword(id: string): Promise<string> {
    return localPasswordOf(this.store, id);
  }

  /** The profile's local login was turned off: its password is forgotten. */
  forgetLocalPassword(id: string): Promise<void> {
    return forgetLocalPassword(this.store, id);
  }

  /** A direct profile's client key passphrase (libpq's sslpassword), if one is saved. */
  sslPassword(id: string): Promise<string | undefined> {
    return this.store.getBeside(id, sslPasswordAccount(id));
  }

  /** Saves a direct profile's client key passphrase beside its password. */
  saveSslPassword(id: string, passphrase: string): Promise<void> {
    return this.store.setBeside(id, sslPasswordAccount(id), passphrase);
  }

  /**
   * The user confirmed that the saved secret may go to `profile`'s destination now.
   *
   * @returns false, binding nothing, when there is no saved secret (or no destination) to confirm.
   */
  async confirmDestination(profile: Profile): Promise<boolean> {
    const destination = secretDestination(profile);
    if (destination === undefined || (await this.store.get(profile.id)) === undefined) {
      return false;
    }
    this.bindings.bind(profile.id, destination);
    return true;
  }
}

function maskOf(kind: ProfileKind, secret: string): string {
  return kind === 'direct' ? PASSWORD_MASK : maskApiKey(secret);
}
