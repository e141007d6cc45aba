import { connect } from 'node:net';
import fc from 'fast-check';
import type { RunningProcess } from './child-process.js';

/**
 * Cases each fuzz test tries per run: enough to reach the odd corners of a parser (fast-check
 * biases towards small and extreme values), few enough that the three surfaces together stay
 * well under a minute on a two-core machine, as each case is a real connection to a real process.
 */
export const FUZZ_RUNS = 1_000;

/** The longest a fuzz case waits for the server to close its connection after the input ends. */
const CASE_TIMEOUT_MS = 3_000;

/**
 * Sends FUZZ_RUNS generated `inputs` to 127.0.0.1:`port`, each on a connection of its own, cut
 * into pieces at generated offsets, and fails (with fast-check's smallest failing input and seed)
 * as soon as `process` has exited. Prints how many cases it tried, `fuzz: SURFACE: N cases`, so
 * that CI output shows it.
 */
export async function fuzzConnections(
  surface: string,
  port: number,
  process: RunningProcess,
  inputs: fc.Arbitrary<Uint8Array>,
): Promise<void> {
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(inputs, fc.array(fc.nat(), { maxLength: 4 }), async (bytes, cuts) => {
      cases++;
      await sendInPieces(port, bytes, cuts);
      if (process.child.exitCode !== null || process.child.signalCode !== null) {
        throw new Error(`the process exited:\n${process.output.slice(-2000)}`);
      }
    }),
    { numRuns: FUZZ_RUNS },
  );
  console.log(`fuzz: ${surface}: ${cases} cases`);
}

/**
 * Opens a TCP connection to 127.0.0.1:`port`, writes `bytes` in pieces cut at `cuts` (offsets,
 * taken modulo the length), then ends its side and resolves once the server has closed, or after
 * CASE_TIMEOUT_MS (a server may rightly wait for more). Never rejects: a reset is an answer too.
 */
function sendInPieces(port: number, bytes: Uint8Array, cuts: number[]): Promise<void> {
  const offsets = [
    ...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length))),
  ].sort((a, b) => a - b);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), CASE_TIMEOUT_MS);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
    socket.on('connect', () => {
      let from = 0;
      for (const offset of [...offsets, bytes.length]) {
        if (offset > from) {
          socket.write(bytes.subarray(from, offset));
          from = offset;
        }
      }
      socket.end();
    });
  });
}

/** What an HTTP request arbitrary may fill in: the names and values a server reacts to. */
export interface HttpFuzzVocabulary {
  /** Paths the server serves (tried as-is and with junk around them). */
  paths: string[];
  /** Header values by header name that get a server past its first checks (a Host, a token). */
  headers: Record<string, string[]>;
}

/** Request targets that `new URL`, `decodeURIComponent` or a path check have tripped on. */
const NASTY_TARGET_PARTS = [
  '/',
  '//',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%2e%2e/',
  '../',
  'http://[',
  'http://a%zz/',
  'https://x:99999/',
  'http://:80/',
  '*',
  '?',
  '?token=',
  '#',
  '@',
  ':',
  '\\',
  '\u00e9',
  '\ud83d\ude00',
];

const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'PRI', 'get', ''];

const HEADER_NAMES = [
  'host',
  'authorization',
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'content-length',
  'transfer-encoding',
  'content-type',
  'x-forwarded-for',
  'forwarded',
  'origin',
  'cookie',
  'expect',
];

const HEADER_VALUES = [
  'Upgrade',
  'websocket',
  'dGhlIHNhbXBsZSBub25jZQ==',
  '13',
  '8',
  '0',
  '-1',
  '99999999999999999999',
  'chunked',
  'application/json',
  'Bearer ',
  '100-continue',
  '127.0.0.1, 10.0.0.1',
  'for="[::1]:80";proto=http',
  '',
];

/**
 * Raw HTTP/1.x requests, well-formed and not: methods, targets with odd percent-encoding and
 * URL forms, versions, header names and values (the upgrade set often), bodies of text or bytes.
 * `vocabulary` adds what this server knows (its paths, its token) so that cases get past the
 * first check into the code behind it.
 */
export function httpRequests(vocabulary: HttpFuzzVocabulary): fc.Arbitrary<Uint8Array> {
  const knownHeaders = Object.entries(vocabulary.headers).flatMap(([name, values]) =>
    values.map((value) => fc.constant([name, value] as const)),
  );
  const header = fc.oneof(
    ...knownHeaders,
    fc.tuple(
      fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 12 })),
      fc.oneof(fc.constantFrom(...HEADER_VALUES), fc.string({ maxLength: 40 })),
    ),
  );
  const upgradeHeaders = [
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ];
  const target = fc
    .array(
      fc.oneof(
        fc.constantFrom(...vocabulary.paths, ...NASTY_TARGET_PARTS),
        fc.string({ maxLength: 8 }),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((parts) => parts.join(''));
  const body = fc.oneof(
    fc.constant(''),
    fc.json(),
    fc.string({ maxLength: 64 }),
    fc.constant('{"args":null}'),
    fc.constant('{"args":[{}]}'),
  );
  return fc
    .record({
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 8 })),
      target,
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', ''),
      upgrade: fc.boolean(),
      headers: fc.array(header, { maxLength: 8 }),
      body,
      lineEnd: fc.constantFrom('\r\n', '\n', '\r'),
    })
    .map(({ method, target: path, version, upgrade, headers, body: text, lineEnd }) => {
      const lines = [
        `${method} ${path} ${version}`,
        ...(upgrade ? upgradeHeaders : []),
        ...headers.map(([name, value]) => `${name}: ${value}`),
      ];
      return Buffer.from(`${lines.join(lineEnd)}${lineEnd}${lineEnd}${text}`, 'utf8');
    });
}

/** Protocol codes a Postgres opening may carry (StartupMessage 3.0 and 3.2, and the requests). */
const OPENING_CODES = [
  196608, // protocol 3.0
  196610, // protocol 3.2
  131072, // protocol 2.0, long gone
  80877103, // SSLRequest
  80877104, // GSSENCRequest
  80877102, // CancelRequest
];

/** Startup parameter names the engine reads or passes on. */
const STARTUP_NAMES = ['user', 'database', 'application_name', 'options', 'replication', '_pq_.x'];

/**
 * Opening bytes of a Postgres connection, well-formed and not: a length word (true, off by a
 * little, or absurd), a protocol code, NUL-terminated name/value pairs, trailing bytes; or plain
 * junk (an HTTP request, a TLS record, random bytes).
 */
export function postgresOpenings(): fc.Arbitrary<Uint8Array> {
  const cstring = (names: string[]): fc.Arbitrary<string> =>
    fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 }));
  const packet = fc
    .record({
      code: fc.oneof(fc.constantFrom(...OPENING_CODES), fc.integer()),
      pairs: fc.array(fc.tuple(cstring(STARTUP_NAMES), cstring(['postgres', 'anything', ''])), {
        maxLength: 4,
      }),
      terminator: fc.boolean(),
      lengthSkew: fc.oneof(fc.constant(0), fc.integer({ min: -8, max: 8 }), fc.integer()),
      rest: fc.uint8Array({ maxLength: 32 }),
    })
    .map(({ code, pairs, terminator, lengthSkew, rest }) => {
      const body = Buffer.from(
        pairs.map(([name, value]) => `${name}\0${value}\0`).join('') + (terminator ? '\0' : ''),
        'utf8',
      );
      const head = Buffer.alloc(8);
      head.writeInt32BE((8 + body.length + lengthSkew) | 0, 0);
      head.writeInt32BE(code | 0, 4);
      return Buffer.concat([head, body, rest]);
    });
  return fc.oneof(
    packet,
    fc.uint8Array({ maxLength: 64 }),
    fc.constant(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
    fc.constant(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00])),
  );
}
