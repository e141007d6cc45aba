import { BackendMessage, FRAME_HEADER_LENGTH } from './codes.js';

/** The fields of an ErrorResponse or NoticeResponse a user reads. */
export interface PgError {
  severity: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | string;
  /** SQLSTATE, e.g. '08001'. https://www.postgresql.org/docs/current/errcodes-appendix.html */
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** SQLSTATEs this project sends itself. */
export const SqlState = {
  ProtocolViolation: '08P01',
  UnableToConnect: '08001',
  ConnectionFailure: '08006',
  InvalidPassword: '28P01',
  InvalidAuthorization: '28000',
  TooManyConnections: '53300',
  AdminShutdown: '57P01',
  CannotConnectNow: '57P03',
  /** Postgres's idle_session_timeout (idle outside a transaction). */
  IdleSessionTimeout: '57P05',
  /** Postgres's idle_in_transaction_session_timeout. */
  IdleInTransactionSessionTimeout: '25P03',
  FeatureNotSupported: '0A000',
  /** invalid_catalog_name: the database named does not exist. */
  InvalidCatalogName: '3D000',
  SuccessfulCompletion: '00000',
} as const;

/** Field type bytes of ErrorResponse. */
const Field = {
  Severity: 0x53, // 'S' (localized)
  SeverityNonLocalized: 0x56, // 'V'
  Code: 0x43, // 'C'
  Message: 0x4d, // 'M'
  Detail: 0x44, // 'D'
  Hint: 0x48, // 'H'
} as const;

/** Serializes an ErrorResponse ('E') frame. */
export function encodeErrorResponse(error: PgError): Buffer {
  return encodeFields(BackendMessage.ErrorResponse, error);
}

/**
 * Serializes a NoticeResponse ('N') frame: the same fields as an ErrorResponse, severity NOTICE (or
 * WARNING, INFO…). Clients show it and go on. protocol-message-formats.html, NoticeResponse.
 */
export function encodeNoticeResponse(notice: PgError): Buffer {
  return encodeFields(BackendMessage.NoticeResponse, notice);
}

function encodeFields(type: number, error: PgError): Buffer {
  const fields: Array<[number, string]> = [
    [Field.Severity, error.severity],
    [Field.SeverityNonLocalized, error.severity],
    [Field.Code, error.code],
    [Field.Message, error.message],
  ];
  if (error.detail) {
    fields.push([Field.Detail, error.detail]);
  }
  if (error.hint) {
    fields.push([Field.Hint, error.hint]);
  }
  const bodyLength = fields.reduce((sum, [, v]) => sum + 1 + Buffer.byteLength(v) + 1, 0) + 1;
  const frame = Buffer.alloc(1 + 4 + bodyLength);
  frame[0] = type;
  frame.writeInt32BE(4 + bodyLength, 1);
  let offset = FRAME_HEADER_LENGTH;
  for (const [type, value] of fields) {
    frame[offset] = type;
    offset += 1 + frame.write(value, offset + 1) + 1;
  }
  return frame;
}

/** Reads the body (after the 5-byte header) of an ErrorResponse or NoticeResponse. */
export function decodeErrorFields(body: Buffer): PgError {
  const fields = new Map<number, string>();
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const type = body[offset]!;
    const end = body.indexOf(0, offset + 1);
    if (end < 0) {
      break;
    }
    fields.set(type, body.toString('utf8', offset + 1, end));
    offset = end + 1;
  }
  return {
    severity: fields.get(Field.SeverityNonLocalized) ?? fields.get(Field.Severity) ?? 'ERROR',
    code: fields.get(Field.Code) ?? 'XX000',
    message: fields.get(Field.Message) ?? 'unknown error',
    detail: fields.get(Field.Detail),
    hint: fields.get(Field.Hint),
  };
}

/** A FATAL error a client shows before its connection closes. */
export function fatal(code: string, message: string, hint?: string): Buffer {
  return encodeErrorResponse({ severity: 'FATAL', code, message, hint });
}
