import { serialize } from 'pg-protocol';
import { BackendMessage } from '../pgwire/codes.js';
import { FrameScanner } from '../pgwire/frame-scanner.js';
import { RawClient } from './raw-client.js';

const STARTUP_TIMEOUT_MS = 15_000;

/**
 * A Postgres client on a raw socket that reads no faster than `bytesPerSecond`: whenever it is
 * ahead of that pace it pauses the socket, so the kernel buffers fill and whatever sits between it
 * and the server has to hold back (or pile up) the rest. Keeps no reply bytes, only counts them.
 */
export class SlowReader {
  private bytes = 0;
  private startedAt = 0;
  private replyEnded: (() => void) | undefined;
  private errors = 0;
  private readonly scanner = new FrameScanner((type) => {
    if (type === BackendMessage.ErrorResponse) {
      this.errors++;
    } else if (type === BackendMessage.ReadyForQuery) {
      this.replyEnded?.();
    }
  }, true);

  private constructor(
    private readonly client: RawClient,
    private readonly bytesPerSecond: number,
  ) {
    client.stream((chunk) => this.onData(chunk));
  }

  /**
   * Connects and logs in (the server, or the tunnel's gateway, must not ask for a password), by
   * default naming no database: a tunnel's own, whether it leads to a gateway or is direct; with
   * `tls`, in TLS after an SSLRequest, the certificate unchecked (sslmode=require).
   */
  static async open(
    host: string,
    port: number,
    bytesPerSecond: number,
    parameters: Record<string, string> = { user: 'slow' },
    tls = false,
  ): Promise<SlowReader> {
    const client = tls
      ? await RawClient.openTls(host, port, { negotiation: 'ssl-request' })
      : await RawClient.open(host, port);
    const reader = new SlowReader(client, bytesPerSecond);
    await reader.exchange(serialize.startup(parameters), STARTUP_TIMEOUT_MS);
    return reader;
  }

  /**
   * Runs a simple query and reads its whole reply at the set pace; resolves with the reply's size
   * once ReadyForQuery arrives. Rejects if the reply held an ErrorResponse or took over `timeoutMs`.
   */
  async query(sql: string, timeoutMs: number): Promise<{ bytes: number; seconds: number }> {
    const seconds = await this.exchange(serialize.query(sql), timeoutMs);
    return { bytes: this.bytes, seconds };
  }

  end(): void {
    this.client.socket.end(serialize.end());
  }

  /** Sends `message`, then counts the reply up to its ReadyForQuery; resolves with its duration. */
  private async exchange(message: Buffer, timeoutMs: number): Promise<number> {
    this.bytes = 0;
    this.errors = 0;
    this.startedAt = performance.now();
    const ended = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no complete reply within ${timeoutMs} ms (${this.bytes} bytes)`)),
        timeoutMs,
      );
      void this.client.closed.then(() =>
        reject(new Error(`the connection closed after ${this.bytes} bytes of the reply`)),
      );
      this.replyEnded = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    await this.client.send(message);
    await ended;
    this.replyEnded = undefined;
    if (this.errors > 0) {
      throw new Error('the server answered with an ErrorResponse');
    }
    return (performance.now() - this.startedAt) / 1000;
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.scanner.feed(chunk);
    // How far reading is ahead of the pace; pause for that long (timers are late, never early).
    const aheadMs =
      (this.bytes / this.bytesPerSecond) * 1000 - (performance.now() - this.startedAt);
    if (aheadMs > 1) {
      this.client.socket.pause();
      setTimeout(() => this.client.socket.resume(), aheadMs);
    }
  }
}
