import type { Socket } from 'node:net';
import { OpeningReader, type OpeningStep } from '../pgwire/opening-reader.js';
import type { StartupMessage } from '../pgwire/startup.js';

/** What a local client opened its connection with, once known. */
export type ClientOpening =
  /** `bytes`: the StartupMessage and whatever the client sent after it. */
  | { kind: 'startup'; message: StartupMessage; bytes: Buffer }
  | { kind: 'cancel'; bytes: Buffer }
  /** Not a session: already answered as Postgres would (a FATAL, or nothing) and closed. */
  | { kind: 'rejected'; reason: string };

/**
 * Reads from a freshly accepted client with the opening reader until it has sent a StartupMessage
 * or a CancelRequest, answering encryption requests on the way. Anything else is answered and
 * closed here, as Postgres does (see OpeningReader); so is silence past `timeoutMs` (closed with
 * nothing sent, like Postgres's authentication_timeout). Nothing has been dialled for any of them.
 * Leaves the socket paused.
 */
export function readClientOpening(socket: Socket, timeoutMs: number): Promise<ClientOpening> {
  const reader = new OpeningReader();
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => settle(reject(`no startup message within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const settle = (opening: ClientOpening): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      resolve(opening);
    };
    const reject = (reason: string, reply?: Buffer): ClientOpening => {
      if (!socket.destroyed) {
        socket.end(reply ?? Buffer.alloc(0), () => socket.destroy());
      }
      return { kind: 'rejected', reason };
    };
    const act = (step: OpeningStep): void => {
      switch (step.kind) {
        case 'need-more':
        case 'reply':
          return;
        case 'startup':
          settle({ kind: 'startup', message: step.message, bytes: step.bytes });
          return;
        case 'cancel':
          settle({ kind: 'cancel', bytes: step.bytes });
          return;
        case 'fatal':
          settle(reject(step.reason, step.reply));
          return;
        case 'close':
          settle(reject(step.reason));
          return;
        case 'start-tls':
          // The engine's reader runs with TLS refused: this step cannot come (local TLS will).
          settle(reject('a TLS handshake, and TLS is off on this port'));
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
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}
