import { describe, expect, it } from 'vitest';
import { AuthenticationOkFilter, withoutAuthenticationOk } from './local-login.js';

/** A backend frame: its type byte, its length word (counting itself), its body. */
const frame = (type: string, body: Buffer): Buffer => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const int32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
};
const AUTHENTICATION_OK = frame('R', int32(0));
const NEGOTIATE = frame('v', Buffer.concat([int32(196608), int32(1), Buffer.from('_pq_.x\0')]));
const PARAMETER = frame('S', Buffer.from('server_version\u000018.1\u0000'));
const READY = frame('Z', Buffer.from('I'));

/** What the filter passes on when `bytes` arrive in the given chunks. */
function passed(chunks: Buffer[]): Buffer {
  const filter = new AuthenticationOkFilter();
  return Buffer.concat(chunks.map((chunk) => filter.push(chunk)));
}

describe('AuthenticationOkFilter', () => {
  const stream = Buffer.concat([NEGOTIATE, AUTHENTICATION_OK, PARAMETER, READY]);
  const expected = Buffer.concat([NEGOTIATE, PARAMETER, READY]);

  it('takes the first AuthenticationOk out however the stream is split, and nothing else', () => {
    expect(passed([stream])).toEqual(expected);
    for (let i = 1; i < stream.length; i++) {
      expect(passed([stream.subarray(0, i), stream.subarray(i)]), `split at ${i}`).toEqual(
        expected,
      );
    }
    expect(passed([...stream].map((byte) => Buffer.from([byte]))), '1-byte chunks').toEqual(
      expected,
    );
  });

  it('passes a stream that does not open with AuthenticationOk as it is (an error)', () => {
    const error = Buffer.concat([frame('E', Buffer.from('SFATAL\0\0')), READY]);
    expect(passed([error.subarray(0, 3), error.subarray(3)])).toEqual(error);
    expect(withoutAuthenticationOk(error)).toEqual(error);
  });

  it('a whole opening, as a direct login gives it', () => {
    expect(withoutAuthenticationOk(Buffer.concat([AUTHENTICATION_OK, READY]))).toEqual(READY);
  });
});
