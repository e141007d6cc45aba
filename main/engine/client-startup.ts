import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { OpeningReader, type OpeningStep } from '../pgwire/opening-reader.js';
import type { StartupMessage } from '../pgwire/startup.js';
import { acceptTls } from './local-tls.js';

/** What a local client opened its connection with, once known. */
export type ClientOpening =
  /**
   * `bytes`, `afterStartup`: as the opening reader's startup step. `socket`: where the session
   * goes on, the client's TLS socket when it negotiated TLS, else the one accepted.
   */
  | {
      kind: 'startup';
      message: StartupMessage;
      bytes: Buffer;
      afterStartup: Buffer;
      socket: Socket;
    }
  | { kind: 'cancel'; bytes: Buffer; socket: Socket }
  /** Not a session: already answered as Postgres would (a FATAL, or nothing) and closed. */
  | { kind: 'rejected'; reason: string };

/**
 * Reads from a freshly accepted client with the opening reader until it has sent a StartupMessage
 * or a CancelRequest, answering encryption requests on the way: with `tls` (the local port's
 * TLS settings) an SSLRequest is answered 'S' and a ClientHello taken as direct TLS, and the
 * opening is read on inside TLS; without, both are refused as by a Postgres with ssl=off.
 * Anything else is answered and closed here, as Postgres does (see OpeningReader); so is silence
 * past `timeoutMs`, handshake included (closed with nothing sent, like Postgres's
 * authentication_timeout). Nothing has been dialled for any of them. Leaves the socket paused.
 */
export function readClientOpening(
  accepted: Socket,
  timeoutMs: number,
  tls?: SecureContext,
): Promise<ClientOpening> {
  const reader = new OpeningReader({ tls: tls ? 'accept' : 'refuse' });
  let socket = accepted;
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(
      () => settle(reject(`no startup message within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const listen = (): void => {
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onEnd);
    };
    const unlisten = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const settle = (opening: ClientOpening): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      unlisten();
      socket.pause();
      resolve(opening);
    };
    const reject = (reason: string, reply?: Buffer): ClientOpening => {
      if (!socket.destroyed) {
        const current = socket;
        current.end(reply ?? Buffer.alloc(0), () => current.destroy());
      }
      return { kind: 'rejected', reason };
    };
    const startTls = async (
      step: Extract<OpeningStep, { kind: 'start-tls' }>,
      context: SecureContext,
    ): Promise<void> => {
      unlisten();
      if (step.reply) {
        socket.write(step.reply);
      }
      const handshake = await acceptTls(socket, step.bytes, context, step.direct);
      if (settled) {
        return; // timed out meanwhile: the raw socket, and with it the TLS one, is closed
      }
      if (!handshake.ok) {
        settle({ kind: 'rejected', reason: handshake.reason });
        return;
      }
      socket = handshake.socket;
      reader.tlsStarted(step.direct);
      listen();
    };
    const act = (step: OpeningStep): void => {
      switch (step.kind) {
        case 'need-more':
        case 'reply':
          return;
        case 'startup':
          settle({ ...step, socket });
          return;
        case 'cancel':
          settle({ kind: 'cancel', bytes: step.bytes, socket });
          return;
        case 'fatal':
          settle(reject(step.reason, step.reply));
          return;
        case 'close':
          settle(reject(step.reason));
          return;
        case 'start-tls':
          // Only a reader told to accept TLS gives this step, and only when `tls` is set.
          void startTls(step, tls!);
          return;
      }
    };
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      let step = reader.next();
      for (; step.kind === 'reply'; step = reader.next()) {
        socket.write(step.bytes);
      }
      act(step);
    };
    const onEnd = (): void => act(reader.end());
    listen();
  });
}
