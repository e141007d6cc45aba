import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { SessionInfo } from '../../shared/session.js';
import { BackendMessage, TransactionStatus } from '../pgwire/codes.js';
import { encodeErrorResponse, SqlState, type PgError } from '../pgwire/error-response.js';
import { FrameScanner } from '../pgwire/frame-scanner.js';
import { pumpBytes, type PumpHooks } from '../pgwire/ws-pump.js';
import { DialError, dialGateway, type DialOptions } from './gateway-dial.js';

/** Why a session ended: the sentence its client was shown, and its SQLSTATE. */
export interface CloseReason {
  message: string;
  code: string;
}

/** WebSocket close code for "all said": the gateway has already sent its own ErrorResponse, if any. */
const NORMAL_CLOSURE = 1000;
/**
 * The code ws reports when the connection ended without a close frame (RFC 6455, 7.1.5): the
 * gateway process died, or a load balancer or the network between dropped the connection.
 */
const ABNORMAL_CLOSURE = 1006;

export type FrameDirection = 'client' | 'server';
export type FrameObserver = (sessionId: string, direction: FrameDirection, type: string) => void;

/**
 * One local client connection carried over one WebSocket. Owns both ends; keeps the live stats of
 * its SessionInfo up to date from byte counts and the frame scanner, as the hooks of its pump.
 */
export class TunnelSession implements PumpHooks {
  private ws: WebSocket | undefined;
  private readonly scanner: FrameScanner;
  /** Client frames are followed only for a frame observer (verbose output). */
  private readonly clientScanner: FrameScanner | undefined;
  private answeredPing = true;
  private closeReason: CloseReason | undefined;
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
      database: parameters['database'] ?? parameters['user'] ?? '',
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
    );
    this.clientScanner = onFrame
      ? new FrameScanner((type) => onFrame(id, 'client', String.fromCharCode(type)), true)
      : undefined;
  }

  /** Why the session ended, once it has; undefined for an ordinary close. */
  get reason(): CloseReason | undefined {
    return this.closeReason;
  }

  /** Dials the gateway, sends what the client sent so far, then moves bytes until either side ends. */
  async start(startupBytes: Buffer, dial: DialOptions): Promise<void> {
    let ws: WebSocket;
    try {
      ws = await dialGateway(dial);
    } catch (error) {
      this.end(
        error instanceof DialError
          ? error.pgError
          : failure(SqlState.UnableToConnect, String(error)),
      );
      return;
    }
    if (this.socket.destroyed) {
      ws.close(NORMAL_CLOSURE);
      return;
    }
    this.ws = ws;
    this.info.bytesFromClient += startupBytes.length;
    ws.send(startupBytes);
    ws.on('pong', () => (this.answeredPing = true));
    ws.on('close', (code, reason) => this.onWebSocketClose(code, reason.toString()));
    this.socket.on('close', () => ws.close(NORMAL_CLOSURE));
    pumpBytes(this.socket, ws, this);
    this.socket.resume();
  }

  /** PumpHooks: bytes from the client, on their way to the gateway. */
  fromSocket(chunk: Buffer): void {
    this.info.bytesFromClient += chunk.length;
    this.info.lastActivityAt = Date.now();
    if (this.info.state === 'idle' || this.info.state === 'in-transaction') {
      this.info.state = 'active';
    }
    this.clientScanner?.feed(chunk);
  }

  /** PumpHooks: bytes from the gateway, on their way to the client. */
  fromWebSocket(chunk: Buffer): void {
    this.answeredPing = true;
    this.info.bytesToClient += chunk.length;
    this.info.lastActivityAt = Date.now();
    this.scanner.feed(chunk);
  }

  /** PumpHooks: the gateway broke the protocol. */
  onTextMessage(): void {
    this.end(
      failure(
        SqlState.ProtocolViolation,
        'the tunnel gateway sent a text message, which the tunnel protocol does not allow',
      ),
    );
  }

  /** Called every ping interval: a link that did not answer the previous ping is dead. */
  heartbeat(intervalMs: number): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) {
      return;
    }
    if (!this.answeredPing) {
      this.end(
        failure(
          SqlState.ConnectionFailure,
          `the tunnel gateway stopped answering (no reply for ${Math.round((2 * intervalMs) / 1000)} s)`,
        ),
      );
      return;
    }
    this.answeredPing = false;
    ws.ping();
  }

  /** Ends the session from this side, telling the client why when the stream allows it. */
  kill(message: string): void {
    this.end(failure(SqlState.AdminShutdown, message));
  }

  /**
   * Closes both ends. `error` reaches the client only at a frame boundary of the server stream: in
   * the middle of a DataRow it would corrupt what the client reads.
   */
  private end(error?: PgError): void {
    if (error && !this.closeReason) {
      this.closeReason = { message: error.message, code: error.code };
    }
    if (!this.socket.destroyed) {
      if (error && this.scanner.atBoundary) {
        this.socket.end(encodeErrorResponse(error));
      } else {
        this.socket.end();
      }
      // A client that stops reading must not keep the session alive forever.
      this.socket.setTimeout(5_000, () => this.socket.destroy());
    }
    this.ws?.terminate();
  }

  private onWebSocketClose(code: number, reason: string): void {
    this.end(
      code === NORMAL_CLOSURE
        ? undefined
        : failure(
            SqlState.ConnectionFailure,
            code === ABNORMAL_CLOSURE
              ? 'the connection to the tunnel gateway was lost (the gateway stopped, or the network between failed); connect again'
              : `the tunnel gateway closed the connection (${reason || `code ${code}`})`,
          ),
    );
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

function failure(code: string, message: string): PgError {
  return { severity: 'FATAL', code, message };
}
