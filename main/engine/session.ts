import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { SessionInfo } from '../../shared/session.js';
import { BackendMessage, TransactionStatus } from '../pgwire/codes.js';
import { encodeErrorResponse } from '../pgwire/error-response.js';
import {
  describeFailure,
  type SessionFailure,
  type SessionFailureCause,
} from '../pgwire/failure.js';
import { FrameScanner } from '../pgwire/frame-scanner.js';
import { CloseCode } from '../pgwire/tunnel-protocol.js';
import { pumpToSocket, pumpToWebSocket, type PumpHooks } from '../pgwire/ws-pump.js';
import { PeerLiveness } from '../pgwire/ws-liveness.js';
import { DialError } from './gateway-dial.js';
import type { GatewaySockets } from './warm-pool.js';

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
 * One local client connection carried over one WebSocket. Owns both ends; keeps the live stats of
 * its SessionInfo up to date from byte counts and the frame scanner, as the hooks of its pump.
 */
export class TunnelSession implements PumpHooks {
  private ws: WebSocket | undefined;
  private liveness: PeerLiveness | undefined;
  private readonly scanner: FrameScanner;
  /** Client frames are followed only for a frame observer (verbose output). */
  private readonly clientScanner: FrameScanner | undefined;
  private closeReason: CloseReason | undefined;
  /** end() has run: a WebSocket closing now is being closed from this side. */
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
   * Takes a WebSocket to the gateway, sends the client's opening (its StartupMessage and anything
   * sent with it), then moves bytes until either side ends. The client's later bytes follow once
   * the gateway has answered: a Postgres client waits for that answer anyway, and until then the
   * opening is all the gateway may have seen. So a warm socket that turns out dead (closed before
   * any answer) costs the client nothing: the opening goes again on a fresh dial, when it is a
   * StartupMessage alone (bytes after it might be a query, which must not run twice).
   * `deadAfterTicks`: silent, unheld ping intervals after which the gateway is judged dead.
   */
  async start(opening: Buffer, sockets: GatewaySockets, deadAfterTicks: number): Promise<void> {
    this.socket.on('close', () => this.ws?.close(CloseCode.Normal));
    this.info.bytesFromClient += opening.length;
    let taken;
    try {
      taken = await sockets.take();
    } catch (error) {
      this.end(failureCause(error, sockets.gatewayUrl));
      return;
    }
    this.attach(taken.ws, opening, deadAfterTicks, () => {
      if (!taken.warm || this.info.bytesToClient > 0 || opening.length !== opening.readInt32BE(0)) {
        return false;
      }
      void sockets.dial().then(
        (ws) => this.attach(ws, opening, deadAfterTicks, () => false),
        (error: unknown) => this.end(failureCause(error, sockets.gatewayUrl)),
      );
      return true;
    });
  }

  /**
   * Sends the opening on `ws` and pumps both ways. `retried` is asked when the WebSocket closes:
   * true when it has dialled again (this close then means nothing to the client).
   */
  private attach(
    ws: WebSocket,
    opening: Buffer,
    deadAfterTicks: number,
    retried: () => boolean,
  ): void {
    if (this.socket.destroyed) {
      ws.close(CloseCode.Normal);
      return;
    }
    this.ws = ws;
    this.liveness = new PeerLiveness(ws, () => this.info.bytesToClient, deadAfterTicks);
    ws.send(opening);
    ws.on('close', (code, reason) => {
      if (this.ending || this.socket.destroyed || !retried()) {
        this.onWebSocketClose(code, reason.toString());
      }
    });
    pumpToSocket(ws, this.socket, this);
    ws.once('message', () => {
      pumpToWebSocket(this.socket, ws, this);
      this.socket.resume();
    });
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
    this.info.bytesToClient += chunk.length;
    this.info.lastActivityAt = Date.now();
    this.scanner.feed(chunk);
  }

  /** PumpHooks: the gateway broke the protocol. */
  onTextMessage(): void {
    this.end({ kind: 'gateway-protocol-violation' });
  }

  /** Called every ping interval: pings the gateway, and ends the session once it is judged dead. */
  heartbeat(pingIntervalMs: number): void {
    const silentTicks = this.liveness?.tick() ?? 0;
    if (silentTicks > 0) {
      this.end({ kind: 'gateway-silent', silentMs: silentTicks * pingIntervalMs });
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
    this.ws?.terminate();
  }

  private onWebSocketClose(code: number, reason: string): void {
    this.end(
      code === CloseCode.Normal
        ? undefined
        : code === CloseCode.Abnormal
          ? { kind: 'gateway-lost' }
          : { kind: 'gateway-closed', reason: reason || `code ${code}` },
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

/** The cause of a failed dial to `url`, whatever was thrown. */
function failureCause(error: unknown, url: string): SessionFailureCause {
  return error instanceof DialError
    ? error.cause
    : { kind: 'gateway-unreachable', url, reason: String(error) };
}
