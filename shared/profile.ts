import { parseApiKeyInput } from './api-key.js';
import { keychainLimitProblem } from './keychain-limit.js';
import { validateDirectUpstream, type DirectUpstream } from './direct-upstream.js';

/**
 * tunnel: an API key and a WebSocket to a gateway; direct: a Postgres connection string, PG
 * Tunnel logging in itself; playground: a local Postgres behind an in-process gateway.
 */
export type ProfileKind = 'tunnel' | 'direct' | 'playground';

/** The kinds a user adds; there is one playground, which PG Tunnel makes. */
export type AddedProfileKind = Exclude<ProfileKind, 'playground'>;

export interface Profile {
  id: string;
  name: string;
  kind: ProfileKind;
  /** wss:// URL of the gateway of a tunnel profile; '' for the other kinds. */
  gatewayUrl: string;
  /** Where a direct profile logs in (its password is in the keychain); absent for other kinds. */
  upstream?: DirectUpstream;
  host: string;
  /** null until first start when random: then the port the OS gave is kept. */
  port: number | null;
  portMode: 'random' | 'fixed';
  autoStart: boolean;
  /**
   * TLS on the local port: clients that ask for it (sslmode=require, verify-full with the local
   * CA, direct TLS) get it; those that do not still connect in plain text.
   */
  tls: boolean;
  /**
   * The local port has its own login: clients log in with a password PG Tunnel generated for this
   * profile (kept in the keychain with its other secret, never here), by SCRAM-SHA-256, with
   * channel binding over the local TLS. Absent or false: any local user connects with no password.
   */
  localLogin?: boolean;
  /**
   * A direct profile's warm logins: 'adaptive' (absent means it) holds a few connections to the
   * database logged in ahead of need while the tunnel is in use, so that a client opening the
   * same connection as a recent one starts in zero round trips; 'off' holds none. See
   * docs/desktop.md, "Warm logins".
   */
  warmLogins?: WarmLoginsMode;
}

/** Whether a direct profile holds warm logins (see Profile.warmLogins). */
export type WarmLoginsMode = 'adaptive' | 'off';
export const WARM_LOGINS_MODES: readonly WarmLoginsMode[] = ['adaptive', 'off'];

/** What the renderer may see of a profile: never its secret, only a mask. */
export interface ProfileView extends Profile {
  /**
   * The secret's mask once the core has read or saved it in this run (it reads secrets when a
   * tunnel starts, never all at launch): an API key's last four characters, a password's bullets
   * only. null before that, or when there is none.
   */
  secretMask: string | null;
}

/**
 * Fields a user fills in to add or edit a profile. A secret (`apiKey`, `password`) omitted on
 * edit keeps the saved one.
 */
export interface ProfileInput {
  name: string;
  /** What to add (default tunnel); a saved profile keeps its kind. */
  kind?: AddedProfileKind;
  gatewayUrl?: string;
  host?: string;
  port?: number | null;
  portMode?: 'random' | 'fixed';
  autoStart?: boolean;
  tls?: boolean;
  /** Whether the local port asks its own password (see Profile.localLogin). */
  localLogin?: boolean;
  /** A direct profile's warm logins (see Profile.warmLogins). */
  warmLogins?: WarmLoginsMode;
  /** A tunnel's API key: bare, or a DATABASE_URL holding one. */
  apiKey?: string;
  /** A direct profile's connection, without its password. */
  upstream?: DirectUpstream;
  /** A direct profile's password, for the keychain. */
  password?: string;
  /**
   * Adding: the id of the ConnectionSource the form was filled from, whose password (from the
   * service or password file) the core saves to the keychain when `password` is not given.
   */
  passwordFrom?: string;
  /** A direct profile's client key passphrase (libpq's sslpassword), for the keychain. */
  sslPassword?: string;
  /**
   * Keep the secret given here (`apiKey` or `password`) in an owner-only file in the config
   * directory instead of the OS keychain, from now on: the user's explicit choice where no
   * keychain can be had (a server, WSL, a container), which the form offers after the keychain's
   * error. Never set for them.
   */
  secretInFile?: boolean;
}

export const DEFAULT_GATEWAY_URL = 'wss://ppg-tunnel.prisma-data.net/websocket';
export const DEFAULT_HOST = '127.0.0.1';
/**
 * Whether the local port offers TLS unless a profile or `--tls` says otherwise (the figures behind
 * this choice are in docs/benchmark.md).
 */
export const DEFAULT_LOCAL_TLS = true;

/** A sentence per field at fault; a direct profile's fields as `upstream.host` and so on. */
export type ProfileErrors = Partial<
  Record<keyof ProfileInput | `upstream.${keyof DirectUpstream}`, string>
>;

/**
 * Inline validation, shared by the renderer (as the user types) and the core (the authority).
 * `kind` is what the input is for; `adding` requires what a new profile of that kind needs (a
 * tunnel's key, a direct profile's connection; a password is optional, as some servers ask none).
 * `platform`, when given, is the machine whose keychain will hold the secret (a Node.js platform
 * name): a secret longer than that keychain holds is refused with a sentence (keychainLimitProblem).
 */
export function validateProfileInput(
  input: ProfileInput,
  { kind, adding, platform }: { kind: ProfileKind; adding: boolean; platform?: string },
): ProfileErrors {
  const errors: ProfileErrors = {};
  if (!input.name.trim()) {
    errors.name = 'Give the tunnel a name.';
  } else if (input.name.length > 80) {
    errors.name = 'Keep the name under 80 characters.';
  }
  if (input.gatewayUrl !== undefined && !/^wss?:\/\/[^\s/]+(\/\S*)?$/.test(input.gatewayUrl)) {
    errors.gatewayUrl = 'The gateway URL starts with wss:// (or ws:// for a local gateway).';
  }
  if (input.host !== undefined && !/^[A-Za-z0-9.:-]+$/.test(input.host)) {
    errors.host = 'The host is an address of this machine, such as 127.0.0.1.';
  }
  if (input.portMode === 'fixed') {
    const port = input.port;
    if (
      port === null ||
      port === undefined ||
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65535
    ) {
      errors.port = 'A fixed port is a number from 1 to 65535.';
    }
  }
  if (kind === 'tunnel' && (input.apiKey !== undefined || adding)) {
    const parsed = parseApiKeyInput(input.apiKey ?? '', 'The API key');
    if (!parsed.ok) {
      errors.apiKey = parsed.error;
    } else {
      const tooLong = keychainLimitProblem(parsed.apiKey, platform, 'The API key');
      if (tooLong) {
        errors.apiKey = tooLong;
      }
    }
  }
  if (input.warmLogins !== undefined && !WARM_LOGINS_MODES.includes(input.warmLogins)) {
    errors.warmLogins = 'Warm logins are adaptive or off.';
  } else if (input.warmLogins !== undefined && kind !== 'direct') {
    errors.warmLogins = 'Only a direct profile logs in itself, and so has warm logins.';
  }
  if (kind === 'direct') {
    if (input.upstream) {
      for (const [field, message] of Object.entries(validateDirectUpstream(input.upstream))) {
        errors[`upstream.${field as keyof DirectUpstream}`] = message;
      }
    } else if (adding) {
      errors.upstream = 'Paste the database URL, or fill in its host and user.';
    }
    if (
      input.password !== undefined &&
      (typeof input.password !== 'string' || input.password.includes('\0'))
    ) {
      errors.password = 'The password is text without zero bytes, which Postgres cannot take.';
    } else if (input.password !== undefined) {
      const tooLong = keychainLimitProblem(input.password, platform, 'The password');
      if (tooLong) {
        errors.password = tooLong;
      }
    }
  }
  return errors;
}
