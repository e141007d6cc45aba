import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { ENCRYPTION_REFUSED } from '../pgwire/codes.js';
import { encodeErrorResponse, fatal, SqlState, type PgError } from '../pgwire/error-response.js';
import { readPastEncryptionRequests } from '../pgwire/startup.js';
import { pumpBytes } from '../pgwire/ws-pump.js';
import type { KeyEntry } from './keys.js';
import type { Logger } from './log.js';
import type { SessionRegistry } from './session-registry.js';
import { connectUpstream, forwardCancel, UpstreamError } from './upstream.js';
import { describeTarget, type UpstreamTarget } from './upstream-target.js';

/** Close codes the engine reads: 1000 means "the gateway has said all there is to say". */
export const CloseCode = {
  Normal: 1000,
  UnsupportedData: 1003,
  InternalError: 1011,
} as const;

/** A client that opens a tunnel and sends no startup packet is dropped after this long. */
export const STARTUP_TIMEOUT_MS = 10_000;

export interface SessionMeta {
  id: string;
  clientAddress: string;
}

export interface SessionContext {
  sessions: SessionRegistry;
  log: Logger;
}

/**
 * Serves one accepted tunnel: reads the client's startup packet from the WebSocket, logs in to the
 * key's upstream, then moves bytes both ways. Failures reach the client as a Postgres ErrorResponse.
 */
export function serveTunnelSession(
  ws: WebSocket,
  key: KeyEntry & { upstream: UpstreamTarget },
  meta: SessionMeta,
  { sessions, log }: SessionContext,
): void {
  const openedAt = Date.now();
  let upstream: Socket | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let loggingIn = false;
  // Counters, idle timer, and ending the session with a FATAL from outside (drain, reload).
  const control = sessions.add(meta.id, ws, key);

  const fail = (error: PgError | Buffer): void => {
    if (ws.readyState === ws.OPEN) {
      ws.send(Buffer.isBuffer(error) ? error : encodeErrorResponse(error));
      ws.close(CloseCode.Normal);
    }
  };
  const startupTimer = setTimeout(
    () =>
      fail(
        fatal(
          SqlState.ProtocolViolation,
          `no startup message within ${STARTUP_TIMEOUT_MS / 1000} s`,
        ),
      ),
    STARTUP_TIMEOUT_MS,
  );

  const onStartupBytes = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary) {
      ws.close(CloseCode.UnsupportedData, 'text messages are not part of the tunnel protocol');
      return;
    }
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    // A paused WebSocket still delivers the messages it had already read: keep them for upstream.
    if (loggingIn) {
      return;
    }
    // The tunnel itself is the encryption; a client that asks anyway goes on in plain text.
    const { packet, rest } = readPastEncryptionRequests(pending, () => ws.send(ENCRYPTION_REFUSED));
    pending = rest;
    switch (packet.kind) {
      case 'incomplete':
        return;
      case 'invalid':
        fail(fatal(SqlState.ProtocolViolation, `invalid startup packet: ${packet.reason}`));
        return;
      case 'cancel-request':
        stopReadingStartup();
        forwardCancel(key.upstream, pending.subarray(0, packet.length))
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
          log.warn('tunnel refused', { session: meta.id, key: key.id, reason: refusal.message });
          fail(refusal);
          return;
        }
        loggingIn = true;
        ws.pause();
        void startUpstream(packet.parameters, packet.length);
        return;
      }
    }
  };
  const stopReadingStartup = (): void => {
    clearTimeout(startupTimer);
    ws.off('message', onStartupBytes);
  };

  const startUpstream = async (
    parameters: Record<string, string>,
    startupLength: number,
  ): Promise<void> => {
    let firstBytes: Buffer;
    try {
      const connection = await connectUpstream(key.upstream, parameters, key.scramKeys);
      upstream = connection.socket;
      firstBytes = connection.firstBytes;
    } catch (error) {
      control.loginFailed();
      const pgError =
        error instanceof UpstreamError
          ? error.pgError
          : {
              severity: 'FATAL',
              code: SqlState.UnableToConnect,
              message: `the gateway failed: ${(error as Error).message}`,
            };
      log.warn('upstream login failed', {
        session: meta.id,
        key: key.id,
        upstream: describeTarget(key.upstream),
        reason: pgError.message,
      });
      fail(pgError);
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
      application: parameters['application_name'],
    });
    const socket = upstream;
    stopReadingStartup();
    const rest = pending.subarray(startupLength);
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
    socket.resume();
    ws.resume();
  };

  ws.on('message', onStartupBytes);
  ws.on('error', (error) =>
    log.warn('tunnel error', { session: meta.id, key: key.id, reason: error.message }),
  );
  ws.on('close', () => {
    clearTimeout(startupTimer);
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
}
