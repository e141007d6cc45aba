import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';

/** Where a profile's API key lives: the OS keychain, one entry per profile id. */
export interface SecretStore {
  /** The secret saved for `account`, or undefined when there is none. */
  get(account: string): Promise<string | undefined>;
  /** Saves `secret` for `account`, replacing any earlier one. */
  set(account: string, secret: string): Promise<void>;
  /** Removes the secret of `account`; false when there was none. */
  delete(account: string): Promise<boolean>;
}

/**
 * No OS keychain can be used: no D-Bus session bus, no Secret Service on it, or a keyring that is
 * locked and could not be unlocked. The message is one sentence that says what is missing and how
 * to get it; `cause` holds the keychain library's own error.
 */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}

const LINUX_REMEDY =
  'install and unlock GNOME Keyring (`apt-get install gnome-keyring`) or enable the Secret Service integration of KeePassXC';

/** Where no keychain can be had: the way forward that needs none (see createSecretChoice). */
const NO_KEYCHAIN_WAY =
  'on a server, in WSL or a container, save the profile with "Keep it in a file instead" to keep its secret in an owner-only file (docs/no-keychain.md)';

/**
 * On Linux, @napi-rs/keyring tries the Secret Service and, when there is none, silently falls back
 * to the kernel keyutils keyring, which is in memory only: secrets saved there vanish at reboot and
 * cannot even be read back by a later process. Pinning the store makes "no Secret Service" an error
 * instead. The option is ignored on macOS and Windows.
 */
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/** The OS keychain: macOS Keychain, Windows Credential Manager, the Linux Secret Service. */
export function createKeychainSecretStore(service = 'pg-tunnel'): SecretStore {
  return {
    async get(account) {
      const password = await withEntry(service, account, 'read', (entry) => entry.getPassword());
      return password ?? undefined;
    },
    async set(account, secret) {
      await withEntry(service, account, 'save', (entry) => entry.setPassword(secret), secret);
    },
    async delete(account) {
      return withEntry(service, account, 'delete', (entry) => entry.deleteCredential());
    },
  };
}

/**
 * Opens the entry and runs `operation` on it, turning the library's errors into ours. The entry is
 * opened for each call (its constructor connects to the store), so a keychain that appears or comes
 * back later is picked up without restarting.
 */
async function withEntry<T>(
  service: string,
  account: string,
  verb: 'read' | 'save' | 'delete',
  operation: (entry: AsyncEntry) => Promise<T>,
  secret?: string,
): Promise<T> {
  try {
    return await operation(new AsyncEntry(service, account, ENTRY_OPTIONS));
  } catch (error) {
    throw translate(error, service, account, verb, secret);
  }
}

function translate(
  error: unknown,
  service: string,
  account: string,
  verb: string,
  secret: string | undefined,
): Error {
  const message = error instanceof Error ? error.message : String(error);
  const detail = withoutSecret(message, secret).replace(/\.$/, '');
  // The library's own error goes along as the cause, unless it would carry the secret.
  const options = leaksSecret(error, secret) ? {} : { cause: error };
  const unavailable = unavailableSentence(detail);
  if (unavailable !== undefined) {
    return new KeychainUnavailableError(unavailable, options);
  }
  return new Error(
    `The OS keychain could not ${verb} the secret of ${JSON.stringify(account)} (service ${JSON.stringify(service)}): ${detail}.`,
    options,
  );
}

/**
 * keyring-core prefixes its messages with the error kind: "Platform failure: …" when the store
 * cannot be reached, "Couldn't access platform storage: …" when it refuses access (locked). Other
 * kinds (ambiguous entry, bad encoding, invalid argument) are not about availability.
 */
function unavailableSentence(detail: string): string | undefined {
  const platformFailure = detail.startsWith('Platform failure');
  const noAccess = detail.startsWith("Couldn't access platform storage");
  if (!platformFailure && !noAccess) {
    return undefined;
  }
  if (process.platform === 'darwin') {
    return `The macOS Keychain could not be used (${detail}); it needs nothing installed, so unlock your login keychain in Keychain Access and try again.`;
  }
  if (process.platform === 'win32') {
    return `Windows Credential Manager could not be used (${detail}); it needs nothing installed, so run pg-tunnel in your own logged-in Windows session and try again.`;
  }
  if (
    /DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to socket|connection refused/i.test(
      detail,
    )
  ) {
    return `No OS keychain is available because there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or leads nowhere), which the Linux Secret Service runs on; run pg-tunnel in a desktop login session and ${LINUX_REMEDY}; or, ${NO_KEYCHAIN_WAY}.`;
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|No DBus session or Secret Service/i.test(detail)) {
    return `No OS keychain is available because nothing provides the Secret Service (org.freedesktop.secrets) on the D-Bus session bus; ${LINUX_REMEDY}; or, ${NO_KEYCHAIN_WAY}.`;
  }
  if (/prompt was dismissed|locked/i.test(detail)) {
    return `The OS keychain is locked and could not be unlocked (the unlock prompt was dismissed or could not be shown); unlock your login keyring in GNOME Keyring or KeePassXC, for example by logging in to the desktop, and try again.`;
  }
  if (/no result found/i.test(detail)) {
    return `The Secret Service has no default keyring to save secrets in; create and unlock one (GNOME Keyring's "Passwords and Keys", KeePassXC, or \`gnome-keyring-daemon --unlock\`) and try again.`;
  }
  return `The Linux Secret Service could not be used (${detail}); ${LINUX_REMEDY}.`;
}

function withoutSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[secret]') : text;
}

/** True when the error, or anything in its cause chain, mentions the secret. */
function leaksSecret(error: unknown, secret: string | undefined): boolean {
  if (!secret) {
    return false;
  }
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 10; depth++) {
    const text = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    if (text.includes(secret)) {
      return true;
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}
