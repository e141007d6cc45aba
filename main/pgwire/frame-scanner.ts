import { BackendMessage, FRAME_HEADER_LENGTH } from './codes.js';

/**
 * Called for a frame whose leading body bytes are of interest: BackendKeyData (`head` is the
 * backend's process id) and ReadyForQuery (`head` is the transaction status byte); with
 * `everyFrame`, for every frame too (`head` is 0 for the others).
 */
export type FrameCallback = (type: number, head: number) => void;

/** How many leading body bytes to read from frames of a type: the rest is only skipped. */
function headLength(type: number): number {
  switch (type) {
    case BackendMessage.BackendKeyData:
      return 4; // int32 process id
    case BackendMessage.ReadyForQuery:
      return 1; // transaction status
    default:
      return 0;
  }
}

/** An ErrorResponse body larger than this (bytes) is not handed to onErrorResponse: not Postgres's. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Follows the frame boundaries of a typed-message stream while the bytes pass through untouched.
 * It reads headers (type byte + int32 length) and at most four body bytes of the two frame types the
 * session registry needs; DataRow payloads are skipped by arithmetic, never copied or decoded.
 * Chunks may split frames anywhere, headers included.
 */
export class FrameScanner {
  /** Header bytes seen of a header split across chunks: the type, then the length, big-endian. */
  private partialHeaderLength = 0;
  private partialType = 0;
  private partialLength = 0;
  private bodyRemaining = 0;
  private type = 0;
  private headRemaining = 0;
  private head = 0;
  /** Set when a header was impossible (length < 4): the stream is not Postgres, scanning stopped. */
  broken = false;
  /** The body so far of the ErrorResponse in progress, copied, when onErrorResponse wants it. */
  private errorBody: Buffer[] | undefined;

  /**
   * @param onErrorResponse given: called with the body of every ErrorResponse of at most
   *   MAX_ERROR_BODY bytes (rare and small: the one frame type whose bytes are copied).
   */
  constructor(
    private readonly onFrame: FrameCallback,
    private readonly everyFrame = false,
    private readonly onErrorResponse?: (body: Buffer) => void,
  ) {}

  /** True between frames: a whole frame can be injected into the stream here without corrupting it. */
  get atBoundary(): boolean {
    return !this.broken && this.partialHeaderLength === 0 && this.bodyRemaining === 0;
  }

  feed(chunk: Buffer): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end && !this.broken) {
      if (this.bodyRemaining > 0) {
        while (this.headRemaining > 0 && offset < end) {
          this.head = this.head * 256 + chunk[offset]!;
          offset++;
          this.bodyRemaining--;
          if (--this.headRemaining === 0) {
            this.onFrame(this.type, this.head);
          }
        }
        const skip = Math.min(this.bodyRemaining, end - offset);
        if (this.errorBody) {
          // Copied: the chunk's memory goes back to the pump once it is passed on.
          this.errorBody.push(Buffer.from(chunk.subarray(offset, offset + skip)));
        }
        offset += skip;
        this.bodyRemaining -= skip;
        if (this.errorBody && this.bodyRemaining === 0) {
          const body = Buffer.concat(this.errorBody);
          this.errorBody = undefined;
          this.onErrorResponse!(body);
        }
        continue;
      }
      let type: number;
      let length: number;
      if (this.partialHeaderLength === 0 && end - offset >= FRAME_HEADER_LENGTH) {
        type = chunk[offset]!;
        length = chunk.readInt32BE(offset + 1);
        offset += FRAME_HEADER_LENGTH;
      } else {
        // Kept in numbers rather than a buffer: a buffer per session costs more than the scanner.
        const byte = chunk[offset++]!;
        if (this.partialHeaderLength++ === 0) {
          this.partialType = byte;
          this.partialLength = 0;
        } else {
          this.partialLength = this.partialLength * 256 + byte;
        }
        if (this.partialHeaderLength < FRAME_HEADER_LENGTH) {
          continue;
        }
        this.partialHeaderLength = 0;
        type = this.partialType;
        // Read as the signed int32 it is on the wire, so that a corrupt length is negative here too.
        length = this.partialLength | 0;
      }
      this.startFrame(type, length - 4);
    }
  }

  /**
   * Feeds `chunk` only up to the end of the frame in progress: returns how many of its bytes that
   * took (0 when already at a boundary; `chunk.length` when the frame goes on past the chunk, or
   * the stream is broken). The rest of the chunk is not scanned. Lets a caller cut a stream at the
   * first boundary to put a frame of its own there (the gateway's FATAL when it ends a session).
   */
  feedToBoundary(chunk: Buffer): number {
    let offset = 0;
    while (offset < chunk.length && !this.atBoundary) {
      // Within a body the frame's end is known; within a header, one byte at a time finds it.
      const step = this.broken
        ? chunk.length - offset
        : this.bodyRemaining > 0
          ? Math.min(this.bodyRemaining, chunk.length - offset)
          : 1;
      this.feed(chunk.subarray(offset, offset + step));
      offset += step;
    }
    return offset;
  }

  private startFrame(type: number, bodyLength: number): void {
    if (bodyLength < 0) {
      this.broken = true;
      return;
    }
    this.type = type;
    this.bodyRemaining = bodyLength;
    if (this.onErrorResponse && type === BackendMessage.ErrorResponse) {
      if (bodyLength === 0) {
        this.onErrorResponse(Buffer.alloc(0));
      } else if (bodyLength <= MAX_ERROR_BODY) {
        this.errorBody = [];
      }
    }
    this.head = 0;
    const wanted = headLength(type);
    this.headRemaining = Math.min(wanted, bodyLength);
    // Frames with a head are reported once it is read; the others right away.
    if (this.headRemaining === 0 && (this.everyFrame || wanted > 0)) {
      this.onFrame(type, 0);
    }
  }
}
