import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { SessionFailureCause } from '../failure/failure.js';
import type { FrameScanner } from '../pgwire/frame-scanner.js';
import { CloseCode } from '../relay/tunnel-protocol.js';
import { WS_HIGH_WATER_MARK } from '../relay/ws-pump.js';

/** The causes for which the gateway itself ends a session (rather than its client or database). */
export type GatewayEndCause = Extract<
  SessionFailureCause,
  { kind: 'gateway-shutdown' | 'key-revoked' | 'idle-timeout' }
>;

/**
 * How long an ending session waits for the database's message in progress to end, so that the
 * FATAL goes between two messages rather than into one. A row is rarely more than a few MB; one
 * that takes longer than this (a slow client, a huge value) is cut, and its client sees a closed
 * connection instead of the sentence.
 */
export const BOUNDARY_WAIT_MS = 10_000;

/** What finishMessageThenSay reports to its session. */
export interface BoundaryHooks {
  /** `bytes` of the message in progress went to the client (to be counted). */
  sent(bytes: number): void;
  /** The message in progress has ended and the database connection is closed: say the FATAL now. */
  atBoundary(): void;
}

/**
 * Takes the database's stream over from the byte pump and passes on only the rest of the message
 * in progress (as `scanner` finds its end), with the pump's backpressure, then calls
 * `hooks.atBoundary`. Past BOUNDARY_WAIT_MS the session is cut instead (close 1011).
 */
export function finishMessageThenSay(
  upstream: Socket,
  ws: WebSocket,
  scanner: FrameScanner,
  hooks: BoundaryHooks,
): void {
  upstream.removeAllListeners('data');
  const timer = setTimeout(() => {
    upstream.destroy();
    ws.close(CloseCode.InternalError, 'the session was ended by the tunnel gateway');
  }, BOUNDARY_WAIT_MS);
  const resumeWhenSent = (): void => {
    if (ws.bufferedAmount < WS_HIGH_WATER_MARK) {
      upstream.resume();
    }
  };
  // The WebSocket's close ends the wait (the session is over either way).
  ws.once('close', () => clearTimeout(timer));
  upstream.on('data', (chunk: Buffer) => {
    const length = scanner.feedToBoundary(chunk);
    hooks.sent(length);
    ws.send(chunk.subarray(0, length), { binary: true }, resumeWhenSent);
    if (scanner.atBoundary) {
      clearTimeout(timer);
      upstream.destroy();
      hooks.atBoundary();
    } else if (ws.bufferedAmount >= WS_HIGH_WATER_MARK) {
      upstream.pause();
    }
  });
  upstream.resume();
}
