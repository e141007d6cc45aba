import type { Socket } from 'node:net';
import { reclaimAfter } from './buffer-reclaim.js';
import { SOCKET_HIGH_WATER_MARK, WS_HIGH_WATER_MARK } from './ws-pump.js';

export interface SocketPumpHooks {
  /** Every chunk read from the client, before it is written to the server. */
  fromClient?: (chunk: Buffer) => void;
  /** Every chunk read from the server, before it is written to the client. */
  fromServer?: (chunk: Buffer) => void;
}

/**
 * Moves bytes both ways between a client socket and a server socket, as-is, with the same bounds
 * as the WebSocket pump: the client is not read while more than WS_HIGH_WATER_MARK bytes wait to
 * be written to the server (the queue that a WebSocket would hold), and the server is not read
 * while more than SOCKET_HIGH_WATER_MARK wait to be written to the client. Each side resumes on the
 * other's 'drain' (emitted once its write buffer has emptied, after any write past its 16 KB mark).
 * Closing and errors are the caller's business.
 */
export function pumpSockets(client: Socket, server: Socket, hooks: SocketPumpHooks): void {
  relay(client, server, WS_HIGH_WATER_MARK, hooks, 'fromClient');
  relay(server, client, SOCKET_HIGH_WATER_MARK, hooks, 'fromServer');
}

function relay(
  from: Socket,
  to: Socket,
  highWaterMark: number,
  hooks: SocketPumpHooks,
  hook: keyof SocketPumpHooks,
): void {
  from.on('data', (chunk: Buffer) => {
    // Called as a method: a long-lived session can pass itself rather than closures.
    hooks[hook]?.(chunk);
    reclaimAfter(chunk.length);
    to.write(chunk);
    if (to.writableLength >= highWaterMark) {
      from.pause();
    }
  });
  to.on('drain', () => from.resume());
}
