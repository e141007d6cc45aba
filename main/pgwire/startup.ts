import {
  CANCEL_REQUEST_CODE,
  CANCEL_REQUEST_LENGTH,
  GSSENC_REQUEST_CODE,
  MAX_STARTUP_PACKET_LENGTH,
  MIN_STARTUP_PACKET_LENGTH,
  PROTOCOL_VERSION_3_0,
  SSL_REQUEST_CODE,
} from './codes.js';

/** What the first packet a client sends turned out to be. `length` is how many bytes it took. */
export type StartupPacket =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'ssl-request'; length: number }
  | { kind: 'gssenc-request'; length: number }
  | { kind: 'cancel-request'; length: number }
  | { kind: 'startup'; length: number; parameters: Record<string, string> };

const HTTP_METHOD = /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /;

/**
 * Reads the untyped packet at the start of `buffer` (a StartupMessage, SSLRequest, GSSENCRequest or
 * CancelRequest). Pure: the caller keeps the bytes and calls again with more when told 'incomplete'.
 * A wrong length is reported as soon as the length field is in, so an oversize claim never makes the
 * caller wait for (or buffer) the bytes it announces.
 */
export function readStartupPacket(buffer: Buffer): StartupPacket {
  if (buffer.length >= 4 && HTTP_METHOD.test(buffer.toString('latin1', 0, 8))) {
    return invalid('an HTTP request arrived on a Postgres port');
  }
  if (buffer.length < 4) {
    return { kind: 'incomplete' };
  }
  const length = buffer.readInt32BE(0);
  if (length < MIN_STARTUP_PACKET_LENGTH || length > MAX_STARTUP_PACKET_LENGTH) {
    return invalid(`the startup packet claims a length of ${length} bytes`);
  }
  if (buffer.length < MIN_STARTUP_PACKET_LENGTH) {
    return { kind: 'incomplete' };
  }
  const code = buffer.readInt32BE(4);
  switch (code) {
    case SSL_REQUEST_CODE:
      return length === MIN_STARTUP_PACKET_LENGTH
        ? { kind: 'ssl-request', length }
        : invalid('malformed SSLRequest');
    case GSSENC_REQUEST_CODE:
      return length === MIN_STARTUP_PACKET_LENGTH
        ? { kind: 'gssenc-request', length }
        : invalid('malformed GSSENCRequest');
    case CANCEL_REQUEST_CODE:
      if (length !== CANCEL_REQUEST_LENGTH) {
        return invalid('malformed CancelRequest');
      }
      return buffer.length < length ? { kind: 'incomplete' } : { kind: 'cancel-request', length };
    case PROTOCOL_VERSION_3_0:
      if (buffer.length < length) {
        return { kind: 'incomplete' };
      }
      return parseStartupParameters(buffer.subarray(MIN_STARTUP_PACKET_LENGTH, length), length);
    default:
      return invalid(
        `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: only 3.0 is served`,
      );
  }
}

/** `body` is the part after length and version: name\0value\0 pairs, then one more \0. */
function parseStartupParameters(body: Buffer, length: number): StartupPacket {
  if (body.length === 0 || body[body.length - 1] !== 0) {
    return invalid('the startup packet is not terminated');
  }
  const parameters: Record<string, string> = {};
  let offset = 0;
  const end = body.length - 1;
  while (offset < end) {
    const nameEnd = body.indexOf(0, offset);
    const valueEnd = nameEnd < 0 || nameEnd >= end ? -1 : body.indexOf(0, nameEnd + 1);
    if (nameEnd === offset || valueEnd < 0 || valueEnd > end) {
      return invalid('the startup packet has a malformed parameter list');
    }
    parameters[body.toString('utf8', offset, nameEnd)] = body.toString(
      'utf8',
      nameEnd + 1,
      valueEnd,
    );
    offset = valueEnd + 1;
  }
  if (offset !== end) {
    return invalid('the startup packet has a malformed parameter list');
  }
  if (!parameters['user']) {
    return invalid('the startup packet names no user');
  }
  return { kind: 'startup', length, parameters };
}

function invalid(reason: string): StartupPacket {
  return { kind: 'invalid', reason };
}

/** Serializes a protocol 3.0 StartupMessage with the parameters in the order given. */
export function encodeStartupMessage(parameters: Record<string, string>): Buffer {
  const pairs = Object.entries(parameters).flatMap(([name, value]) => [name, value]);
  const bodyLength = pairs.reduce((sum, s) => sum + Buffer.byteLength(s) + 1, 0) + 1;
  const length = MIN_STARTUP_PACKET_LENGTH + bodyLength;
  const packet = Buffer.alloc(length);
  packet.writeInt32BE(length, 0);
  packet.writeInt32BE(PROTOCOL_VERSION_3_0, 4);
  let offset = MIN_STARTUP_PACKET_LENGTH;
  for (const s of pairs) {
    offset += packet.write(s, offset) + 1; // Buffer.alloc zero-fills: the terminator is already there
  }
  return packet;
}

/** A first packet other than an encryption request, and the bytes from where it starts. */
export type OpeningPacket = Exclude<StartupPacket, { kind: 'ssl-request' | 'gssenc-request' }>;

/**
 * Both ends answer SSLRequest and GSSENCRequest with 'N' (the WebSocket is the encryption), then
 * read what the client sends next. Calls `refuse` once per such request at the start of `buffer`,
 * and returns the packet after them with `rest`, the buffer from that packet on.
 */
export function readPastEncryptionRequests(
  buffer: Buffer,
  refuse: () => void,
): { packet: OpeningPacket; rest: Buffer } {
  let rest = buffer;
  for (;;) {
    const packet = readStartupPacket(rest);
    if (packet.kind !== 'ssl-request' && packet.kind !== 'gssenc-request') {
      return { packet, rest };
    }
    refuse();
    rest = rest.subarray(packet.length);
  }
}
