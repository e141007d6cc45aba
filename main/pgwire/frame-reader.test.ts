import { describe, it, expect } from 'vitest';
import { FrameReader } from './frame-reader.js';

function frame(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

/** AuthenticationSASL offering SCRAM-SHA-256, as a server sends it. */
const saslOffer = frame(
  'R',
  Buffer.concat([Buffer.from([0, 0, 0, 10]), Buffer.from('SCRAM-SHA-256\0\0')]),
);
const parameterStatus = frame('S', Buffer.from('server_version\x0016.4\0'));
const readyForQuery = frame('Z', Buffer.from('I'));

describe('FrameReader', () => {
  it('returns nothing until a whole frame is in, then the frame', () => {
    const reader = new FrameReader();
    expect(reader.next()).toBeUndefined();
    for (let i = 0; i < saslOffer.length - 1; i++) {
      reader.push(saslOffer.subarray(i, i + 1));
      expect(reader.next(), `after ${i + 1} bytes`).toBeUndefined();
    }
    reader.push(saslOffer.subarray(saslOffer.length - 1));
    const got = reader.next();
    expect(got?.type).toBe('R'.charCodeAt(0));
    expect(got?.raw).toEqual(saslOffer);
    expect(got?.body).toEqual(saslOffer.subarray(5));
    expect(reader.next()).toBeUndefined();
    expect(reader.rest().length).toBe(0);
  });

  it('reads several frames from one push and frames split across pushes at any point', () => {
    const stream = Buffer.concat([saslOffer, parameterStatus, readyForQuery]);
    for (let split = 0; split <= stream.length; split++) {
      const reader = new FrameReader();
      const got: Buffer[] = [];
      for (const chunk of [stream.subarray(0, split), stream.subarray(split)]) {
        reader.push(chunk);
        for (let f = reader.next(); f; f = reader.next()) {
          got.push(Buffer.from(f.raw));
        }
      }
      expect(got, `split at ${split}`).toEqual([saslOffer, parameterStatus, readyForQuery]);
    }
  });

  it('gives a frame of length 4 an empty body', () => {
    const reader = new FrameReader();
    reader.push(Buffer.from([0x31, 0, 0, 0, 4])); // ParseComplete
    const got = reader.next();
    expect(got?.type).toBe(0x31);
    expect(got?.body.length).toBe(0);
  });

  it('rest() holds exactly the bytes after the last frame returned', () => {
    const reader = new FrameReader();
    const after = Buffer.from('Dpartial row bytes');
    reader.push(Buffer.concat([readyForQuery, after]));
    expect(reader.rest()).toEqual(Buffer.concat([readyForQuery, after]));
    expect(reader.next()?.raw).toEqual(readyForQuery);
    expect(reader.rest()).toEqual(after);
    // 'D' + "part" as a length is far beyond the handshake limit: next() refuses it.
    expect(() => reader.next()).toThrow(/impossible length/);
  });

  it('rest() keeps a partial frame for the caller to forward', () => {
    const reader = new FrameReader();
    reader.push(Buffer.concat([readyForQuery, parameterStatus.subarray(0, 7)]));
    expect(reader.next()?.type).toBe('Z'.charCodeAt(0));
    expect(reader.next()).toBeUndefined();
    expect(reader.rest()).toEqual(parameterStatus.subarray(0, 7));
  });

  it('throws on a length below 4', () => {
    for (const length of [0, 3, -1]) {
      const reader = new FrameReader();
      const header = Buffer.alloc(5);
      header[0] = 0x52;
      header.writeInt32BE(length, 1);
      reader.push(header);
      expect(() => reader.next(), `length ${length}`).toThrow(/impossible length/);
    }
  });

  it('throws on a length above 1 MiB as soon as the header is in, without waiting for the body', () => {
    const reader = new FrameReader();
    const header = Buffer.alloc(5);
    header[0] = 0x52;
    header.writeInt32BE((1 << 20) + 1, 1);
    reader.push(header);
    expect(() => reader.next()).toThrow(/impossible length/);
  });

  it('accepts a frame of exactly 1 MiB', () => {
    const reader = new FrameReader();
    const big = frame('N', Buffer.alloc((1 << 20) - 4, 0x41));
    reader.push(big);
    expect(reader.next()?.raw.length).toBe((1 << 20) + 1);
  });
});
