import { describe, it, expect } from 'vitest';
import { serialize } from 'pg-protocol';
import { encodeStartupMessage, readStartupPacket, type StartupPacket } from './startup.js';

/**
 * Request codes as the protocol documentation spells them (a major of 1234 and a minor), computed
 * here rather than imported from codes.ts so a typo there would show.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
const SSL_REQUEST_CODE = (1234 << 16) | 5679;
const GSSENC_REQUEST_CODE = (1234 << 16) | 5680;

function int32Packet(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeInt32BE(value, i * 4));
  return buffer;
}

/** A protocol 3.0 StartupMessage built by hand from raw body bytes (length and version added). */
function startupWithBody(body: Buffer, version = 3 << 16): Buffer {
  return Buffer.concat([int32Packet(8 + body.length, version), body]);
}

/**
 * Every proper prefix of `packet` must be 'incomplete' (never an early wrong verdict), and the whole
 * packet gives the verdict returned.
 */
function expectIncompleteUntilWhole(packet: Buffer): StartupPacket {
  for (let i = 0; i < packet.length; i++) {
    const prefix = Buffer.from(packet.subarray(0, i)); // a copy: nothing may read past its end
    expect(readStartupPacket(prefix), `prefix of ${i} of ${packet.length} bytes`).toEqual({
      kind: 'incomplete',
    });
  }
  return readStartupPacket(Buffer.from(packet));
}

describe('readStartupPacket', () => {
  describe('StartupMessage', () => {
    const parameters = { user: 'alice', database: 'shop', application_name: 'psql' };
    const packet = serialize.startup(parameters);

    it('reads the parameters of a StartupMessage from pg-protocol (which adds client_encoding)', () => {
      expect(readStartupPacket(packet)).toEqual({
        kind: 'startup',
        length: packet.length,
        parameters: { ...parameters, client_encoding: 'UTF8' },
      });
    });

    it('says incomplete for every prefix and reads the whole packet at the end', () => {
      expect(expectIncompleteUntilWhole(packet)).toMatchObject({
        kind: 'startup',
        length: packet.length,
        parameters: { user: 'alice' },
      });
    });

    it('reports only the first packet when more bytes follow (the caller keeps the rest)', () => {
      const following = Buffer.from('Q\x00\x00\x00\x0dselect 1\x00', 'latin1');
      const result = readStartupPacket(Buffer.concat([packet, following]));
      expect(result).toMatchObject({ kind: 'startup', length: packet.length });
    });

    it('accepts a packet that names only the user', () => {
      const onlyUser = serialize.startup({ user: 'bob' });
      expect(readStartupPacket(onlyUser)).toEqual({
        kind: 'startup',
        length: onlyUser.length,
        parameters: { user: 'bob', client_encoding: 'UTF8' },
      });
    });

    it('keeps an empty parameter value', () => {
      const packet = startupWithBody(Buffer.from('user\0bob\0options\0\0\0'));
      expect(readStartupPacket(packet)).toEqual({
        kind: 'startup',
        length: packet.length,
        parameters: { user: 'bob', options: '' },
      });
    });
  });

  describe('request packets', () => {
    it('reads an SSLRequest from pg-protocol, split anywhere', () => {
      const packet = serialize.requestSsl();
      expect(packet).toEqual(int32Packet(8, SSL_REQUEST_CODE));
      expect(expectIncompleteUntilWhole(packet)).toEqual({ kind: 'ssl-request', length: 8 });
    });

    it('reads a GSSENCRequest, split anywhere', () => {
      const packet = int32Packet(8, GSSENC_REQUEST_CODE);
      expect(expectIncompleteUntilWhole(packet)).toEqual({ kind: 'gssenc-request', length: 8 });
    });

    it('reads a CancelRequest from pg-protocol, split anywhere', () => {
      const packet = serialize.cancel(4242, -123456789);
      expect(packet.length).toBe(16);
      expect(expectIncompleteUntilWhole(packet)).toEqual({ kind: 'cancel-request', length: 16 });
    });

    it('reads an SSLRequest followed by more bytes as the 8-byte request alone', () => {
      const bytes = Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'x' })]);
      expect(readStartupPacket(bytes)).toEqual({ kind: 'ssl-request', length: 8 });
    });

    it('rejects an SSLRequest or GSSENCRequest with a length other than 8', () => {
      for (const code of [SSL_REQUEST_CODE, GSSENC_REQUEST_CODE]) {
        expect(readStartupPacket(int32Packet(12, code, 0))).toMatchObject({ kind: 'invalid' });
      }
    });

    it('rejects a CancelRequest with a length other than 16, before its body arrives', () => {
      const cancel = serialize.cancel(1, 2);
      const wrongLength = Buffer.from(cancel);
      wrongLength.writeInt32BE(20, 0);
      expect(readStartupPacket(wrongLength.subarray(0, 8))).toMatchObject({ kind: 'invalid' });
    });
  });

  describe('invalid input', () => {
    it('recognizes an HTTP request as soon as the method and space are in', () => {
      const request = Buffer.from('GET / HTTP/1.1\r\nHost: localhost:5432\r\n\r\n');
      const result = readStartupPacket(request);
      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' && result.reason).toMatch(/HTTP/);
      expect(readStartupPacket(request.subarray(0, 4))).toMatchObject({ kind: 'invalid' });
    });

    it('rejects any HTTP method, whole or after the first 4 bytes', () => {
      for (const method of ['POST', 'PUT', 'HEAD', 'OPTIONS', 'CONNECT']) {
        const request = Buffer.from(`${method} /x HTTP/1.1\r\n\r\n`);
        expect(readStartupPacket(request), method).toMatchObject({ kind: 'invalid' });
        expect(readStartupPacket(request.subarray(0, 4)), method).toMatchObject({
          kind: 'invalid',
        });
      }
    });

    it('rejects garbage', () => {
      expect(readStartupPacket(Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01', 'latin1'))).toEqual(
        expect.objectContaining({ kind: 'invalid' }),
      ); // a TLS ClientHello sent without SSLRequest
      expect(readStartupPacket(Buffer.from('hello world, not postgres'))).toMatchObject({
        kind: 'invalid',
      });
    });

    it('rejects an oversize length as soon as the 4 length bytes are in', () => {
      const claim = int32Packet(0x7fffffff);
      expect(readStartupPacket(claim)).toMatchObject({ kind: 'invalid' });
      expect(readStartupPacket(int32Packet(10_001))).toMatchObject({ kind: 'invalid' });
      for (let i = 0; i < 4; i++) {
        expect(readStartupPacket(claim.subarray(0, i))).toEqual({ kind: 'incomplete' });
      }
    });

    it('accepts the largest length the postmaster accepts (10000) and waits for its bytes', () => {
      expect(readStartupPacket(int32Packet(10_000, 3 << 16))).toEqual({ kind: 'incomplete' });
    });

    it('rejects a negative length', () => {
      expect(readStartupPacket(int32Packet(-1))).toMatchObject({ kind: 'invalid' });
    });

    it('rejects a length below 8 as soon as the length is in', () => {
      for (const length of [0, 4, 7]) {
        expect(readStartupPacket(int32Packet(length)), `length ${length}`).toMatchObject({
          kind: 'invalid',
        });
      }
    });

    it('rejects a StartupMessage whose parameter list is not terminated', () => {
      // "user\0bob\0" with no final \0: the last byte is the value terminator.
      const packet = startupWithBody(Buffer.from('user\0bob\0'));
      expect(readStartupPacket(packet)).toMatchObject({ kind: 'invalid' });
      // The last byte is not a zero at all.
      const noZero = startupWithBody(Buffer.from('user\0bob'));
      expect(readStartupPacket(noZero)).toMatchObject({ kind: 'invalid' });
      // A StartupMessage with no body.
      expect(readStartupPacket(int32Packet(8, 3 << 16))).toMatchObject({ kind: 'invalid' });
    });

    it('rejects a name without a value', () => {
      const packet = startupWithBody(Buffer.from('user\0bob\0database\0'));
      expect(readStartupPacket(packet)).toMatchObject({ kind: 'invalid' });
    });

    it('rejects an empty parameter name', () => {
      const packet = startupWithBody(Buffer.from('user\0bob\0\0x\0\0'));
      expect(readStartupPacket(packet)).toMatchObject({ kind: 'invalid' });
    });

    it('rejects a StartupMessage without a user, or with an empty one', () => {
      expect(readStartupPacket(serialize.startup({ database: 'shop' }))).toMatchObject({
        kind: 'invalid',
        reason: expect.stringMatching(/user/),
      });
      expect(readStartupPacket(serialize.startup({ user: '' }))).toMatchObject({
        kind: 'invalid',
      });
      expect(readStartupPacket(startupWithBody(Buffer.from('\0')))).toMatchObject({
        kind: 'invalid',
      });
    });

    it('rejects protocol 2.0 and names the version', () => {
      const packet = startupWithBody(Buffer.from('user\0alice\0\0'), 2 << 16);
      const result = readStartupPacket(packet);
      expect(result).toMatchObject({ kind: 'invalid' });
      expect(result.kind === 'invalid' && result.reason).toContain('2.0');
    });

    it('rejects protocol 2.0 as soon as the version is in, without waiting for the body', () => {
      const packet = startupWithBody(Buffer.from('user\0alice\0\0'), 2 << 16);
      expect(readStartupPacket(packet.subarray(0, 8))).toMatchObject({ kind: 'invalid' });
    });
  });
});

describe('encodeStartupMessage', () => {
  it('produces the same bytes as pg-protocol for the same parameters', () => {
    const parameters = { user: 'alice', database: 'shop', client_encoding: 'UTF8' };
    expect(encodeStartupMessage(parameters)).toEqual(
      serialize.startup({ user: 'alice', database: 'shop' }),
    );
  });

  it('round-trips through readStartupPacket, split at every byte', () => {
    const parameters = { user: 'alice', database: 'shop', options: '-c search_path=app' };
    const packet = encodeStartupMessage(parameters);
    expect(expectIncompleteUntilWhole(packet)).toEqual({
      kind: 'startup',
      length: packet.length,
      parameters,
    });
  });

  it('round-trips non-ASCII names and values', () => {
    const parameters = {
      user: 'jürgen',
      database: 'データベース',
      application_name: 'naïve 🐘 app',
      ñame: 'välue',
    };
    const packet = encodeStartupMessage(parameters);
    const utf8Length = Object.entries(parameters).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8') + 2,
      9,
    );
    expect(packet.length).toBe(utf8Length);
    expect(packet.readInt32BE(0)).toBe(packet.length);
    expect(readStartupPacket(packet)).toEqual({
      kind: 'startup',
      length: packet.length,
      parameters,
    });
  });
});
