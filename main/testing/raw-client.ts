import { connect, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { parse, serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { FrameReader, type Frame } from '../pgwire/frame-reader.js';
import { until } from './until.js';

/** A TCP client that writes exactly the bytes a test gives it and collects what comes back. */
export class RawClient {
  readonly socket: Socket;
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;

  private readonly collect = (chunk: Buffer): void => {
    this.received.push(chunk);
  };

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', this.collect);
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(host: string, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * A client in TLS, as libpq opens one: 'ssl-request' sends an SSLRequest, expects 'S' and
   * shakes hands; 'direct' starts with the ClientHello (libpq 17's sslnegotiation=direct).
   * `alpn`: the protocols offered (libpq 17 offers `postgresql`; none by default). Verifies the
   * server certificate against `ca` when given (for `servername`, default localhost). Rejects
   * when the server refuses or the handshake fails.
   */
  static async openTls(
    host: string,
    port: number,
    {
      negotiation,
      alpn,
      ca,
      servername = 'localhost',
    }: { negotiation: 'ssl-request' | 'direct'; alpn?: string[]; ca?: string; servername?: string },
  ): Promise<RawClient & { socket: TLSSocket }> {
    const tcp = await new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
      socket.once('error', reject);
    });
    if (negotiation === 'ssl-request') {
      const answer = await new Promise<Buffer>((resolve, reject) => {
        tcp.once('data', resolve);
        tcp.once('close', () => reject(new Error('closed before answering the SSLRequest')));
        tcp.write(serialize.requestSsl());
      });
      if (answer.toString('latin1') !== 'S') {
        tcp.destroy();
        throw new Error(`the SSLRequest was answered ${JSON.stringify(answer.toString('latin1'))}`);
      }
    }
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const tls = connectTls(
        {
          socket: tcp,
          servername,
          ALPNProtocols: alpn,
          ca,
          rejectUnauthorized: ca !== undefined,
        },
        () => resolve(tls),
      );
      tls.once('error', reject);
      tls.once('close', () => reject(new Error('closed during the TLS handshake')));
    });
    return new RawClient(socket) as RawClient & { socket: TLSSocket };
  }

  /** Writes `bytes` in chunks of `chunkSize`, pausing between them so the OS cannot merge them. */
  async send(bytes: Buffer, chunkSize = bytes.length, pauseMs = 1): Promise<void> {
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      await new Promise<void>((resolve) =>
        this.socket.write(bytes.subarray(offset, offset + chunkSize), () => resolve()),
      );
      if (chunkSize < bytes.length) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  }

  /** From now on hands each chunk to `listener` instead of keeping it: for replies too big to hold. */
  stream(listener: (chunk: Buffer) => void): void {
    this.socket.off('data', this.collect);
    this.socket.on('data', listener);
  }

  bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /** The backend messages received so far, parsed by pg-protocol. */
  async messages(): Promise<BackendMessage[]> {
    const { Readable } = await import('node:stream');
    const messages: BackendMessage[] = [];
    await parse(Readable.from([this.bytes()]), (message) => messages.push(message));
    return messages;
  }

  /**
   * The whole typed frames received so far, read with the project's own frame reader: unlike
   * pg-protocol's parser it keeps every byte of frames it does not know (NegotiateProtocolVersion,
   * a protocol 3.2 BackendKeyData with its long key).
   */
  frames(): Frame[] {
    const reader = new FrameReader();
    reader.push(this.bytes());
    const frames: Frame[] = [];
    for (let frame = reader.next(); frame; frame = reader.next()) {
      frames.push(frame);
    }
    return frames;
  }

  /** Resolves with the frames received so far once one of `type` (e.g. 'Z') is among them. */
  untilFrame(type: string, timeoutMs = 15_000): Promise<Frame[]> {
    const code = type.charCodeAt(0);
    return until(
      () => {
        const frames = this.frames();
        return frames.some((frame) => frame.type === code) ? frames : undefined;
      },
      `a '${type}' message`,
      timeoutMs,
    );
  }
}
