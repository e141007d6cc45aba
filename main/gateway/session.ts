import type { WebSocket } from 'ws';
import { describeFailure, type SessionFailure } from '../failure/failure.js';
import {
  BackendMessage,
  protocolMajor,
  protocolMinor,
  TransactionStatus,
} from '../pgwire/codes.js';
import { encodeErrorResponse } from '../pgwire/error-response.js';
import { FrameScanner } from '../pgwire/frame-scanner.js';
import { OpeningReader, type OpeningStep } from '../pgwire/opening-reader.js';
import type { StartupMessage } from '../pgwire/startup.js';
import { CloseCode } from '../relay/tunnel-protocol.js';
import { PeerLiveness } from '../relay/ws-liveness.js';
import { pumpBytes, type PumpHooks } from '../relay/ws-pump.js';
import { forwardCancel } from '../upstream/connect.js';
import { chooseDatabase } from '../upstream/database-rule.js';
import { describeTarget, type UpstreamTarget } from '../upstream/target.js';
import { UpstreamSession } from '../upstream/upstream-session.js';
import { finishMessageThenSay, type GatewayEndCause } from './session-end.js';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import { statsOfKey, type EndReason, type GatewayStats, type KeyStats } from './metrics.js';
import type { FirstMessage } from './warm-socket.js';

/** A client that opens a tunnel and sends no startup packet is dropped after this long. */
export const STARTUP_TIMEOUT_MS = 10_000;

/** What a client may send during its login before its WebSocket is no longer read (the pump's bound). */
const EARLY_BYTES_LIMIT = 256 * 1024;

/** The `reason` label each cause is counted under in pg_tunnel_gateway_sessions_ended_total. */
const END_REASON: Record<GatewayEndCause['kind'], EndReason> = {
  'gateway-shutdown': 'shutdown',
  'key-revoked': 'revoked',
  'idle-timeout': 'idle',
};

/** Who and where: the accepted tunnel's id and its client's address, for the log. */
export interface SessionMeta {
  id: string;
  clientAddress: string;
}

/** What every session of one gateway shares. */
export interface SessionContext {
  stats: GatewayStats;
  log: Logger;
  /**
   * Called every ping interval for each tunnel that carries a session: the session registers its
   * own check here, and removes it when it closes.
   */
  heartbeats: Set<() => void>;
  /** Silent, unheld ping intervals after which an engine is judged dead. */
  deadAfterTicks: number;
  /** Called once when the session's WebSocket has closed (the registry forgets it). */
  closed(session: GatewaySession): void;
}

/**
 * One accepted tunnel, in the engine's shape: reads the client's opening from the WebSocket with
 * the opening reader, logs in to the key's upstream (UpstreamSession), then moves bytes both ways
 * as the pump's hooks (methods, not closures per session). Beside the byte path it keeps the
 * session's counters (gateway-wide and by key), the frame boundaries of the database's stream, the
 * idle timer, and ending the session with a FATAL the client can read (see end). Failures reach
 * the client as a Postgres ErrorResponse; openings Postgres closes on quietly are closed quietly.
 */
export class GatewaySession implements PumpHooks {
  /** Bytes this session received from its client (after the startup packet). */
  bytesFromClient = 0;
  /** Bytes this session sent to its client, AuthenticationOk onwards. */
  bytesToClient = 0;
  private readonly openedAt = Date.now();
  private readonly reader = new OpeningReader();
  private readonly keyStats: KeyStats;
  /** The database's stream, scanned for frame boundaries and ReadyForQuery. */
  private readonly scanner: FrameScanner;
  private readonly startupTimer: NodeJS.Timeout;
  private upstream: UpstreamSession | undefined;
  private heartbeat: (() => void) | undefined;
  /** Logging in: messages arriving now are the client's first queries, kept for the database. */
  private loggingIn = false;
  private readonly early: Buffer[] = [];
  private earlyBytes = 0;
  /** The status byte of the last ReadyForQuery while the database waits for the client; else 0. */
  private waitingStatus = 0;
  private lastActivity = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private ending = false;
  private isClosed = false;
  /** Counted as an open session: a StartupMessage came and the key's limit let it in. */
  private admitted = false;
  /** Aborted when the WebSocket closes: a login under way is given up, its socket closed. */
  private readonly clientGone = new AbortController();

  constructor(
    private readonly ws: WebSocket,
    readonly key: KeyEntry & { upstream: UpstreamTarget },
    private readonly meta: SessionMeta,
    private readonly context: SessionContext,
  ) {
    this.keyStats = statsOfKey(context.stats, key.id);
    this.scanner = new FrameScanner((type, head) => {
      if (type === BackendMessage.ReadyForQuery) {
        this.waitingStatus = head;
      }
    });
    this.startupTimer = setTimeout(
      () => this.reject(`no startup message within ${STARTUP_TIMEOUT_MS / 1000} s`),
      STARTUP_TIMEOUT_MS,
    );
    ws.on('message', this.onOpeningBytes);
    ws.on('error', (error) => this.logWarn('tunnel error', { reason: error.message }));
    ws.on('close', () => this.onClose());
  }

  /**
   * Starts reading the opening; `first` is the message a warm socket was held until (see
   * WarmSockets.hold), read as the first of the opening.
   */
  serve(first?: FirstMessage): void {
    if (first) {
      this.onOpeningBytes(first.data, first.isBinary);
    }
  }

  /** An arrow: it is the WebSocket's listener until the opening is read, then removed. */
  private readonly onOpeningBytes = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary) {
      this.onTextMessage();
      return;
    }
    // Read on while logging in, so that a client that leaves (its close frame) is seen at once
    // and its login given up; what it sent meanwhile is kept for the database, up to a bound. A
    // paused WebSocket still delivers the messages it had already read.
    if (this.loggingIn) {
      this.early.push(data);
      this.earlyBytes += data.length;
      if (this.earlyBytes > EARLY_BYTES_LIMIT) {
        this.ws.pause();
      }
      return;
    }
    this.reader.push(data);
    let step = this.reader.next();
    for (; step.kind === 'reply'; step = this.reader.next()) {
      this.ws.send(step.bytes);
    }
    this.act(step);
  };

  private act(step: OpeningStep): void {
    switch (step.kind) {
      case 'need-more':
      case 'reply':
        return;
      case 'close':
        this.stopReadingOpening();
        this.reject(step.reason);
        return;
      case 'fatal':
        this.stopReadingOpening();
        this.reject(step.reason, step.reply);
        return;
      case 'start-tls':
        // The gateway's reader runs with TLS refused (the WebSocket is the encryption).
        this.stopReadingOpening();
        this.reject('a TLS handshake inside the tunnel');
        return;
      case 'cancel':
        this.stopReadingOpening();
        forwardCancel(this.key.upstream, step.bytes)
          .catch((error: Error) => this.logWarn('cancel not delivered', { reason: error.message }))
          .finally(() => this.ws.close(CloseCode.Normal));
        return;
      case 'startup': {
        clearTimeout(this.startupTimer);
        const refusal = this.admit();
        if (refusal) {
          this.stopReadingOpening();
          this.logWarn('tunnel refused', { reason: refusal.message });
          this.sayAndClose(refusal);
          return;
        }
        this.loggingIn = true;
        void this.logIn(step.message, step.bytes, step.afterStartup);
        return;
      }
    }
  }

  private stopReadingOpening(): void {
    clearTimeout(this.startupTimer);
    this.ws.off('message', this.onOpeningBytes);
  }

  /** An opening that is not a session: logged, answered with `reply` if any, closed. */
  private reject(reason: string, reply?: Buffer): void {
    this.log('warn', 'tunnel rejected', { client: this.meta.clientAddress, reason });
    if (this.ws.readyState === this.ws.OPEN) {
      if (reply) {
        this.ws.send(reply);
      }
      this.ws.close(CloseCode.Normal);
    }
  }

  /**
   * The client's StartupMessage has come: counts the session as open, or, when its key already
   * has `maxSessions` open, returns the FATAL to refuse it with (the 'session-limit' cause: 53300,
   * as Postgres's own "too many clients"). Cancel requests never come here: they are served
   * whatever the limit.
   */
  private admit(): SessionFailure | undefined {
    const limit = this.key.maxSessions;
    if (limit !== undefined && this.keyStats.sessionsOpen >= limit) {
      return describeFailure({ kind: 'session-limit', limit });
    }
    this.admitted = true;
    this.keyStats.sessionsOpen++;
    this.keyStats.sessionsTotal++;
    this.context.stats.sessionsOpen++;
    this.context.stats.sessionsTotal++;
    return undefined;
  }

  /**
   * Logs in to the key's upstream for the client's StartupMessage (`startup`, whose bytes, with
   * what followed them, are `bytes`): with a warm login of the same StartupMessage when the key
   * holds one (see WarmLogins), else a login of its own.
   */
  private async logIn(startup: StartupMessage, bytes: Buffer, afterStartup: Buffer): Promise<void> {
    const { upstream: target, databases, readyLogins } = this.key;
    const choice = chooseDatabase(target.database, databases, startup.parameters);
    const request = { startup, database: choice.database, notice: choice.notice };
    let upstream: UpstreamSession;
    try {
      upstream = await readyLogins.logIn(
        request,
        bytes.subarray(0, bytes.length - afterStartup.length),
        this.clientGone.signal,
      );
    } catch (error) {
      if (this.clientGone.signal.aborted) {
        this.log('info', 'client left during the upstream login', {});
        return;
      }
      this.context.stats.upstreamDialFailures++;
      this.keyStats.loginFailures++;
      // UpstreamSession.open throws UpstreamErrors only.
      const failure = (error as { failure: SessionFailure }).failure;
      this.logWarn('upstream login failed', {
        upstream: describeTarget(target),
        reason: failure.operatorReason ?? failure.message,
      });
      this.sayAndClose(failure);
      return;
    }
    if (this.ws.readyState !== this.ws.OPEN) {
      upstream.destroy();
      return;
    }
    this.upstream = upstream;
    this.stopReadingOpening();
    // The client's answer goes out first: what follows is bookkeeping it need not wait for (on
    // Linux, a log line to a pipe, socket or file is a synchronous write).
    this.fromSocket(upstream.firstBytes);
    this.ws.send(upstream.firstBytes);
    this.log('info', 'session opened', {
      client: this.meta.clientAddress,
      application: startup.parameters['application_name'],
      database: choice.database,
      protocol: `${protocolMajor(startup.protocolVersion)}.${protocolMinor(startup.protocolVersion)}`,
    });
    upstream.watch((cause) => {
      readyLogins.clientLeft();
      if (cause) {
        // The address is the operator's business: the client hears that the database was lost.
        this.logWarn('upstream connection lost', { reason: describeFailure(cause).message });
        this.ws.close(CloseCode.InternalError, 'the database connection was lost');
      } else {
        this.ws.close(CloseCode.Normal);
      }
    });
    const idleSeconds = this.key.idleTimeoutSeconds;
    if (idleSeconds !== undefined) {
      this.armIdleTimer(idleSeconds * 1000);
    }
    const rest = Buffer.concat([afterStartup, ...this.early]);
    if (rest.length > 0) {
      this.fromWebSocket(rest);
      upstream.socket.write(rest);
    }
    pumpBytes(upstream.socket, this.ws, this);
    const liveness = new PeerLiveness(
      this.ws,
      () => this.bytesFromClient,
      this.context.deadAfterTicks,
    );
    this.heartbeat = () => {
      const silentTicks = liveness.tick();
      if (silentTicks > 0) {
        this.logWarn('tunnel dead', {
          client: this.meta.clientAddress,
          reason: `nothing heard from the tunnel for ${silentTicks} ping intervals`,
        });
        this.ws.terminate(); // and with it the upstream connection, on 'close'
      }
    };
    this.context.heartbeats.add(this.heartbeat);
    upstream.socket.resume();
    this.ws.resume();
  }

  /** PumpHooks: bytes from the database, about to be sent to the client. */
  fromSocket(chunk: Buffer): void {
    this.count(chunk.length, 0);
    this.scanner.feed(chunk);
  }

  /** PumpHooks: bytes from the client, about to be written to the database. */
  fromWebSocket(chunk: Buffer): void {
    this.count(0, chunk.length);
    // Until the next ReadyForQuery, the database is working for the client: not idle.
    this.waitingStatus = 0;
  }

  /** PumpHooks: text is not part of the tunnel protocol. */
  onTextMessage(): void {
    this.ws.close(CloseCode.UnsupportedData, 'text messages are not part of the tunnel protocol');
  }

  /** The WebSocket has closed: the session is over, its database connection closed as a client's. */
  private onClose(): void {
    if (this.isClosed) {
      return;
    }
    this.isClosed = true;
    this.clientGone.abort();
    clearTimeout(this.startupTimer);
    clearTimeout(this.idleTimer);
    if (this.heartbeat) {
      this.context.heartbeats.delete(this.heartbeat);
    }
    this.upstream?.close();
    if (this.admitted) {
      this.context.stats.sessionsOpen--;
      this.keyStats.sessionsOpen--;
    }
    this.context.closed(this);
    if (this.upstream) {
      this.log('info', 'session closed', {
        seconds: Math.round((Date.now() - this.openedAt) / 1000),
        bytesFromClient: this.bytesFromClient,
        bytesToClient: this.bytesToClient,
      });
    }
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
    this.context.stats.sessionsEnded[reason]++;
    const upstream = this.upstream?.socket;
    this.log('info', 'session ended by the gateway', {
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
      finishMessageThenSay(upstream, this.ws, this.scanner, {
        sent: (bytes) => this.count(bytes, 0),
        atBoundary: () => this.sayAndClose(error),
      });
    }
    return true;
  }

  private sayAndClose(error: SessionFailure): void {
    if (this.ws.readyState === this.ws.OPEN) {
      this.ws.send(encodeErrorResponse(error));
      this.ws.close(CloseCode.Normal);
    }
  }

  private count(toClient: number, fromClient: number): void {
    const { stats } = this.context;
    this.bytesToClient += toClient;
    stats.bytesToClients += toClient;
    this.keyStats.bytesToClients += toClient;
    this.bytesFromClient += fromClient;
    stats.bytesFromClients += fromClient;
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

  private logWarn(msg: string, fields: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }

  private log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown>): void {
    this.context.log[level](msg, { session: this.meta.id, key: this.key.id, ...fields });
  }
}
