import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { BackendMessage, TransactionStatus } from '../pgwire/codes.js';
import { encodeErrorResponse } from '../pgwire/error-response.js';
import {
  describeFailure,
  type SessionFailure,
  type SessionFailureCause,
} from '../failure/failure.js';
import { FrameScanner } from '../pgwire/frame-scanner.js';
import { CloseCode } from '../relay/tunnel-protocol.js';
import { WS_HIGH_WATER_MARK } from '../relay/ws-pump.js';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import { statsOfKey, type EndReason, type GatewayStats, type KeyStats } from './metrics.js';

/** The causes for which the gateway itself ends a session (rather than its client or database). */
export type GatewayEndCause = Extract<
  SessionFailureCause,
  { kind: 'gateway-shutdown' | 'key-revoked' | 'idle-timeout' }
>;

/** The `reason` label each cause is counted under in pg_tunnel_gateway_sessions_ended_total. */
const END_REASON: Record<GatewayEndCause['kind'], EndReason> = {
  'gateway-shutdown': 'shutdown',
  'key-revoked': 'revoked',
  'idle-timeout': 'idle',
};

/**
 * How long an ending session waits for the database's message in progress to end, so that the
 * FATAL goes between two messages rather than into one. A row is rarely more than a few MB; one
 * that takes longer than this (a slow client, a huge value) is cut, and its client sees a closed
 * connection instead of the sentence.
 */
export const BOUNDARY_WAIT_MS = 10_000;

/**
 * The lifecycle of one gateway session, beside the byte path: its counters (gateway-wide and by
 * key), the frame boundaries of the database's stream, the idle timer, and ending the session
 * with a FATAL the client can read. The tunnel session calls its hooks; the session registry
 * ends it.
 */
export class SessionControl {
  /** Bytes this session received from its client (after the startup packet). */
  bytesFromClient = 0;
  /** Bytes this session sent to its client, AuthenticationOk onwards. */
  bytesToClient = 0;
  private readonly keyStats: KeyStats;
  private readonly scanner: FrameScanner;
  private upstream: Socket | undefined;
  /** The status byte of the last ReadyForQuery while the database waits for the client; else 0. */
  private waitingStatus = 0;
  private lastActivity = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Set while an ending session waits for the end of the database's message in progress. */
  private boundaryTimer: NodeJS.Timeout | undefined;
  private ending = false;
  private isClosed = false;
  /** Counted as an open session: a StartupMessage came and the key's limit let it in. */
  private admitted = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    readonly key: KeyEntry,
    private readonly stats: GatewayStats,
    private readonly log: Logger,
    private readonly onClosed: (control: SessionControl) => void,
  ) {
    this.keyStats = statsOfKey(stats, key.id);
    this.scanner = new FrameScanner((type, head) => {
      if (type === BackendMessage.ReadyForQuery) {
        this.waitingStatus = head;
      }
    });
  }

  /**
   * The client's StartupMessage has come: counts the session as open, or, when its key already
   * has `maxSessions` open, returns the FATAL to refuse it with (the 'session-limit' cause: 53300,
   * as Postgres's own "too many clients"). Cancel requests never come here: they are served
   * whatever the limit.
   */
  admit(): SessionFailure | undefined {
    const limit = this.key.maxSessions;
    if (limit !== undefined && this.keyStats.sessionsOpen >= limit) {
      return describeFailure({ kind: 'session-limit', limit });
    }
    this.admitted = true;
    this.keyStats.sessionsOpen++;
    this.keyStats.sessionsTotal++;
    this.stats.sessionsOpen++;
    this.stats.sessionsTotal++;
    return undefined;
  }

  /** The upstream login failed (the tunnel session tells the client why). */
  loginFailed(): void {
    this.stats.upstreamDialFailures++;
    this.keyStats.loginFailures++;
  }

  /** Logged in: `firstBytes` (AuthenticationOk onwards) go to the client now, then the byte pump runs. */
  started(upstream: Socket, firstBytes: Buffer): void {
    this.upstream = upstream;
    this.toClient(firstBytes);
    const idleSeconds = this.key.idleTimeoutSeconds;
    if (idleSeconds !== undefined) {
      this.armIdleTimer(idleSeconds * 1000);
    }
  }

  /** Hook: bytes from the database, about to be sent to the client. */
  toClient(chunk: Buffer): void {
    this.count(chunk.length, 0);
    this.scanner.feed(chunk);
  }

  /** Hook: bytes from the client, about to be written to the database. */
  fromClient(chunk: Buffer): void {
    this.count(0, chunk.length);
    // Until the next ReadyForQuery, the database is working for the client: not idle.
    this.waitingStatus = 0;
  }

  /** Hook: the WebSocket has closed; the session is over. */
  webSocketClosed(): void {
    if (this.isClosed) {
      return;
    }
    this.isClosed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.boundaryTimer);
    if (this.admitted) {
      this.stats.sessionsOpen--;
      this.keyStats.sessionsOpen--;
    }
    this.onClosed(this);
  }

  /**
   * Ends the session from the gateway's side: the client receives the FATAL of `cause` (from the
   * failure catalogue), between two of the database's messages (it waits up to BOUNDARY_WAIT_MS
   * for the one in progress), then a normal close. Returns false, doing nothing, if the session
   * is already ending or closed.
   */
  end(cause: GatewayEndCause): boolean {
    if (this.ending || this.isClosed) {
      return false;
    }
    this.ending = true;
    clearTimeout(this.idleTimer);
    const reason = END_REASON[cause.kind];
    const error = describeFailure(cause);
    this.stats.sessionsEnded[reason]++;
    const upstream = this.upstream;
    this.log.info('session ended by the gateway', {
      session: this.id,
      key: this.key.id,
      reason,
      // The FATAL then waits for the end of the database's message in progress.
      midMessage: Boolean(upstream) && !this.scanner.atBoundary,
    });
    if (!upstream || this.scanner.atBoundary) {
      // Before the login completes, nothing of the database's has reached the client yet.
      upstream?.destroy();
      this.sayAndClose(error);
    } else if (this.scanner.broken) {
      upstream.destroy();
      this.ws.close(CloseCode.InternalError, 'the session was ended by the tunnel gateway');
    } else {
      this.finishMessageThenSay(upstream, error);
    }
    return true;
  }

  /**
   * Takes the database's stream over from the byte pump and passes on only the rest of the
   * message in progress, then the FATAL.
   */
  private finishMessageThenSay(upstream: Socket, error: SessionFailure): void {
    upstream.removeAllListeners('data');
    this.boundaryTimer = setTimeout(() => {
      upstream.destroy();
      this.ws.close(CloseCode.InternalError, 'the session was ended by the tunnel gateway');
    }, BOUNDARY_WAIT_MS);
    const resumeWhenSent = (): void => {
      if (this.ws.bufferedAmount < WS_HIGH_WATER_MARK) {
        upstream.resume();
      }
    };
    upstream.on('data', (chunk: Buffer) => {
      const length = this.scanner.feedToBoundary(chunk);
      this.count(length, 0);
      this.ws.send(chunk.subarray(0, length), { binary: true }, resumeWhenSent);
      if (this.scanner.atBoundary) {
        clearTimeout(this.boundaryTimer);
        upstream.destroy();
        this.sayAndClose(error);
      } else if (this.ws.bufferedAmount >= WS_HIGH_WATER_MARK) {
        upstream.pause();
      }
    });
    upstream.resume();
  }

  private sayAndClose(error: SessionFailure): void {
    if (this.ws.readyState === this.ws.OPEN) {
      this.ws.send(encodeErrorResponse(error));
      this.ws.close(CloseCode.Normal);
    }
  }

  private count(toClient: number, fromClient: number): void {
    this.bytesToClient += toClient;
    this.stats.bytesToClients += toClient;
    this.keyStats.bytesToClients += toClient;
    this.bytesFromClient += fromClient;
    this.stats.bytesFromClients += fromClient;
    this.keyStats.bytesFromClients += fromClient;
    this.lastActivity = Date.now();
  }

  /**
   * Idle means what Postgres's idle timeouts mean: the database waits for the client (its last
   * message was ReadyForQuery) and no byte has moved either way. A long query is not idle.
   */
  private armIdleTimer(limitMs: number): void {
    const check = (): void => {
      const idleForMs = Date.now() - this.lastActivity;
      if (this.waitingStatus !== 0 && idleForMs >= limitMs) {
        this.end({
          kind: 'idle-timeout',
          limitSeconds: limitMs / 1000,
          inTransaction: this.waitingStatus !== TransactionStatus.Idle,
        });
        return;
      }
      this.idleTimer = setTimeout(check, this.waitingStatus !== 0 ? limitMs - idleForMs : limitMs);
    };
    this.idleTimer = setTimeout(check, limitMs);
  }
}
