import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { parse, DatabaseError } from 'pg-protocol';
import {
  decodeErrorFields,
  encodeErrorResponse,
  fatal,
  SqlState,
  type PgError,
} from './error-response.js';

/** Parses backend bytes with pg-protocol (node-postgres's parser), as a client would. */
async function parseWithPgProtocol(bytes: Buffer): Promise<unknown[]> {
  const messages: unknown[] = [];
  // Split in two so the parser has to join a frame across chunks too.
  const half = Math.floor(bytes.length / 2);
  await parse(Readable.from([bytes.subarray(0, half), bytes.subarray(half)]), (message) =>
    messages.push(message),
  );
  return messages;
}

describe('encodeErrorResponse', () => {
  it('gives severity, code, message, detail and hint to pg-protocol', async () => {
    const error: PgError = {
      severity: 'FATAL',
      code: SqlState.InvalidPassword,
      message: 'password authentication failed for user "alice"',
      detail: 'the key was revoked',
      hint: 'Create a new key in the console.',
    };
    const messages = await parseWithPgProtocol(encodeErrorResponse(error));
    expect(messages).toHaveLength(1);
    const parsed = messages[0] as DatabaseError;
    expect(parsed).toBeInstanceOf(DatabaseError);
    expect(parsed.name).toBe('error');
    expect(parsed.severity).toBe('FATAL');
    expect(parsed.code).toBe('28P01');
    expect(parsed.message).toBe(error.message);
    expect(parsed.detail).toBe(error.detail);
    expect(parsed.hint).toBe(error.hint);
    expect(parsed.length + 1).toBe(encodeErrorResponse(error).length);
  });

  it('leaves out detail and hint when absent', async () => {
    const frame = fatal(SqlState.TooManyConnections, 'too many sessions for this key');
    const [parsed] = (await parseWithPgProtocol(frame)) as DatabaseError[];
    expect(parsed!.severity).toBe('FATAL');
    expect(parsed!.code).toBe('53300');
    expect(parsed!.message).toBe('too many sessions for this key');
    expect(parsed!.detail).toBeUndefined();
    expect(parsed!.hint).toBeUndefined();
  });

  it('encodes non-ASCII text as UTF-8 with a length that counts bytes', async () => {
    const error: PgError = {
      severity: 'ERROR',
      code: SqlState.UnableToConnect,
      message: 'Verbindung zur Datenbank „prod“ fehlgeschlagen 🐘',
      hint: 'Überprüfen Sie den Schlüssel.',
    };
    const frame = encodeErrorResponse(error);
    expect(frame[0]).toBe('E'.charCodeAt(0));
    expect(frame.readInt32BE(1)).toBe(frame.length - 1);
    expect(frame[frame.length - 1]).toBe(0);
    const [parsed] = (await parseWithPgProtocol(frame)) as DatabaseError[];
    expect(parsed!.message).toBe(error.message);
    expect(parsed!.hint).toBe(error.hint);
  });

  it('is followed correctly by the next frame in the same stream', async () => {
    const readyForQuery = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
    const messages = (await parseWithPgProtocol(
      Buffer.concat([
        encodeErrorResponse({ severity: 'ERROR', code: '08P01', message: 'x' }),
        readyForQuery,
      ]),
    )) as Array<{ name: string; status?: string }>;
    expect(messages.map((m) => m.name)).toEqual(['error', 'readyForQuery']);
    expect(messages[1]!.status).toBe('I');
  });
});

describe('decodeErrorFields', () => {
  it('round-trips what encodeErrorResponse wrote', () => {
    const errors: PgError[] = [
      {
        severity: 'FATAL',
        code: '57P01',
        message: 'terminating connection due to administrator command',
      },
      {
        severity: 'ERROR',
        code: '08001',
        message: 'could not reach the database — ☹',
        detail: 'ECONNREFUSED 10.0.0.7:5432',
        hint: 'Is it running?',
      },
    ];
    for (const error of errors) {
      const decoded = decodeErrorFields(encodeErrorResponse(error).subarray(5));
      expect(decoded).toEqual({ detail: undefined, hint: undefined, ...error });
    }
  });

  it('reads a NoticeResponse body as a server writes it (localized S, non-localized V)', () => {
    const body = Buffer.from(
      'SATTENTION\0VWARNING\0C01000\0Mthe key expires soon\0Fsomewhere.c\0L42\0\0',
      'utf8',
    );
    expect(decodeErrorFields(body)).toEqual({
      severity: 'WARNING',
      code: '01000',
      message: 'the key expires soon',
      detail: undefined,
      hint: undefined,
    });
  });

  it('falls back to S when there is no V (servers before 9.6)', () => {
    const body = Buffer.from('SFATAL\0C28000\0Mno such role\0\0');
    expect(decodeErrorFields(body)).toMatchObject({ severity: 'FATAL', code: '28000' });
  });

  it('does not throw on a truncated body', () => {
    const body = Buffer.from('SFATAL\0C28000\0Mno such ro');
    expect(decodeErrorFields(body)).toMatchObject({ severity: 'FATAL', code: '28000' });
  });
});
