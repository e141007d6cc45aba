import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { protocolMajor, protocolMinor } from '../pgwire/codes.js';
import { encodeErrorResponse } from '../pgwire/error-response.js';
import type { SessionFailure } from '../failure/failure.js';
import { OpeningReader, type OpeningStep } from '../pgwire/opening-reader.js';
import type { StartupMessage } from '../pgwire/startup.js';
import { CloseCode, TCP_KEEPALIVE_MS } from '../relay/tunnel-protocol.js';
import { PeerLiveness } from '../relay/ws-liveness.js';
import { pumpBytes } from '../relay/ws-pump.js';
import { connectUpstream, forwardCancel, UpstreamError } from '../upstream/connect.js';
import { chooseDatabase } from '../upstream/database-rule.js';
import { addressOf, describeTarget, type UpstreamTarget } from '../upstream/target.js';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import type { SessionRegistry } from './session-registry.js';
import type { FirstMessage } from './warm-socket.js';

export { CloseCode } from '../relay/tunnel-protocol.js';

/** A client that opens a tunnel and sends no startup packet is dropped after this long. */
export const STARTUP_TIMEOUT_MS = 10_000;

export interface SessionMeta {
  id: string;
  clientAddress: string;
}

export interface SessionContext {
  /** Open sessions: counters, idle timer, and ending one with a FATAL from outside (drain, reload). */
  sessions: SessionRegistry;
  log: Logger;
  /**
   * Called every ping interval for each tunnel that carries a session: the tunnel registers its
   * own check here, and removes it when it closes.
   */
  heartbeats: Set<() => void>;
  /** Silent, unheld ping intervals after which an engine is judged dead. */
  deadAfterTicks: number;
}

/**
 * Serves one accepted tunnel: reads the client's opening from the WebSocket with the opening
 * reader, logs in to the key's upstream, then moves bytes both ways. Failures reach the client as
 * a Postgres ErrorResponse; openings Postgres closes on quietly are closed on quietly. `first`:
 * the message a warm socket was held until (see WarmSockets.hold), read as the first of the opening.
 */
export function serveTunnelSession(
  ws: WebSocket,
  key: KeyEntry & { upstream: UpstreamTarget },
  meta: SessionMeta,
  { sessions, log, heartbeats, deadAfterTicks }: SessionContext,
  first?: FirstMessage,
): void {
  const openedAt = Date.now();
  const reader = new OpeningReader();
  let upstream: Socket | undefined;
  let heartbeat: (() => void) | undefined;
  let loggingIn = false;
  /** Messages that arrived while the upstream login ran: the client's first queries. */
  const early: Buffer[] = [];
  const control = sessions.add(meta.id, ws, key);

  const rejected = (reason: string, reply?: Buffer): void => {
    log.warn('tunnel rejected', {
      session: meta.id,
      key: key.id,
      client: meta.clientAddress,
      reason,
    });
    if (ws.readyState === ws.OPEN) {
      if (reply) {
        ws.send(reply);
      }
      ws.close(CloseCode.Normal);
    }
  };
  const startupTimer = setTimeout(
    () => rejected(`no startup message within ${STARTUP_TIMEOUT_MS / 1000} s`),
    STARTUP_TIMEOUT_MS,
  );

  const act = (step: OpeningStep): void => {
    switch (step.kind) {
      case 'need-more':
      case 'reply':
        return;
      case 'close':
        stopReadingStartup();
        rejected(step.reason);
        return;
      case 'fatal':
        stopReadingStartup();
        rejected(step.reason, step.reply);
        return;
      case 'start-tls':
        // The gateway's reader runs with TLS refused (the WebSocket is the encryption).
        stopReadingStartup();
        rejected('a TLS handshake inside the tunnel');
        return;
      case 'cancel':
        stopReadingStartup();
        forwardCancel(key.upstream, step.bytes)
          .catch((error: Error) =>
            log.warn('cancel not delivered', {
              session: meta.id,
              key: key.id,
              reason: error.message,
            }),
          )
          .finally(() => ws.close(CloseCode.Normal));
        return;
      case 'startup': {
        clearTimeout(startupTimer);
        const refusal = control.admit();
        if (refusal) {
          stopReadingStartup();
          log.warn('tunnel refused', { session: meta.id, key: key.id, reason: refusal.message });
          fail(refusal);
          return;
        }
        loggingIn = true;
        ws.pause();
        // What the client sent after its StartupMessage (whose first word is its length).
        void startUpstream(step.message, step.bytes.subarray(step.bytes.readInt32BE(0)));
        return;
      }
    }
  };

  const onStartupBytes = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary) {
      ws.close(CloseCode.UnsupportedData, 'text messages are not part of the tunnel protocol');
      return;
    }
    // A paused WebSocket still delivers the messages it had already read: keep them for upstream.
    if (loggingIn) {
      early.push(data);
      return;
    }
    reader.push(data);
    let step = reader.next();
    for (; step.kind === 'reply'; step = reader.next()) {
      ws.send(step.bytes);
    }
    act(step);
  };
  const stopReadingStartup = (): void => {
    clearTimeout(startupTimer);
    ws.off('message', onStartupBytes);
  };

  const fail = (failure: SessionFailure): void => {
    if (ws.readyState === ws.OPEN) {
      ws.send(encodeErrorResponse(failure));
      ws.close(CloseCode.Normal);
    }
  };

  const startUpstream = async (startup: StartupMessage, afterStartup: Buffer): Promise<void> => {
    const choice = chooseDatabase(key.upstream.database, key.databases, startup.parameters);
    let firstBytes: Buffer;
    try {
      const connection = await connectUpstream(
        key.upstream,
        { startup, database: choice.database, notice: choice.notice },
        key.scramKeys,
      );
      upstream = connection.socket;
      firstBytes = connection.firstBytes;
    } catch (error) {
      control.loginFailed();
      const failure =
        error instanceof UpstreamError
          ? error.failure
          : new UpstreamError({
              kind: 'database-unreachable',
              reason: String(error),
              by: key.upstream.by,
              address: addressOf(key.upstream),
            }).failure;
      log.warn('upstream login failed', {
        session: meta.id,
        key: key.id,
        upstream: describeTarget(key.upstream),
        reason: failure.operatorReason ?? failure.message,
      });
      fail(failure);
      return;
    }
    if (ws.readyState !== ws.OPEN) {
      upstream.destroy();
      return;
    }
    log.info('session opened', {
      session: meta.id,
      key: key.id,
      client: meta.clientAddress,
      application: startup.parameters['application_name'],
      database: choice.database,
      protocol: `${protocolMajor(startup.protocolVersion)}.${protocolMinor(startup.protocolVersion)}`,
    });
    const socket = upstream;
    stopReadingStartup();
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    socket.on('error', (error) => {
      log.warn('upstream connection lost', {
        session: meta.id,
        key: key.id,
        reason: error.message,
      });
      ws.close(CloseCode.InternalError, 'the database connection was lost');
    });
    socket.on('close', () => ws.close(CloseCode.Normal));
    control.started(socket, firstBytes);
    ws.send(firstBytes);
    const rest = Buffer.concat([afterStartup, ...early]);
    if (rest.length > 0) {
      control.fromClient(rest);
      socket.write(rest);
    }
    pumpBytes(socket, ws, {
      fromSocket: (chunk) => control.toClient(chunk),
      fromWebSocket: (chunk) => control.fromClient(chunk),
      onTextMessage: () =>
        ws.close(CloseCode.UnsupportedData, 'text messages are not part of the tunnel protocol'),
    });
    const liveness = new PeerLiveness(ws, () => control.bytesFromClient, deadAfterTicks);
    heartbeat = () => {
      const silentTicks = liveness.tick();
      if (silentTicks > 0) {
        log.warn('tunnel dead', {
          session: meta.id,
          key: key.id,
          client: meta.clientAddress,
          reason: `nothing heard from the tunnel for ${silentTicks} ping intervals`,
        });
        ws.terminate(); // and with it the upstream connection, on 'close'
      }
    };
    heartbeats.add(heartbeat);
    socket.resume();
    ws.resume();
  };

  ws.on('message', onStartupBytes);
  ws.on('error', (error) =>
    log.warn('tunnel error', { session: meta.id, key: key.id, reason: error.message }),
  );
  ws.on('close', () => {
    clearTimeout(startupTimer);
    if (heartbeat) {
      heartbeats.delete(heartbeat);
    }
    upstream?.destroy();
    control.webSocketClosed();
    if (upstream) {
      log.info('session closed', {
        session: meta.id,
        key: key.id,
        seconds: Math.round((Date.now() - openedAt) / 1000),
        bytesFromClient: control.bytesFromClient,
        bytesToClient: control.bytesToClient,
      });
    }
  });
  if (first) {
    onStartupBytes(first.data, first.isBinary);
  }
}
