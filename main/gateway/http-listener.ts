import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TCP_KEEPALIVE_MS } from '../relay/tunnel-protocol.js';
import type { Logger } from './log.js';

/**
 * How long a connection may take to send its request's headers (and a TLS one its handshake), in
 * ms: a tunnel sends them at once, so only a client that holds a socket open without a word waits
 * this long (Node's own default is 60 s, checked every 30 s).
 */
export const HEADERS_TIMEOUT_MS = 10_000;

/** How often Node looks for connections past HEADERS_TIMEOUT_MS, in ms. */
const HEADERS_CHECK_INTERVAL_MS = 1_000;

/** What the gateway's listener is made of. */
export interface HttpListenerOptions {
  /** Certificate and key files (PEM) to serve HTTPS with; absent, plain HTTP. */
  tls: { cert: string; key: string } | undefined;
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  /** A connection is ready for its request (with TLS, once its handshake is done). */
  onConnection(socket: Socket): void;
  log: Logger;
}

/**
 * The gateway's HTTP(S) server, not yet listening: TCP keepalive on every connection (it finds
 * engines gone without a FIN, even while backpressure holds their tunnel), a short deadline for
 * headers and TLS handshakes, and a request Node's parser cannot read (a bad request line or
 * header, a header past its limit) answered 400 or 431 as Node would by default, said once in the
 * log.
 *
 * @throws Error when the TLS files cannot be read.
 */
export function createHttpListener({
  tls,
  onRequest,
  onUpgrade,
  onConnection,
  log,
}: HttpListenerOptions): Server {
  const options = {
    keepAlive: true,
    keepAliveInitialDelay: TCP_KEEPALIVE_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: HEADERS_TIMEOUT_MS,
    connectionsCheckingInterval: HEADERS_CHECK_INTERVAL_MS,
  };
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: readFileSync(tls.cert),
          key: readFileSync(tls.key),
          handshakeTimeout: HEADERS_TIMEOUT_MS,
          ...options,
        },
        onRequest,
      )
    : createHttpServer(options, onRequest);
  server.on('upgrade', onUpgrade);
  server.on(tls ? 'secureConnection' : 'connection', onConnection);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    log.warn('request refused', {
      reason: `unreadable HTTP request (${error.code ?? error.message})`,
    });
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return server;
}
