import {
  CANCEL_REQUEST_CODE,
  CANCEL_REQUEST_HEADER_LENGTH,
  ENCRYPTION_REFUSED,
  GSSENC_REQUEST_CODE,
  MAX_CANCEL_KEY_LENGTH,
  MAX_STARTUP_PACKET_LENGTH,
  MIN_STARTUP_PACKET_LENGTH,
  PROTOCOL_VERSION_LATEST,
  SSL_ACCEPTED,
  SSL_REQUEST_CODE,
  TLS_HANDSHAKE_RECORD,
  protocolMajor,
  protocolMinor,
} from './codes.js';
import { encodeErrorResponse, SqlState, type PgError } from './error-response.js';
import { parseStartupParameters, type StartupMessage } from './startup.js';

/**
 * What to do next with a client connection that has not started a session yet.
 * - need-more: wait for more bytes (the caller keeps the timer).
 * - reply: send `bytes` (the answer to an SSLRequest or GSSENCRequest), then call next() again.
 * - start-tls: only with `tls: 'accept'`: send `reply` if set ('S' after an SSLRequest; nothing
 *   for direct TLS), run a TLS handshake as server over the connection starting with `bytes` (what
 *   the client already sent: a ClientHello, or nothing), then call tlsStarted() and feed the
 *   decrypted bytes. `direct`: the client opened with a ClientHello (Postgres then requires ALPN).
 * - startup / cancel: the packet is whole; `bytes` holds it and whatever the client sent after it.
 * - close: end the connection and send nothing, as Postgres does (it only logs these); `reason`
 *   says in words what arrived, for the log.
 * - fatal: send `reply` (the FATAL error Postgres sends here), then close; `reason` is for the log.
 */
export type OpeningStep =
  | { kind: 'need-more' }
  | { kind: 'reply'; bytes: Buffer }
  | { kind: 'start-tls'; reply: Buffer | undefined; bytes: Buffer; direct: boolean }
  /**
   * `bytes`: the StartupMessage and whatever the client sent after it; `afterStartup`: those
   * later bytes alone (the client's first queries, sent without waiting: they go to the database
   * once it has logged in).
   */
  | { kind: 'startup'; message: StartupMessage; bytes: Buffer; afterStartup: Buffer }
  | { kind: 'cancel'; processId: number; bytes: Buffer }
  | { kind: 'close'; reason: string }
  | { kind: 'fatal'; error: PgError; reply: Buffer; reason: string };

export interface OpeningReaderOptions {
  /**
   * 'refuse' (the default): SSLRequest is answered 'N' and a TLS ClientHello is closed on, as a
   * Postgres with ssl=off does. 'accept': both become a start-tls step for a TLS layer.
   */
  tls?: 'refuse' | 'accept';
}

const HTTP_METHODS = [
  'GET ',
  'POST',
  'PUT ',
  'HEAD',
  'DELE',
  'OPTI',
  'PATC',
  'CONN',
  'TRAC',
  'PRI ',
];
const TERMINATE = 0x58; // 'X'
const UNENCRYPTED_DATA_DETAIL =
  'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.';

/**
 * Reads the opening of a client connection the way the Postgres 18 postmaster does
 * (src/backend/tcop/backend_startup.c: ProcessSSLStartup, ProcessStartupPacket,
 * ProcessCancelRequestPacket): encryption requests, then a StartupMessage or a CancelRequest.
 * Pure: no sockets, no timers. The caller pushes bytes as they come and calls next() until it
 * gets need-more or a final step (startup, cancel, close, fatal, start-tls). Split-invariant:
 * the same bytes cut anywhere give the same steps.
 */
export class OpeningReader {
  private pending: Buffer = Buffer.alloc(0);
  /** Nothing consumed yet: the only moment a TLS ClientHello is looked for (direct TLS). */
  private atStart = true;
  private sslDone = false;
  private gssDone = false;
  /** TLS is up: a further SSLRequest is answered 'N', as Postgres does inside direct TLS. */
  private tlsActive = false;
  /** A step decided along with the previous one (the FATAL after an 'N'), returned next. */
  private queued: OpeningStep | undefined;
  private final: OpeningStep | undefined;

  constructor(private readonly options: OpeningReaderOptions = {}) {}

  /** Appends bytes received from the client. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /**
   * After a start-tls step: the TLS layer is up, and what comes next is decrypted. As in
   * backend_startup.c: after an SSLRequest no encryption request may follow (a second one is read
   * as protocol 1234.5679); after direct TLS (`direct`) both may, and are answered 'N'.
   */
  tlsStarted(direct: boolean): void {
    this.sslDone = !direct;
    this.gssDone = !direct;
    this.tlsActive = true;
    this.atStart = false;
    this.pending = Buffer.alloc(0);
    this.final = undefined;
  }

  /**
   * The client closed its side: a close step naming what it had sent. Postgres logs the same
   * cases ("incomplete startup packet") or nothing at all, and answers none.
   */
  end(): OpeningStep {
    if (this.pending.length === 0) {
      return close(
        this.atStart
          ? 'the client closed the connection without sending anything'
          : this.tlsActive
            ? 'the client closed the connection after the TLS handshake, without a startup packet'
            : 'the client closed the connection after its encryption request was refused',
      );
    }
    return close(`incomplete startup packet: the client closed after ${this.pending.length} bytes`);
  }

  /** The next step; call again after a reply. A final step is returned again if asked twice. */
  next(): OpeningStep {
    if (this.final) {
      return this.final;
    }
    const queued = this.queued;
    this.queued = undefined;
    const step = queued ?? this.read();
    if (step.kind !== 'need-more' && step.kind !== 'reply') {
      this.final = step;
    }
    return step;
  }

  private read(): OpeningStep {
    const buffer = this.pending;
    if (buffer.length === 0) {
      return NEED_MORE;
    }
    if (this.atStart && buffer[0] === TLS_HANDSHAKE_RECORD) {
      // Direct TLS (libpq 17 sslnegotiation=direct): no startup length can begin with 0x16.
      return this.options.tls === 'accept'
        ? { kind: 'start-tls', reply: undefined, bytes: buffer, direct: true }
        : close('a TLS ClientHello (direct TLS negotiation), and TLS is off on this port');
    }
    if (buffer.length < 4) {
      return NEED_MORE;
    }
    const length = buffer.readInt32BE(0);
    if (length < MIN_STARTUP_PACKET_LENGTH || length - 4 > MAX_STARTUP_PACKET_LENGTH) {
      return close(describeJunk(buffer, length));
    }
    if (buffer.length < length) {
      return NEED_MORE;
    }
    const code = buffer.readInt32BE(4);
    if (code === CANCEL_REQUEST_CODE) {
      return readCancel(buffer, length);
    }
    if (code === SSL_REQUEST_CODE && !this.sslDone) {
      this.sslDone = true;
      return this.encryptionRequest(length, 'SSL request');
    }
    if (code === GSSENC_REQUEST_CODE && !this.gssDone) {
      this.gssDone = true;
      return this.encryptionRequest(length, 'GSSAPI encryption request');
    }
    // A second SSLRequest or GSSENCRequest lands here too, as version 1234.5679 or 1234.5680.
    return readStartup(buffer, length, this.tlsActive);
  }

  /**
   * Answers an SSLRequest or GSSENCRequest. Bytes already behind it were sent before the answer,
   * unencrypted. Refused ('N'), Postgres answers and then refuses them with a FATAL, and so does
   * this. Accepted ('S'), Postgres 17 and later hand them to the TLS handshake as its first bytes
   * (secure_open_server in src/backend/libpq/be-secure.c), where anything but a ClientHello fails
   * the handshake; so does this.
   */
  private encryptionRequest(length: number, what: string): OpeningStep {
    const rest = this.pending.subarray(length);
    this.atStart = false;
    if (this.options.tls === 'accept' && what === 'SSL request' && !this.tlsActive) {
      this.pending = Buffer.alloc(0);
      return { kind: 'start-tls', reply: Buffer.from([SSL_ACCEPTED]), bytes: rest, direct: false };
    }
    this.pending = rest;
    if (rest.length > 0) {
      const error: PgError = {
        severity: 'FATAL',
        code: SqlState.ProtocolViolation,
        message: `received unencrypted data after ${what}`,
        detail: UNENCRYPTED_DATA_DETAIL,
      };
      this.queued = {
        kind: 'fatal',
        error,
        reply: encodeErrorResponse(error),
        reason: error.message,
      };
    }
    return { kind: 'reply', bytes: ENCRYPTION_REFUSED };
  }
}

const NEED_MORE: OpeningStep = { kind: 'need-more' };

function close(reason: string): OpeningStep {
  return { kind: 'close', reason };
}

function fatal(code: string, message: string, reason = message): OpeningStep {
  const error: PgError = { severity: 'FATAL', code, message };
  return { kind: 'fatal', error, reply: encodeErrorResponse(error), reason };
}

/** A CancelRequest of any length Postgres 18 takes: a 4-byte key (3.0) up to 256 bytes (3.2). */
function readCancel(buffer: Buffer, length: number): OpeningStep {
  if (length < CANCEL_REQUEST_HEADER_LENGTH) {
    return close('invalid length of cancel request packet');
  }
  const keyLength = length - CANCEL_REQUEST_HEADER_LENGTH;
  if (keyLength === 0 || keyLength > MAX_CANCEL_KEY_LENGTH) {
    return close('invalid length of cancel key in cancel request packet');
  }
  return { kind: 'cancel', processId: buffer.readInt32BE(8), bytes: buffer };
}

/** `inTls`: only for the log's words about an encryption request that may not come here. */
function readStartup(buffer: Buffer, length: number, inTls: boolean): OpeningStep {
  const version = buffer.readInt32BE(4) >>> 0;
  const major = protocolMajor(version);
  const minor = protocolMinor(version);
  if (major !== protocolMajor(PROTOCOL_VERSION_LATEST)) {
    const message =
      `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to ` +
      `3.${protocolMinor(PROTOCOL_VERSION_LATEST)}`;
    const request =
      version === SSL_REQUEST_CODE
        ? 'SSLRequest'
        : version === GSSENC_REQUEST_CODE
          ? 'GSSENCRequest'
          : undefined;
    const reason = !request
      ? message
      : inTls
        ? `a ${request} inside TLS`
        : `a second ${request} after the first was answered`;
    if (major < 3) {
      // The client speaks protocol 2, so Postgres answers in protocol 2: 'E' and a C string.
      const error: PgError = { severity: 'FATAL', code: SqlState.FeatureNotSupported, message };
      return { kind: 'fatal', error, reply: Buffer.from(`EFATAL:  ${message}\n\0`), reason };
    }
    return fatal(SqlState.FeatureNotSupported, message, reason);
  }
  const parameters = parseStartupParameters(buffer.subarray(MIN_STARTUP_PACKET_LENGTH, length));
  if (!parameters) {
    return fatal(
      SqlState.ProtocolViolation,
      'invalid startup packet layout: expected terminator as last byte',
    );
  }
  if (!parameters['user']) {
    return fatal(
      SqlState.InvalidAuthorization,
      'no PostgreSQL user name specified in startup packet',
    );
  }
  return {
    kind: 'startup',
    message: { protocolVersion: version, parameters },
    bytes: buffer,
    afterStartup: buffer.subarray(length),
  };
}

/**
 * Names, for the log, what arrived instead of a startup packet. Only the length word is used, so
 * that the same bytes give the same words however they were split.
 */
function describeJunk(buffer: Buffer, length: number): string {
  const head = buffer.subarray(0, 4);
  const text = head.toString('latin1');
  if (HTTP_METHODS.includes(text)) {
    return 'an HTTP request';
  }
  if (head[1] === 0 && head[2] === 0 && head[0]! >= 0x41 && head[0]! <= 0x7a) {
    return head[0] === TERMINATE
      ? 'a Terminate message before any startup message'
      : `a '${String.fromCharCode(head[0]!)}' message before any startup message`;
  }
  return `junk: the first bytes (${head.toString('hex').replace(/(..)(?!$)/g, '$1 ')}) claim a startup packet of ${length} bytes`;
}
