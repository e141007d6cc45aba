import { MIN_STARTUP_PACKET_LENGTH, PROTOCOL_VERSION_3_0 } from './codes.js';

/** A StartupMessage as a client sent it. */
export interface StartupMessage {
  /** The requested protocol version word: major << 16 | minor (3.0 is 196608, 3.2 is 196610). */
  protocolVersion: number;
  /**
   * Every parameter, in the order sent, `_pq_.` protocol options included. A name sent twice keeps
   * its last value, as the postmaster does for user and database.
   */
  parameters: Record<string, string>;
}

/**
 * Reads the name/value pairs of a StartupMessage the way the postmaster does
 * (src/backend/tcop/backend_startup.c, ProcessStartupPacket): pairs of C strings up to an empty
 * name, and the packet is well formed only if that terminator is its last byte. `body` is the
 * packet after the length word and the version. Returns undefined for a malformed layout.
 */
export function parseStartupParameters(body: Buffer): Record<string, string> | undefined {
  // The postmaster reads past a missing terminator into a zero byte it appends; so does this.
  const cstringEnd = (from: number): number => {
    const end = body.indexOf(0, from);
    return end < 0 ? body.length : end;
  };
  const parameters: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    const nameEnd = cstringEnd(offset);
    if (nameEnd === offset) {
      break; // the terminator
    }
    const valueOffset = nameEnd + 1;
    if (valueOffset >= body.length) {
      break; // a name without a value: the layout check below refuses it
    }
    const valueEnd = cstringEnd(valueOffset);
    parameters[body.toString('utf8', offset, nameEnd)] = body.toString(
      'utf8',
      valueOffset,
      valueEnd,
    );
    offset = valueEnd + 1;
  }
  return offset === body.length - 1 ? parameters : undefined;
}

/**
 * Serializes a StartupMessage with the parameters in the order given, for `protocolVersion`
 * (default 3.0). protocol-message-formats.html, StartupMessage.
 */
export function encodeStartupMessage(
  parameters: Record<string, string>,
  protocolVersion = PROTOCOL_VERSION_3_0,
): Buffer {
  const pairs = Object.entries(parameters).flatMap(([name, value]) => [name, value]);
  const bodyLength = pairs.reduce((sum, s) => sum + Buffer.byteLength(s) + 1, 0) + 1;
  const length = MIN_STARTUP_PACKET_LENGTH + bodyLength;
  const packet = Buffer.alloc(length);
  packet.writeInt32BE(length, 0);
  packet.writeInt32BE(protocolVersion, 4);
  let offset = MIN_STARTUP_PACKET_LENGTH;
  for (const s of pairs) {
    offset += packet.write(s, offset) + 1; // Buffer.alloc zero-fills: the terminator is already there
  }
  return packet;
}
