import { describe, it, expect } from 'vitest';
import { serialize } from 'pg-protocol';
import { OpeningReader, type OpeningReaderOptions, type OpeningStep } from './opening-reader.js';
import { encodeStartupMessage } from './startup.js';

/**
 * Request codes as the protocol documentation spells them (a major of 1234 and a minor), computed
 * here rather than imported from codes.ts so a typo there would show.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
const SSL_REQUEST_CODE = (1234 << 16) | 5679;
const GSSENC_REQUEST_CODE = (1234 << 16) | 5680;
const CANCEL_REQUEST_CODE = (1234 << 16) | 5678;
const V3_0 = 3 << 16;
const V3_2 = (3 << 16) | 2;

function int32s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeInt32BE(value | 0, i * 4));
  return buffer;
}

/** A StartupMessage built by hand from raw body bytes (length and version added). */
function startupWithBody(body: Buffer | string, version = V3_0): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([int32s(8 + bytes.length, version), bytes]);
}

function cancelRequest(processId: number, key: Buffer): Buffer {
  return Buffer.concat([int32s(12 + key.length, CANCEL_REQUEST_CODE, processId), key]);
}

const SSL_REQUEST = int32s(8, SSL_REQUEST_CODE);
const GSSENC_REQUEST = int32s(8, GSSENC_REQUEST_CODE);
const STARTUP = encodeStartupMessage({ user: 'alice', database: 'shop', application_name: 'psql' });
const QUERY = serialize.query('select 1');

/** A step as compared across splits: what it carries, bytes as hex. */
type Seen = Record<string, unknown>;

/**
 * Feeds `chunks` one by one, calling next() after each until need-more or a final step, the way
 * both ends use the reader. Returns the steps seen, and every byte from the final step's packet on
 * (its `bytes`, then the chunks that came after it), which is what the caller passes on.
 */
function drive(chunks: Buffer[], options?: OpeningReaderOptions, eof = false): Seen[] {
  const reader = new OpeningReader(options);
  const steps: Seen[] = [];
  let final: OpeningStep | undefined;
  const after: Buffer[] = [];
  for (const chunk of chunks) {
    if (final) {
      after.push(chunk);
      continue;
    }
    reader.push(chunk);
    for (let step = reader.next(); step.kind !== 'need-more'; step = reader.next()) {
      if (step.kind === 'reply') {
        steps.push({ kind: 'reply', bytes: step.bytes.toString('hex') });
        continue;
      }
      final = step;
      break;
    }
  }
  if (!final && eof) {
    final = reader.end();
  }
  if (final) {
    const { bytes, reply, afterStartup, ...rest } = final as OpeningStep & {
      bytes?: Buffer;
      reply?: Buffer;
      afterStartup?: Buffer;
    };
    steps.push({
      ...rest,
      ...(bytes ? { bytes: Buffer.concat([bytes, ...after]).toString('hex') } : {}),
      ...(afterStartup
        ? { afterStartup: Buffer.concat([afterStartup, ...after]).toString('hex') }
        : {}),
      ...(reply ? { reply: reply.toString('hex') } : {}),
    });
  }
  return steps;
}

/**
 * The steps for `bytes` given whole, after checking that every split into two chunks, and
 * one-byte chunks, give the very same steps.
 */
function stepsAtEverySplit(bytes: Buffer, options?: OpeningReaderOptions, eof = false): Seen[] {
  const whole = drive([bytes], options, eof);
  for (let i = 1; i < bytes.length; i++) {
    expect(
      drive([bytes.subarray(0, i), bytes.subarray(i)], options, eof),
      `split at ${i} of ${bytes.length}`,
    ).toEqual(whole);
  }
  expect(
    drive(
      [...bytes].map((b) => Buffer.from([b])),
      options,
      eof,
    ),
    '1-byte chunks',
  ).toEqual(whole);
  return whole;
}

describe('OpeningReader: StartupMessage', () => {
  it('reads a 3.0 StartupMessage from pg-protocol, with the bytes after it', () => {
    const packet = serialize.startup({ user: 'alice', database: 'shop' });
    const bytes = Buffer.concat([packet, QUERY]);
    expect(stepsAtEverySplit(bytes)).toEqual([
      {
        kind: 'startup',
        message: {
          protocolVersion: V3_0,
          parameters: { user: 'alice', database: 'shop', client_encoding: 'UTF8' },
        },
        bytes: bytes.toString('hex'),
        afterStartup: QUERY.toString('hex'),
      },
    ]);
  });

  it('reads any 3.x version and every parameter: options, replication, GUCs and _pq_. options', () => {
    const parameters = {
      user: 'alice',
      database: 'shop',
      options: '-c search_path=app',
      replication: 'database',
      statement_timeout: '1234',
      '_pq_.something': 'on',
    };
    for (const version of [V3_0, V3_2, (3 << 16) | 7]) {
      const [step] = stepsAtEverySplit(encodeStartupMessage(parameters, version));
      expect(step).toMatchObject({
        kind: 'startup',
        message: { protocolVersion: version, parameters },
      });
    }
  });

  it('keeps an empty value and non-ASCII names and values', () => {
    const parameters = { user: 'jürgen', database: 'データ', options: '', ñame: 'naïve 🐘' };
    const [step] = stepsAtEverySplit(encodeStartupMessage(parameters));
    expect(step).toMatchObject({ message: { parameters } });
  });

  it('keeps the last value of a name sent twice, as the postmaster does', () => {
    const [step] = stepsAtEverySplit(startupWithBody('user\0a\0user\0b\0\0'));
    expect(step).toMatchObject({ message: { parameters: { user: 'b' } } });
  });

  it('accepts the longest packet the postmaster accepts (a 10000-byte body)', () => {
    const filler = 'x'.repeat(10_000 - 4 - 'user\0a\0options\0'.length - 2);
    const packet = startupWithBody(`user\0a\0options\0${filler}\0\0`);
    expect(packet.length).toBe(10_004);
    expect(drive([packet])[0]).toMatchObject({ kind: 'startup' });
  });
});

describe('OpeningReader: FATAL where Postgres sends one', () => {
  const fatalStep = (code: string, message: string): Seen => ({
    kind: 'fatal',
    error: { severity: 'FATAL', code, message },
    reason: message,
    reply: expect.any(String),
  });

  it.each([
    ['no terminator at all', 'user\0bob'],
    ['the value terminator as last byte', 'user\0bob\0'],
    ['a name without a value', 'user\0bob\0database\0'],
    ['an empty name before more pairs', 'user\0bob\0\0x\0y\0\0'],
    ['an empty body', ''],
  ])('a malformed parameter list (%s): 08P01', (_name, body) => {
    expect(stepsAtEverySplit(startupWithBody(body))).toEqual([
      fatalStep('08P01', 'invalid startup packet layout: expected terminator as last byte'),
    ]);
  });

  it('no user, or an empty one: 28000', () => {
    for (const packet of [
      serialize.startup({ database: 'shop' }),
      encodeStartupMessage({ user: '' }),
      startupWithBody('\0'),
    ]) {
      expect(stepsAtEverySplit(packet)).toEqual([
        fatalStep('28000', 'no PostgreSQL user name specified in startup packet'),
      ]);
    }
  });

  it('protocol 4.0: 0A000 naming the versions served, as an ErrorResponse', () => {
    const [step] = stepsAtEverySplit(startupWithBody('user\0a\0\0', 4 << 16));
    expect(step).toEqual(
      fatalStep('0A000', 'unsupported frontend protocol 4.0: server supports 3.0 to 3.2'),
    );
    expect(Buffer.from((step as { reply: string }).reply, 'hex')[0]).toBe(0x45); // 'E', then a length
  });

  it('protocol 2.0: the same FATAL in protocol 2 form, as Postgres answers a 2.0 client', () => {
    const [step] = stepsAtEverySplit(startupWithBody('user\0a\0\0', 2 << 16));
    expect(step).toMatchObject({ kind: 'fatal', error: { code: '0A000' } });
    expect(Buffer.from((step as { reply: string }).reply, 'hex').toString()).toBe(
      'EFATAL:  unsupported frontend protocol 2.0: server supports 3.0 to 3.2\n\0',
    );
  });

  it('a second SSLRequest after the first was answered: protocol 1234.5679', () => {
    expect(drive([SSL_REQUEST, SSL_REQUEST])).toEqual([
      { kind: 'reply', bytes: '4e' },
      {
        ...fatalStep(
          '0A000',
          'unsupported frontend protocol 1234.5679: server supports 3.0 to 3.2',
        ),
        reason: 'a second SSLRequest after the first was answered',
      },
    ]);
  });

  it('bytes sent behind an SSLRequest, before its answer: N, then 08P01 with the detail', () => {
    const bytes = Buffer.concat([SSL_REQUEST, STARTUP]);
    const expected = [
      { kind: 'reply', bytes: '4e' },
      {
        kind: 'fatal',
        error: {
          severity: 'FATAL',
          code: '08P01',
          message: 'received unencrypted data after SSL request',
          detail: expect.stringMatching(/man-in-the-middle/),
        },
        reason: 'received unencrypted data after SSL request',
        reply: expect.any(String),
      },
    ];
    expect(drive([bytes])).toEqual(expected);
    // Cut anywhere but right after the request, the startup still arrives with the request's end.
    for (let i = 1; i < bytes.length; i++) {
      const steps = drive([bytes.subarray(0, i), bytes.subarray(i)]);
      if (i === SSL_REQUEST.length) {
        expect(steps[1], `split at ${i}`).toMatchObject({ kind: 'startup' });
      } else {
        expect(steps, `split at ${i}`).toEqual(expected);
      }
    }
  });

  it('the same for a GSSENCRequest', () => {
    expect(drive([Buffer.concat([GSSENC_REQUEST, STARTUP])])[1]).toMatchObject({
      kind: 'fatal',
      error: { message: 'received unencrypted data after GSSAPI encryption request' },
    });
  });
});

describe('OpeningReader: encryption requests', () => {
  it.each([
    ['SSLRequest', [SSL_REQUEST]],
    ['GSSENCRequest', [GSSENC_REQUEST]],
    ['GSSENCRequest, then SSLRequest', [GSSENC_REQUEST, SSL_REQUEST]],
    ['SSLRequest, then GSSENCRequest', [SSL_REQUEST, GSSENC_REQUEST]],
  ])('%s: N to each, then the startup that follows', (_name, requests) => {
    const chunks = [...requests, Buffer.concat([STARTUP, QUERY])];
    const expected = [
      ...requests.map(() => ({ kind: 'reply', bytes: '4e' })),
      expect.objectContaining({
        kind: 'startup',
        bytes: Buffer.concat([STARTUP, QUERY]).toString('hex'),
      }),
    ];
    expect(drive(chunks)).toEqual(expected);
    // Each request cut anywhere: still one N per request once it is whole.
    for (let i = 1; i < 8; i++) {
      const cut = chunks.flatMap((c) => (c.length === 8 ? [c.subarray(0, i), c.subarray(i)] : [c]));
      expect(drive(cut), `requests cut at ${i}`).toEqual(expected);
    }
  });

  it('an SSLRequest of another length is answered too, its extra bytes dropped', () => {
    const longer = int32s(12, SSL_REQUEST_CODE, 0x01020304);
    expect(stepsAtEverySplit(longer)).toEqual([{ kind: 'reply', bytes: '4e' }]);
  });

  it("tls: 'accept' answers S and hands over to a TLS layer, then reads the decrypted startup", () => {
    const reader = new OpeningReader({ tls: 'accept' });
    reader.push(SSL_REQUEST);
    expect(reader.next()).toEqual({
      kind: 'start-tls',
      reply: Buffer.from('S'),
      bytes: Buffer.alloc(0),
      direct: false,
    });
    reader.tlsStarted(false);
    reader.push(Buffer.concat([STARTUP, QUERY]));
    expect(reader.next()).toMatchObject({
      kind: 'startup',
      bytes: Buffer.concat([STARTUP, QUERY]),
    });
  });

  it("tls: 'accept': after an SSLRequest's TLS, no encryption request may follow, as in Postgres", () => {
    for (const [request, name] of [
      [SSL_REQUEST, 'SSLRequest'],
      [GSSENC_REQUEST, 'GSSENCRequest'],
    ] as const) {
      const reader = new OpeningReader({ tls: 'accept' });
      reader.push(SSL_REQUEST);
      reader.next();
      reader.tlsStarted(false);
      reader.push(request);
      expect(reader.next()).toMatchObject({
        kind: 'fatal',
        error: { message: expect.stringMatching(/^unsupported frontend protocol 1234\.56/) },
        reason: `a ${name} inside TLS`,
      });
    }
  });

  it("tls: 'accept': bytes sent behind the SSLRequest go to the TLS handshake (Postgres 17+)", () => {
    // secure_open_server (be-secure.c) pushes them into the handshake: a ClientHello sent early
    // works, and anything else (a startup in plain text) fails the handshake.
    const behind = Buffer.concat([STARTUP, QUERY]);
    expect(stepsAtEverySplit(Buffer.concat([SSL_REQUEST, behind]), { tls: 'accept' })).toEqual([
      { kind: 'start-tls', reply: '53', bytes: behind.toString('hex'), direct: false },
    ]);
  });

  it("tls: 'accept' hands a direct ClientHello to the TLS layer with its bytes", () => {
    const hello = Buffer.from([0x16, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3]);
    expect(stepsAtEverySplit(hello, { tls: 'accept' })).toEqual([
      { kind: 'start-tls', bytes: hello.toString('hex'), direct: true },
    ]);
    const reader = new OpeningReader({ tls: 'accept' });
    reader.push(hello);
    reader.next();
    reader.tlsStarted(true);
    reader.push(STARTUP);
    expect(reader.next()).toMatchObject({ kind: 'startup' });
  });

  it("tls: 'accept': inside direct TLS, an SSLRequest and a GSSENCRequest are answered N", () => {
    // backend_startup.c: after direct TLS the startup is read with ssl_done and gss_done false, and
    // an SSLRequest on a connection already in TLS gets 'N'.
    const reader = new OpeningReader({ tls: 'accept' });
    reader.push(Buffer.from([0x16, 3, 1]));
    reader.next();
    reader.tlsStarted(true);
    const steps: OpeningStep[] = [];
    for (const chunk of [SSL_REQUEST, GSSENC_REQUEST, STARTUP]) {
      reader.push(chunk);
      steps.push(reader.next());
    }
    expect(steps).toMatchObject([
      { kind: 'reply', bytes: Buffer.from('N') },
      { kind: 'reply', bytes: Buffer.from('N') },
      { kind: 'startup' },
    ]);
  });

  it('a client gone right after the TLS handshake: a quiet close, named as such', () => {
    const reader = new OpeningReader({ tls: 'accept' });
    reader.push(SSL_REQUEST);
    reader.next();
    reader.tlsStarted(false);
    expect(reader.end()).toEqual({
      kind: 'close',
      reason: 'the client closed the connection after the TLS handshake, without a startup packet',
    });
  });
});

describe('OpeningReader: CancelRequest', () => {
  it('a 3.0 CancelRequest from pg-protocol: 4-byte key', () => {
    const packet = serialize.cancel(4242, -123456789);
    expect(stepsAtEverySplit(packet)).toEqual([
      { kind: 'cancel', processId: 4242, bytes: packet.toString('hex') },
    ]);
  });

  it('3.2 keys of any length Postgres 18 takes: 1 to 256 bytes', () => {
    for (const keyLength of [1, 32, 256]) {
      const packet = cancelRequest(77, Buffer.alloc(keyLength, 0xab));
      expect(stepsAtEverySplit(packet), `key of ${keyLength}`).toEqual([
        { kind: 'cancel', processId: 77, bytes: packet.toString('hex') },
      ]);
    }
  });

  it('a key of 0 or 257 bytes, or no process id: a quiet close', () => {
    expect(stepsAtEverySplit(cancelRequest(77, Buffer.alloc(0)))).toEqual([
      { kind: 'close', reason: 'invalid length of cancel key in cancel request packet' },
    ]);
    expect(stepsAtEverySplit(cancelRequest(77, Buffer.alloc(257)))).toEqual([
      { kind: 'close', reason: 'invalid length of cancel key in cancel request packet' },
    ]);
    expect(stepsAtEverySplit(int32s(8, CANCEL_REQUEST_CODE))).toEqual([
      { kind: 'close', reason: 'invalid length of cancel request packet' },
    ]);
  });
});

describe('OpeningReader: quiet closes, named in words', () => {
  it.each([
    ['an HTTP request', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'an HTTP request'],
    ['an HTTP POST', 'POST /x HTTP/1.1\r\n\r\n', 'an HTTP request'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'an HTTP request'],
    ['Terminate before startup', 'X\0\0\0\x04', 'a Terminate message before any startup message'],
    ['a Query before startup', 'Q\0\0\0\x0dselect 1\0', "a 'Q' message before any startup message"],
    [
      'an oversize length',
      '\x7f\xff\xff\xff\0\x03\0\0',
      'junk: the first bytes (7f ff ff ff) claim a startup packet of 2147483647 bytes',
    ],
    [
      'one byte over the limit',
      '\0\0\x27\x15',
      'junk: the first bytes (00 00 27 15) claim a startup packet of 10005 bytes',
    ],
    [
      'a negative length',
      '\xff\xff\xff\xff',
      'junk: the first bytes (ff ff ff ff) claim a startup packet of -1 bytes',
    ],
    [
      'a length below 8',
      '\0\0\0\x07\0\0\0',
      'junk: the first bytes (00 00 00 07) claim a startup packet of 7 bytes',
    ],
  ])('%s', (_name, text, reason) => {
    expect(stepsAtEverySplit(Buffer.from(text, 'latin1'))).toEqual([{ kind: 'close', reason }]);
  });

  it('a TLS ClientHello first (direct TLS): closed at its first byte, named as such', () => {
    const hello = Buffer.from([0x16, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3]);
    expect(stepsAtEverySplit(hello)).toEqual([
      {
        kind: 'close',
        reason: 'a TLS ClientHello (direct TLS negotiation), and TLS is off on this port',
      },
    ]);
  });

  it('the client closing early: nothing, part of a packet, or after an answered request', () => {
    expect(drive([], undefined, true)).toEqual([
      { kind: 'close', reason: 'the client closed the connection without sending anything' },
    ]);
    expect(stepsAtEverySplit(STARTUP.subarray(0, 10), undefined, true)).toEqual([
      { kind: 'close', reason: 'incomplete startup packet: the client closed after 10 bytes' },
    ]);
    expect(drive([SSL_REQUEST], undefined, true)).toEqual([
      { kind: 'reply', bytes: '4e' },
      {
        kind: 'close',
        reason: 'the client closed the connection after its encryption request was refused',
      },
    ]);
  });

  it('never waits for the bytes an impossible length announces', () => {
    const reader = new OpeningReader();
    reader.push(int32s(0x7fffffff));
    expect(reader.next().kind).toBe('close');
  });
});
