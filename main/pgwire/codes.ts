/**
 * Numbers of the Postgres frontend/backend protocol.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** Protocol version 3.0, as the first int32 after the length of a StartupMessage (3 << 16). */
export const PROTOCOL_VERSION_3_0 = 196608;
/**
 * The newest protocol version the tunnel carries (3.2, Postgres 18: variable-length cancel keys).
 * Any 3.x is passed on to the upstream, which negotiates it down as Postgres does.
 */
export const PROTOCOL_VERSION_LATEST = (3 << 16) | 2;

/** The major of a protocol version word (its high 16 bits). */
export function protocolMajor(version: number): number {
  return version >>> 16;
}

/** The minor of a protocol version word (its low 16 bits). */
export function protocolMinor(version: number): number {
  return version & 0xffff;
}
/** Request codes that take the place of the protocol version in the untyped startup packets. */
export const SSL_REQUEST_CODE = 80877103; // 1234 << 16 | 5679
export const GSSENC_REQUEST_CODE = 80877104; // 1234 << 16 | 5680
export const CANCEL_REQUEST_CODE = 80877102; // 1234 << 16 | 5678

/**
 * The postmaster refuses startup packets whose body (the bytes after the length word) is longer
 * than this (MAX_STARTUP_PACKET_LENGTH in src/include/libpq/pqcomm.h).
 */
export const MAX_STARTUP_PACKET_LENGTH = 10_000;
/** Length field + request code: the shortest startup packet (SSLRequest, GSSENCRequest). */
export const MIN_STARTUP_PACKET_LENGTH = 8;
/** Length + code + process id: the part of a CancelRequest before its secret key. */
export const CANCEL_REQUEST_HEADER_LENGTH = 12;
/**
 * The longest cancel key Postgres 18 accepts (protocol 3.2 lets the server choose its length; 3.0
 * keys are 4 bytes). src/backend/tcop/backend_startup.c, ProcessCancelRequestPacket.
 */
export const MAX_CANCEL_KEY_LENGTH = 256;

/** A typed message: one type byte, then an int32 length that counts itself but not the type. */
export const FRAME_HEADER_LENGTH = 5;

/** Backend message type bytes the tunnel looks at. */
export const BackendMessage = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  DataRow: 0x44, // 'D'
  ErrorResponse: 0x45, // 'E'
  NegotiateProtocolVersion: 0x76, // 'v'
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
/** The first byte of a TLS record carrying a handshake: what a direct-TLS client sends first. */
export const TLS_HANDSHAKE_RECORD = 0x16;
/** One-byte answer to SSLRequest: "go ahead with the TLS handshake". */
export const SSL_ACCEPTED = 0x53; // 'S'

/** ReadyForQuery transaction status bytes. */
export const TransactionStatus = {
  Idle: 0x49, // 'I'
  InTransaction: 0x54, // 'T'
  Failed: 0x45, // 'E'
} as const;
