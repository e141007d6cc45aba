import type { Socket } from 'node:net';
import type { SessionInfo } from '../../shared/session.js';
import { BackendMessage, TransactionStatus } from '../pgwire/codes.js';
import { decodeErrorFields, encodeErrorResponse, type PgError } from '../pgwire/error-response.js';
import {
  describeFailure,
  SessionFailureError,
  type SessionFailure,
  type SessionFailureCause,
} from '../failure/failure.js';
import { FrameScanner } from '../pgwire/frame-scanner.js';
import type { ClientStartup, FarConnection, FarHooks, FarSide } from './far-side.js';

/**
 * Why a session ended: its typed cause, the error its client was shown (SQLSTATE `code`,
 * `message`), the sentence for people and what fixes it.
 */
export interface CloseReason extends SessionFailure {
  cause: SessionFailureCause;
}

export type FrameDirection = 'client' | 'server';
export type FrameObserver = (sessionId: string, direction: FrameDirection, type: string) => void;

/**
 * One local client connection and its far end (a WebSocket to a gateway, or a database connection:
 * see FarSide). Owns both; keeps the live stats of its SessionInfo up to date from byte counts and
 * the frame scanner, as the hooks of its far end.
 */
export class TunnelSession implements FarHooks {
  private far: FarConnection | undefined;
  private readonly scanner: FrameScanner;
  /** Client frames are followed only for a frame observer (verbose output). */
  private readonly clientScanner: FrameScanner | undefined;
  private closeReason: CloseReason | undefined;
  /** The last FATAL the far end sent the client, if any: why it is about to close. */
  private serverFatal: PgError | undefined;
  /** end() has run: a far end that opens now is closed at once. */
  private ending = false;
  readonly info: SessionInfo;

  constructor(
    id: string,
    private readonly socket: Socket,
    clientAddress: string,
    parameters: Record<string, string>,
    private readonly onFrame: FrameObserver | undefined,
  ) {
    const now = Date.now();
    this.info = {
      id,
      clientAddress,
      user: parameters['user'] ?? '',
      database: parameters['database'] || (parameters['user'] ?? ''),
      applicationName: parameters['application_name'] ?? '',
      backendPid: null,
      openedAt: now,
      lastActivityAt: now,
      bytesFromClient: 0,
      bytesToClient: 0,
      state: 'starting',
    };
    this.scanner = new FrameScanner(
      (type, head) => this.onServerFrame(type, head),
      Boolean(onFrame),
      (body) => this.onServerError(body),
    );
    this.clientScanner = onFrame
      ? new FrameScanner((type) => onFrame(id, 'client', String.fromCharCode(type)), true)
      : undefined;
  }

  /** Why the session ended, once it has; undefined for an ordinary close. */
  get reason(): CloseReason | undefined {
    return this.closeReason;
  }

  /**
   * Opens the far end with the client's opening (its StartupMessage and anything sent with it),
   * then moves bytes until either side ends. The client's later bytes are read once the far end
   * has answered the opening (see FarConnection.pipe). A far end that cannot be opened ends the
   * session with its cause, told to the client.
   */
  async start(startup: ClientStartup, farSide: FarSide): Promise<void> {
    this.info.bytesFromClient += startup.bytes.length;
    // A client that gives up while its far end is opened (a connect_timeout of its own) frees
    // what is being opened for it at once, not when the far end answers.
    const clientGone = new AbortController();
    const onGone = (): void => clientGone.abort();
    this.socket.once('close', onGone);
    let far: FarConnection;
    try {
      far = await farSide.open(startup, clientGone.signal);
    } catch (error) {
      this.end(
        error instanceof SessionFailureError
          ? error.cause
          : { kind: 'disconnected', message: `the session could not start: ${String(error)}` },
      );
      return;
    } finally {
      this.socket.off('close', onGone);
    }
    if (this.ending || this.socket.destroyed) {
      far.close();
      return;
    }
    this.far = far;
    this.socket.on('close', () => far.close());
    far.pipe(this.socket, this);
  }

  /** FarHooks: bytes from the client, on their way to the far end. */
  fromClient(chunk: Buffer): void {
    this.info.bytesFromClient += chunk.length;
    this.info.lastActivityAt = Date.now();
    if (this.info.state === 'idle' || this.info.state === 'in-transaction') {
      this.info.state = 'active';
    }
    this.clientScanner?.feed(chunk);
  }

  /** FarHooks: bytes from the database, on their way to the client. */
  fromServer(chunk: Buffer): void {
    this.info.bytesToClient += chunk.length;
    this.info.lastActivityAt = Date.now();
    this.scanner.feed(chunk);
  }

  /**
   * FarHooks: the far end is gone. Closed after a FATAL it sent (the gateway ending the session,
   * or the database), the session ends for that reason, which the client has already been shown.
   */
  ended(cause: SessionFailureCause | undefined): void {
    if (!cause && this.serverFatal && !this.closeReason) {
      const ended: SessionFailureCause = { kind: 'ended-by-server', error: this.serverFatal };
      this.closeReason = { ...describeFailure(ended), cause: ended };
    }
    this.end(cause);
  }

  /** Called every ping interval: checks the far end, and ends the session once it is judged dead. */
  heartbeat(pingIntervalMs: number): void {
    const cause = this.far?.tick(pingIntervalMs);
    if (cause) {
      this.end(cause);
    }
  }

  /** Ends the session from this side, telling the client why when the stream allows it. */
  kill(cause: Extract<SessionFailureCause, { kind: 'disconnected' | 'tunnel-stopping' }>): void {
    this.end(cause);
  }

  /**
   * Closes both ends. The error reaches the client only at a frame boundary of the server stream:
   * in the middle of a DataRow it would corrupt what the client reads.
   */
  private end(cause?: SessionFailureCause): void {
    this.ending = true;
    const failure = cause && describeFailure(cause);
    if (cause && failure && !this.closeReason) {
      this.closeReason = { ...failure, cause };
    }
    if (!this.socket.destroyed) {
      if (failure && this.scanner.atBoundary) {
        this.socket.end(encodeErrorResponse(failure));
      } else {
        this.socket.end();
      }
      // A client that stops reading must not keep the session alive forever.
      this.socket.setTimeout(5_000, () => this.socket.destroy());
    }
    this.far?.destroy();
  }

  /** An ErrorResponse from the far end: a FATAL (or PANIC) one ends the session, and says why. */
  private onServerError(body: Buffer): void {
    const error = decodeErrorFields(body);
    if (error.severity === 'FATAL' || error.severity === 'PANIC') {
      this.serverFatal = error;
    }
  }

  private onServerFrame(type: number, head: number): void {
    if (type === BackendMessage.ReadyForQuery) {
      this.info.state =
        head === TransactionStatus.InTransaction
          ? 'in-transaction'
          : head === TransactionStatus.Failed
            ? 'failed'
            : 'idle';
    } else if (type === BackendMessage.BackendKeyData) {
      this.info.backendPid = head;
    }
    this.onFrame?.(this.info.id, 'server', String.fromCharCode(type));
  }
}
