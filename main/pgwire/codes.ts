/**
 * Numbers of the Postgres frontend/backend protocol.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** Protocol version 3.0, as the first int32 after the length of a StartupMessage (3 << 16). */
export const PROTOCOL_VERSION_3_0 = 196608;
/** Request codes that take the place of the protocol version in the untyped startup packets. */
export const SSL_REQUEST_CODE = 80877103; // 1234 << 16 | 5679
export const GSSENC_REQUEST_CODE = 80877104; // 1234 << 16 | 5680
export const CANCEL_REQUEST_CODE = 80877102; // 1234 << 16 | 5678

/** The postmaster refuses startup packets longer than this (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET_LENGTH = 10_000;
/** Length field + request code: the shortest startup packet (SSLRequest, GSSENCRequest). */
export const MIN_STARTUP_PACKET_LENGTH = 8;
/** Length + code + pid + secret: a CancelRequest is exactly this long. */
export const CANCEL_REQUEST_LENGTH = 16;

/** A typed message: one type byte, then an int32 length that counts itself but not the type. */
export const FRAME_HEADER_LENGTH = 5;

/** Backend message type bytes the tunnel looks at. */
export const BackendMessage = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  ErrorResponse: 0x45, // 'E'
  NoticeResponse: 0x4e, // 'N'
  ParameterStatus: 0x53, // 'S'
  ReadyForQuery: 0x5a, // 'Z'
} as const;

/** Authentication request codes (the int32 after an 'R' header). */
export const AuthRequest = {
  Ok: 0,
  CleartextPassword: 3,
  MD5Password: 5,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** One-byte answer to SSLRequest / GSSENCRequest: "not supported, go on in plain text". */
export const ENCRYPTION_REFUSED = Buffer.from('N');
/** One-byte answer to SSLRequest: "go ahead with the TLS handshake". */
export const SSL_ACCEPTED = 0x53; // 'S'

/** ReadyForQuery transaction status bytes. */
export const TransactionStatus = {
  Idle: 0x49, // 'I'
  InTransaction: 0x54, // 'T'
  Failed: 0x45, // 'E'
} as const;
