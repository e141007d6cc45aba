import { describe, it, expect } from 'vitest';
import { Parser } from 'pg-protocol/dist/parser.js';
import { FrameScanner } from './frame-scanner.js';

/** A typed backend message: type byte, int32 length counting itself, body. */
function frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
}

function dataRow(columns: Array<Buffer | null>): Buffer {
  return frame(
    'D',
    Buffer.concat([
      int16(columns.length),
      ...columns.flatMap((c) => (c === null ? [int32(-1)] : [int32(c.length), c])),
    ]),
  );
}

function rowDescription(names: string[]): Buffer {
  return frame(
    'T',
    Buffer.concat([
      int16(names.length),
      ...names.map((name) =>
        Buffer.concat([
          cstring(name),
          int32(16384), // table oid
          int16(1), // column number
          int32(25), // text
          int16(-1),
          int32(-1),
          int16(0),
        ]),
      ),
    ]),
  );
}

const PID = 4242;

/** A login, one query in a transaction with many rows, then a failed transaction. */
function buildBackendStream(): { stream: Buffer; frames: Buffer[] } {
  const frames: Buffer[] = [
    frame('R', int32(0)), // AuthenticationOk
    frame('S', Buffer.concat([cstring('server_version'), cstring('16.4')])),
    frame('S', Buffer.concat([cstring('client_encoding'), cstring('UTF8')])),
    frame('S', Buffer.concat([cstring('TimeZone'), cstring('Europe/Zürich')])),
    frame('K', Buffer.concat([int32(PID), int32(0x5ec7e7)])),
    frame('Z', Buffer.from('I')),
    rowDescription(['id', 'payload']),
  ];
  for (let i = 0; i < 60; i++) {
    const size = (i * 37) % 300;
    frames.push(dataRow([Buffer.from(String(i)), i % 7 === 0 ? null : Buffer.alloc(size, 0x61)]));
  }
  frames.push(dataRow([Buffer.from('big'), Buffer.alloc(100_000, 0x5a)])); // 'Z' bytes inside a row
  frames.push(dataRow([Buffer.from('empty'), Buffer.alloc(0)]));
  frames.push(frame('C', cstring('SELECT 62')));
  frames.push(frame('Z', Buffer.from('T')));
  frames.push(frame('Z', Buffer.from('E')));
  return { stream: Buffer.concat(frames), frames };
}

const { stream, frames } = buildBackendStream();
const frameEnds = new Set<number>();
{
  let end = 0;
  for (const f of frames) {
    end += f.length;
    frameEnds.add(end);
  }
}

/** What pg-protocol's own parser reads from the stream: an independent check of the fixture. */
function parseWithPgProtocol(bytes: Buffer): Array<{ name: string; [k: string]: unknown }> {
  const messages: Array<{ name: string; [k: string]: unknown }> = [];
  new Parser().parse(bytes, (message) => messages.push(message as never));
  return messages;
}

interface Report {
  type: string;
  head: number;
}

function scan(chunks: Buffer[], everyFrame = false): { reports: Report[]; scanner: FrameScanner } {
  const reports: Report[] = [];
  const scanner = new FrameScanner(
    (type, head) => reports.push({ type: String.fromCharCode(type), head }),
    everyFrame,
  );
  for (const chunk of chunks) {
    scanner.feed(chunk);
  }
  return { reports, scanner };
}

const parsed = parseWithPgProtocol(stream);
/** The K and Z reports the scanner must make, derived from pg-protocol's reading of the stream. */
const expectedKeyAndStatus: Report[] = parsed.flatMap((m): Report[] => {
  if (m.name === 'backendKeyData') {
    return [{ type: 'K', head: m['processID'] as number }];
  }
  if (m.name === 'readyForQuery') {
    return [{ type: 'Z', head: (m['status'] as string).charCodeAt(0) }];
  }
  return [];
});
const expectedTypes = frames.map((f) => String.fromCharCode(f[0]!));

describe('FrameScanner', () => {
  it('works on a fixture pg-protocol reads as the intended backend messages', () => {
    expect(parsed.map((m) => m.name)).toEqual([
      'authenticationOk',
      'parameterStatus',
      'parameterStatus',
      'parameterStatus',
      'backendKeyData',
      'readyForQuery',
      'rowDescription',
      ...Array<string>(62).fill('dataRow'),
      'commandComplete',
      'readyForQuery',
      'readyForQuery',
    ]);
    expect(expectedKeyAndStatus).toEqual([
      { type: 'K', head: PID },
      { type: 'Z', head: 'I'.charCodeAt(0) },
      { type: 'Z', head: 'T'.charCodeAt(0) },
      { type: 'Z', head: 'E'.charCodeAt(0) },
    ]);
  });

  it('reports the process id and every transaction status for the whole stream in one chunk', () => {
    const { reports, scanner } = scan([stream]);
    expect(reports).toEqual(expectedKeyAndStatus);
    expect(scanner.atBoundary).toBe(true);
    expect(scanner.broken).toBe(false);
  });

  it('reports every frame type in order with everyFrame', () => {
    const { reports } = scan([stream], true);
    expect(reports.map((r) => r.type)).toEqual(expectedTypes);
    expect(reports.filter((r) => r.type === 'K' || r.type === 'Z')).toEqual(expectedKeyAndStatus);
    expect(reports.filter((r) => r.type !== 'K' && r.type !== 'Z').every((r) => r.head === 0)).toBe(
      true,
    );
  });

  it('gives the same reports in 1-byte chunks, at a boundary exactly between frames', () => {
    const reports: Report[] = [];
    const scanner = new FrameScanner(
      (type, head) => reports.push({ type: String.fromCharCode(type), head }),
      true,
    );
    expect(scanner.atBoundary).toBe(true);
    const wrongBoundary: number[] = [];
    for (let i = 0; i < stream.length; i++) {
      scanner.feed(stream.subarray(i, i + 1));
      if (scanner.atBoundary !== frameEnds.has(i + 1)) {
        wrongBoundary.push(i + 1);
      }
    }
    expect(wrongBoundary.slice(0, 10)).toEqual([]);
    expect(reports.map((r) => r.type)).toEqual(expectedTypes);
    expect(reports.filter((r) => r.type === 'K' || r.type === 'Z')).toEqual(expectedKeyAndStatus);
  });

  it('gives the same reports when the stream is split in two at any position', () => {
    const failures: string[] = [];
    for (let split = 0; split <= stream.length; split++) {
      const first = stream.subarray(0, split);
      const second = stream.subarray(split);
      const keyAndStatus: Report[] = [];
      const types: string[] = [];
      const onlyInteresting = new FrameScanner((type, head) =>
        keyAndStatus.push({ type: String.fromCharCode(type), head }),
      );
      const all = new FrameScanner((type) => types.push(String.fromCharCode(type)), true);
      onlyInteresting.feed(first);
      all.feed(first);
      const boundaryAfterFirst = onlyInteresting.atBoundary;
      onlyInteresting.feed(second);
      all.feed(second);
      const ok =
        boundaryAfterFirst === (split === 0 || frameEnds.has(split)) &&
        onlyInteresting.atBoundary &&
        all.atBoundary &&
        JSON.stringify(keyAndStatus) === JSON.stringify(expectedKeyAndStatus) &&
        JSON.stringify(types) === JSON.stringify(expectedTypes);
      if (!ok) {
        failures.push(`split at ${split}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('feedToBoundary stops exactly at the end of the frame in progress, from any position', () => {
    const sortedEnds = [...frameEnds].sort((a, b) => a - b);
    const failures: string[] = [];
    for (let position = 0; position <= stream.length; position++) {
      const types: string[] = [];
      const scanner = new FrameScanner((type) => types.push(String.fromCharCode(type)), true);
      scanner.feed(stream.subarray(0, position));
      const nextEnd =
        position === 0 || frameEnds.has(position)
          ? position
          : sortedEnds.find((end) => end > position)!;
      // The rest arrives in chunks of an odd size, so frames end anywhere within them.
      let taken = 0;
      for (let offset = position; offset < stream.length; offset += 997) {
        const chunk = stream.subarray(offset, offset + 997);
        const took = scanner.feedToBoundary(chunk);
        taken += took;
        if (took < chunk.length || scanner.atBoundary) {
          break;
        }
      }
      const ok =
        position + taken === nextEnd &&
        scanner.atBoundary &&
        types.length === expectedTypes.filter((_, i) => sortedEnds[i]! <= nextEnd).length;
      if (!ok) {
        failures.push(`from ${position}: stopped at ${position + taken}, expected ${nextEnd}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('feedToBoundary takes a whole chunk of a frame that goes on past it, and of a broken stream', () => {
    const scanner = new FrameScanner(() => {});
    const row = dataRow([Buffer.alloc(100, 0x61)]);
    expect(scanner.feedToBoundary(row)).toBe(0); // between frames: nothing to finish
    scanner.feed(row.subarray(0, 20));
    expect(scanner.feedToBoundary(row.subarray(20, 50))).toBe(30);
    expect(scanner.atBoundary).toBe(false);
    expect(
      scanner.feedToBoundary(Buffer.concat([row.subarray(50), frame('Z', Buffer.from('I'))])),
    ).toBe(row.length - 50);
    const broken = new FrameScanner(() => {});
    broken.feed(Buffer.from([0x44, 0, 0, 0, 3]));
    expect(broken.feedToBoundary(stream.subarray(0, 40))).toBe(40);
    expect(broken.atBoundary).toBe(false);
  });

  it('reports a K frame only once its 4 process-id bytes are in', () => {
    const k = frame('K', Buffer.concat([int32(PID), int32(1)]));
    const reports: Report[] = [];
    const scanner = new FrameScanner((type, head) =>
      reports.push({ type: String.fromCharCode(type), head }),
    );
    scanner.feed(k.subarray(0, 8)); // header and 3 of the 4 pid bytes
    expect(reports).toEqual([]);
    scanner.feed(k.subarray(8, 9));
    expect(reports).toEqual([{ type: 'K', head: PID }]);
    expect(scanner.atBoundary).toBe(false); // the secret key is still to come
    scanner.feed(k.subarray(9));
    expect(scanner.atBoundary).toBe(true);
  });

  it('reads the process id of a protocol 3.2 BackendKeyData (a 32-byte key) and skips its key, split anywhere', () => {
    const k = frame('K', Buffer.concat([int32(PID), Buffer.alloc(32, 0x5a)]));
    const z = frame('Z', Buffer.from('I'));
    const bytes = Buffer.concat([k, z]);
    for (let split = 0; split <= bytes.length; split++) {
      const reports: Report[] = [];
      const scanner = new FrameScanner((type, head) =>
        reports.push({ type: String.fromCharCode(type), head }),
      );
      scanner.feed(bytes.subarray(0, split));
      scanner.feed(bytes.subarray(split));
      expect(reports, `split at ${split}`).toEqual([
        { type: 'K', head: PID },
        { type: 'Z', head: 'I'.charCodeAt(0) },
      ]);
      expect(scanner.atBoundary).toBe(true);
    }
  });

  it('sets broken on a length below 4 and stops reporting', () => {
    const bad = Buffer.from([0x44, 0, 0, 0, 3]);
    const { reports, scanner } = scan([frame('Z', Buffer.from('I')), bad, stream], true);
    expect(reports).toEqual([{ type: 'Z', head: 'I'.charCodeAt(0) }]);
    expect(scanner.broken).toBe(true);
    expect(scanner.atBoundary).toBe(false);
  });

  it('sets broken on a negative length, also when the header arrives byte by byte', () => {
    const bad = Buffer.from([0x44, 0xff, 0xff, 0xff, 0xff]);
    const { scanner } = scan([...bad].map((b) => Buffer.from([b])));
    expect(scanner.broken).toBe(true);
  });

  it('accepts a frame of length exactly 4 (no body) and stays at a boundary after it', () => {
    // ParseComplete '1' has no body.
    const { reports, scanner } = scan([frame('1'), frame('Z', Buffer.from('I'))], true);
    expect(reports).toEqual([
      { type: '1', head: 0 },
      { type: 'Z', head: 'I'.charCodeAt(0) },
    ]);
    expect(scanner.broken).toBe(false);
    expect(scanner.atBoundary).toBe(true);
  });

  it('hands over the body of each ErrorResponse, whole, however the stream is split', () => {
    const fatal = Buffer.concat([
      cstring('SFATAL'),
      cstring('VFATAL'),
      cstring('C53300'),
      cstring('Mtoo many sessions for this API key'),
      Buffer.from([0]),
    ]);
    const withErrors = Buffer.concat([
      frame('E', Buffer.concat([cstring('SERROR'), Buffer.from([0])])),
      dataRow([Buffer.from('x'.repeat(100))]),
      frame('E', fatal),
      frame('E'),
    ]);
    const expected = [Buffer.concat([cstring('SERROR'), Buffer.from([0])]), fatal, Buffer.alloc(0)];
    const failures: string[] = [];
    for (let split = 0; split <= withErrors.length; split++) {
      const bodies: Buffer[] = [];
      const scanner = new FrameScanner(
        () => {},
        false,
        (body) => bodies.push(body),
      );
      const chunks = [withErrors.subarray(0, split), withErrors.subarray(split)].map((c) =>
        Buffer.from(c),
      );
      for (const chunk of chunks) {
        scanner.feed(chunk);
        chunk.fill(0); // the pump may reuse a chunk's memory once it is passed on
      }
      if (JSON.stringify(bodies) !== JSON.stringify(expected)) {
        failures.push(`split at ${split}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
