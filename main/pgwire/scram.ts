import saslprep from '@mongodb-js/saslprep';
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM-SHA-256 client side (RFC 5802, RFC 7677) as Postgres speaks it: the user name taken from
 * the startup packet, and channel binding (SCRAM-SHA-256-PLUS, tls-server-end-point) over TLS.
 * https://www.postgresql.org/docs/current/sasl-authentication.html
 */
export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
export const SCRAM_SHA_256_PLUS = 'SCRAM-SHA-256-PLUS';

/**
 * The channel binding of one exchange, as the gs2-cbind-flag of RFC 5802 §7 says it: 'n' the
 * client does not bind; 'y' it could, but the server offered no -PLUS mechanism (a server that
 * can bind then refuses: it was a downgrade); 'p' it binds the login to the TLS connection with
 * `data`, the tls-server-end-point hash of the server's certificate (RFC 5929 §4.1).
 */
export type ScramChannelBinding = { flag: 'n' } | { flag: 'y' } | { flag: 'p'; data: Buffer };

/** The only channel binding type Postgres supports. */
export const CHANNEL_BINDING_TYPE = 'tls-server-end-point';
/** Random bytes in a nonce of ours (Postgres uses 18 too: SCRAM_RAW_NONCE_LEN). */
export const NONCE_BYTES = 18;
/**
 * PBKDF2 runs on the event loop: an upstream asking for more rounds than this would stall every
 * session of the gateway. Postgres defaults to 4096.
 */
export const MAX_SCRAM_ITERATIONS = 1_000_000;

/** The keys SCRAM derives from a password, its salt and iteration count (RFC 5802 §3). */
export interface DerivedKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/**
 * PBKDF2 is the whole cost of a SCRAM login (4096 rounds of HMAC by default). Salt and iteration
 * count are fixed per role, so the derived keys can be kept and reused for every later login of the
 * same role: a cache per upstream (one password) keyed by salt and iteration count.
 */
export class ScramKeyCache {
  private readonly keys = new Map<string, DerivedKeys>();

  derive(password: string, salt: Buffer, iterations: number): DerivedKeys {
    const id = `${iterations}:${salt.toString('base64')}`;
    let keys = this.keys.get(id);
    if (!keys) {
      const salted = pbkdf2Sync(normalizePassword(password), salt, iterations, 32, 'sha256');
      const clientKey = hmac(salted, 'Client Key');
      keys = { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
      this.keys.set(id, keys);
    }
    return keys;
  }
}

/** One SCRAM exchange: first message, then the final message, then the server's proof checked. */
export class ScramClient {
  private readonly clientNonce = randomBytes(NONCE_BYTES).toString('base64');
  private readonly clientFirstBare = `n=*,r=${this.clientNonce}`;
  private expectedServerSignature: Buffer | undefined;
  private serverVerified = false;

  private readonly gs2Header: string;

  /** `binding`: see ScramChannelBinding; none ('n') unless given. */
  constructor(
    private readonly password: string,
    private readonly cache: ScramKeyCache,
    private readonly binding: ScramChannelBinding = { flag: 'n' },
  ) {
    this.gs2Header = `${binding.flag === 'p' ? `p=${CHANNEL_BINDING_TYPE}` : binding.flag},,`;
  }

  /** The mechanism to name in SASLInitialResponse: -PLUS when binding. */
  get mechanism(): string {
    return this.binding.flag === 'p' ? SCRAM_SHA_256_PLUS : SCRAM_SHA_256;
  }

  /** client-first-message, for SASLInitialResponse. */
  firstMessage(): string {
    return `${this.gs2Header}${this.clientFirstBare}`;
  }

  /** client-final-message, for SASLResponse, in answer to the server-first-message. */
  finalMessage(serverFirst: string): string {
    const attributes = parseAttributes(serverFirst);
    const nonce = attributes.get('r');
    const salt = attributes.get('s');
    const iterations = Number(attributes.get('i'));
    if (!nonce || !nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw new Error('the server answered SCRAM with a nonce that does not extend ours');
    }
    if (!salt || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error('the server sent a malformed SCRAM server-first-message');
    }
    if (iterations > MAX_SCRAM_ITERATIONS) {
      throw new Error(
        `the server asks for ${iterations} SCRAM iterations, more than PG Tunnel allows (${MAX_SCRAM_ITERATIONS})`,
      );
    }
    const keys = this.cache.derive(this.password, Buffer.from(salt, 'base64'), iterations);
    // c=: the GS2 header, then the channel binding data when binding (RFC 5802 §7).
    const channelBinding = Buffer.concat([
      Buffer.from(this.gs2Header),
      this.binding.flag === 'p' ? this.binding.data : Buffer.alloc(0),
    ]).toString('base64');
    const withoutProof = `c=${channelBinding},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = hmac(keys.storedKey, authMessage);
    const proof = Buffer.alloc(clientSignature.length);
    for (let i = 0; i < proof.length; i++) {
      proof[i] = keys.clientKey[i]! ^ clientSignature[i]!;
    }
    this.expectedServerSignature = hmac(keys.serverKey, authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Throws unless the server-final-message proves the server knows the password too. */
  verifyServerFinal(serverFinal: string): void {
    const signature = parseAttributes(serverFinal).get('v');
    const expected = this.expectedServerSignature;
    const received = signature ? Buffer.from(signature, 'base64') : Buffer.alloc(0);
    if (!expected || received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new Error('the server could not prove it knows the SCRAM password');
    }
    this.serverVerified = true;
  }

  /**
   * Whether the server proved it knows the password (its signature checked). A login that ends
   * before that was not authenticated by the server: whoever answered may not be it.
   */
  get finished(): boolean {
    return this.serverVerified;
  }
}

/**
 * Postgres runs the password through SASLprep (RFC 4013) and, where that fails (prohibited
 * characters), uses the raw bytes: do the same or such passwords never match.
 */
function normalizePassword(password: string): string {
  try {
    return saslprep(password);
  } catch {
    return password;
  }
}

/** The `x=value` attributes of a SCRAM message (RFC 5802 §5.1), by their one-letter name. */
export function parseAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) {
      attributes.set(part[0]!, part.slice(2));
    }
  }
  return attributes;
}

/** HMAC-SHA-256 of `data` under `key`: SCRAM-SHA-256's HMAC() (RFC 7677). */
export function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** SHA-256 of `data`: SCRAM-SHA-256's H() (RFC 7677). */
export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
