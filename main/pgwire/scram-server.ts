import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlState, type PgError } from './error-response.js';
import {
  CHANNEL_BINDING_TYPE,
  hmac,
  NONCE_BYTES,
  parseAttributes,
  SCRAM_SHA_256,
  SCRAM_SHA_256_PLUS,
  ScramKeyCache,
  sha256,
  type DerivedKeys,
} from './scram.js';

/**
 * What a server keeps of a SCRAM password (RFC 5802 §3; Postgres's pg_authid.rolpassword
 * `SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey`): never the password itself.
 */
export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  keys: Pick<DerivedKeys, 'storedKey' | 'serverKey'>;
}

/** Postgres's default (scram_iterations). */
const DEFAULT_ITERATIONS = 4096;
/** Postgres's salt length (SCRAM_DEFAULT_SALT_LEN). */
const SALT_BYTES = 16;

/** The verifier of `password` with a fresh random salt and Postgres's iteration count. */
export function scramVerifier(password: string): ScramVerifier {
  const salt = randomBytes(SALT_BYTES);
  const { storedKey, serverKey } = new ScramKeyCache().derive(password, salt, DEFAULT_ITERATIONS);
  return { salt, iterations: DEFAULT_ITERATIONS, keys: { storedKey, serverKey } };
}

/** One step of the server's side: the message to send on, or the error to end the login with. */
export type ScramStep = { ok: true; message: string } | { ok: false; error: PgError };

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as Postgres runs it
 * (src/backend/libpq/auth-scram.c; docs "SASL Authentication"): the user name in the messages is
 * ignored (the StartupMessage's counts), no authorization identity, and over TLS
 * SCRAM-SHA-256-PLUS with tls-server-end-point. Errors carry Postgres's SQLSTATEs and wording;
 * a wrong password is 28P01 `password authentication failed for user "…"`.
 */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  /**
   * @param user the StartupMessage's user, for the error a wrong password gets.
   * @param endPoint tls-server-end-point of the certificate the client sees (RFC 5929 §4.1) when
   *   the connection is TLS: SCRAM-SHA-256-PLUS is offered then; undefined in plain text.
   */
  constructor(
    private readonly verifier: ScramVerifier,
    private readonly user: string,
    private readonly endPoint: Buffer | undefined,
  ) {}

  /** The mechanisms for AuthenticationSASL, the strongest first as Postgres lists them. */
  get mechanisms(): string[] {
    return this.endPoint ? [SCRAM_SHA_256_PLUS, SCRAM_SHA_256] : [SCRAM_SHA_256];
  }

  /** Answers SASLInitialResponse (`mechanism`, client-first-message) with server-first-message. */
  first(mechanism: string, clientFirst: string): ScramStep {
    if (!this.mechanisms.includes(mechanism)) {
      return failed(
        SqlState.ProtocolViolation,
        'client selected an invalid SASL authentication mechanism',
      );
    }
    const plus = mechanism === SCRAM_SHA_256_PLUS;
    const flagEnd = clientFirst.indexOf(',');
    const flag = clientFirst.slice(0, flagEnd);
    if (flag === `p=${CHANNEL_BINDING_TYPE}`) {
      if (!plus) {
        return malformed(
          'The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.',
        );
      }
    } else if (flag.startsWith('p=')) {
      return failed(
        SqlState.ProtocolViolation,
        `unsupported SCRAM channel-binding type "${flag.slice(2)}"`,
      );
    } else if (flag === 'y' || flag === 'n') {
      if (plus) {
        return malformed(
          'The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.',
        );
      }
      if (flag === 'y' && this.endPoint) {
        return {
          ok: false,
          error: {
            severity: 'FATAL',
            code: SqlState.InvalidAuthorization,
            message: 'SCRAM channel binding negotiation error',
            detail:
              'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.',
          },
        };
      }
    } else {
      return malformed(`Unexpected channel-binding flag "${flag.slice(0, 1)}".`);
    }
    const authzEnd = clientFirst.indexOf(',', flagEnd + 1);
    if (authzEnd < 0) {
      return malformed('Expected attribute "n" but found end of string.');
    }
    if (authzEnd !== flagEnd + 1) {
      return failed(
        SqlState.FeatureNotSupported,
        'client uses authorization identity, but it is not supported',
      );
    }
    this.gs2Header = clientFirst.slice(0, authzEnd + 1);
    this.clientFirstBare = clientFirst.slice(authzEnd + 1);
    const attributes = parseAttributes(this.clientFirstBare);
    const clientNonce = attributes.get('r');
    if (!this.clientFirstBare.startsWith('n=') || !clientNonce || attributes.has('m')) {
      return malformed('The client-first-message has no user name and nonce.');
    }
    this.nonce = clientNonce + randomBytes(NONCE_BYTES).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return { ok: true, message: this.serverFirst };
  }

  /**
   * Answers SASLResponse (client-final-message) with server-final-message once the client's
   * proof shows it knows the password and its channel binding is this connection's.
   */
  final(clientFinal: string): ScramStep {
    const attributes = parseAttributes(clientFinal);
    const binding = attributes.get('c');
    const proof = attributes.get('p');
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (binding === undefined || proof === undefined || proofAt < 0 || !this.serverFirst) {
      return malformed('The client-final-message lacks its channel binding or proof.');
    }
    const expected = Buffer.concat([
      Buffer.from(this.gs2Header),
      this.gs2Header.startsWith('p=') ? this.endPoint! : Buffer.alloc(0),
    ]);
    if (!sameBytes(Buffer.from(binding, 'base64'), expected)) {
      return failed(SqlState.ProtocolViolation, 'SCRAM channel binding check failed');
    }
    if (attributes.get('r') !== this.nonce) {
      return malformed('Nonce does not match.');
    }
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${clientFinal.slice(0, proofAt)}`;
    const { storedKey, serverKey } = this.verifier.keys;
    const signature = hmac(storedKey, authMessage);
    const received = Buffer.from(proof, 'base64');
    if (received.length !== signature.length) {
      return malformed('Malformed proof in client-final-message.');
    }
    const clientKey = Buffer.alloc(signature.length);
    for (let i = 0; i < clientKey.length; i++) {
      clientKey[i] = received[i]! ^ signature[i]!;
    }
    if (!sameBytes(sha256(clientKey), storedKey)) {
      return failed(
        SqlState.InvalidPassword,
        `password authentication failed for user "${this.user}"`,
      );
    }
    return { ok: true, message: `v=${hmac(serverKey, authMessage).toString('base64')}` };
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function failed(code: string, message: string): ScramStep {
  return { ok: false, error: { severity: 'FATAL', code, message } };
}

/** Postgres's words for a SCRAM message it cannot read (read_attr_value and its callers). */
function malformed(detail: string): ScramStep {
  return {
    ok: false,
    error: {
      severity: 'FATAL',
      code: SqlState.ProtocolViolation,
      message: 'malformed SCRAM message',
      detail,
    },
  };
}
