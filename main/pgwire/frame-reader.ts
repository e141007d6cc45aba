import { FRAME_HEADER_LENGTH } from './codes.js';

export interface Frame {
  type: number;
  /** The bytes after the 5-byte header. */
  body: Buffer;
  /** The whole frame, header included, as it arrived. */
  raw: Buffer;
}

/** Authentication-phase frames are small; a bigger one means the peer is not a Postgres server. */
const MAX_HANDSHAKE_FRAME_LENGTH = 1 << 20;

/**
 * Collects whole typed frames for the short conversations where every message is read (the
 * upstream login). The byte pump uses FrameScanner instead, which never buffers.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /** The next whole frame, or undefined until more bytes are pushed. Throws on an impossible length. */
  next(): Frame | undefined {
    if (this.pending.length < FRAME_HEADER_LENGTH) {
      return undefined;
    }
    const length = this.pending.readInt32BE(1);
    if (length < 4 || length > MAX_HANDSHAKE_FRAME_LENGTH) {
      throw new Error(`the server sent a message with an impossible length (${length})`);
    }
    const total = 1 + length;
    if (this.pending.length < total) {
      return undefined;
    }
    const raw = this.pending.subarray(0, total);
    this.pending = this.pending.subarray(total);
    return { type: raw[0]!, body: raw.subarray(FRAME_HEADER_LENGTH), raw };
  }

  /** Bytes received after the last frame returned by next(). */
  rest(): Buffer {
    return this.pending;
  }
}
