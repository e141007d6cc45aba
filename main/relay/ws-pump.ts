import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { reclaimAfter } from './buffer-reclaim.js';

/**
 * Above this many bytes queued in the WebSocket (not yet handed to the kernel) the TCP side stops
 * reading; with the TCP socket's own high-water mark this bounds what one session holds in memory.
 */
export const WS_HIGH_WATER_MARK = 256 * 1024;
/**
 * Above this many bytes waiting in the TCP socket's write buffer the WebSocket stops reading. Not
 * the socket's own 16 KB mark: a single 64 KB message exceeds it, and pausing after every message
 * turns a stream into stop-and-go; this keeps the kernel's buffer fed and memory still bounded.
 */
export const SOCKET_HIGH_WATER_MARK = 1024 * 1024;

/** ws.send's options for every chunk: one object for all, not one per chunk. */
const BINARY = { binary: true } as const;

export interface PumpHooks {
  /** Every chunk read from the TCP socket, before it is sent on the WebSocket. */
  fromSocket?: (chunk: Buffer) => void;
  /** Every binary message from the WebSocket, before it is written to the TCP socket. */
  fromWebSocket?: (chunk: Buffer) => void;
  /**
   * While set, rewrites each binary message before it goes to the TCP socket (read per message,
   * so a hook that has done its work unsets it and the stream goes on untouched).
   */
  rewrite?: (message: Buffer) => Buffer;
  /** The peer sent a text message: not part of the contract. The pump has stopped forwarding. */
  onTextMessage: () => void;
}

/**
 * Moves bytes both ways between a TCP socket and a WebSocket, as-is, with backpressure: the socket
 * is paused while the WebSocket's buffer is above the high-water mark, and the WebSocket is paused
 * while the socket's write buffer holds more than its own mark. Closing and errors are the caller's business.
 */
export function pumpBytes(socket: Socket, ws: WebSocket, hooks: PumpHooks): void {
  pumpToWebSocket(socket, ws, hooks);
  pumpToSocket(ws, socket, hooks);
}

/**
 * The socket-to-WebSocket half of pumpBytes, for a caller that starts the two directions apart.
 * Leaves the socket as it is: the caller resumes it.
 */
export function pumpToWebSocket(socket: Socket, ws: WebSocket, hooks: PumpHooks): void {
  // Hooks are called as methods: a long-lived session can pass itself rather than closures.
  let socketPaused = false;

  // One callback shared by every send: it runs when a message has been handed to the kernel.
  const onSent = (): void => {
    if (socketPaused && ws.bufferedAmount < WS_HIGH_WATER_MARK) {
      socketPaused = false;
      socket.resume();
    }
  };

  socket.on('data', (chunk: Buffer) => {
    hooks.fromSocket?.(chunk);
    reclaimAfter(chunk.length);
    ws.send(chunk, BINARY, onSent);
    if (!socketPaused && ws.bufferedAmount >= WS_HIGH_WATER_MARK) {
      socketPaused = true;
      socket.pause();
    }
  });
}

/** The WebSocket-to-socket half of pumpBytes. */
export function pumpToSocket(ws: WebSocket, socket: Socket, hooks: PumpHooks): void {
  ws.on('message', (message: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      hooks.onTextMessage();
      return;
    }
    // The client is gone: what is left is read (to reach the close frame) and dropped.
    if (socket.destroyed) {
      return;
    }
    const data = hooks.rewrite ? hooks.rewrite(message) : message;
    hooks.fromWebSocket?.(data);
    reclaimAfter(message.length);
    socket.write(data);
    if (socket.writableLength >= SOCKET_HIGH_WATER_MARK) {
      ws.pause();
    }
  });
  // 'drain' comes once the write buffer is empty (any write past 16 KB asks for it).
  socket.on('drain', () => ws.resume());
}
