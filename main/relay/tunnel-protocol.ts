/**
 * The tunnel protocol between engine and gateway, written once for both ends. Compatible with the
 * published `@prisma/ppg-tunnel` 0.4.0 client (see DESIGN.md, "The wire contract").
 */

/** The path of the WebSocket endpoint on the gateway. */
export const TUNNEL_PATH = '/websocket';

/** Response header with the id the gateway logged a refused upgrade under. */
export const REQUEST_ID_HEADER = 'prisma-request-id';

/**
 * Warm sockets: a tunnel may open a WebSocket ahead of need, so that its next client's startup
 * goes out at once instead of after TCP, TLS and the upgrade. The tunnel sends this header (any
 * value) on such an upgrade request; a gateway that holds warm sockets answers every accepted
 * upgrade with this header too, its value the whole milliseconds it waits for a warm socket's
 * first message (WARM_WAIT_MS). An answer without it means the gateway knows nothing of warm
 * sockets: it closes any WebSocket silent past its startup timeout, so the tunnel keeps none.
 */
export const WARM_SOCKET_HEADER = 'x-pg-tunnel-warm';

/**
 * How long, in ms, the gateway keeps a warm socket open while it waits for its first message
 * (a client's startup, or a cancel), pinging it meanwhile; far longer than a client's startup
 * timeout, so that a tunnel refreshes its warm sockets every few minutes rather than seconds.
 */
export const WARM_WAIT_MS = 5 * 60_000;

/**
 * The largest WebSocket message the engine accepts from a gateway, in bytes: ours sends what one
 * read of the database's socket gave it; another gateway (Prisma's) may batch more, so this is
 * generous. The engine dialled that gateway itself, so it is not a stranger's input.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * The largest WebSocket message the gateway accepts from a tunnel, in bytes. Both clients send
 * one message per read of their client's TCP socket: @prisma/ppg-tunnel's listen.js sends each
 * `socket.on("data")` chunk as it comes, and so does our engine (ws-pump.ts). A Node socket read
 * is at most 64 KiB (libuv's read buffer), a TLS one 16 KiB (one record); the engine's first
 * message is the StartupMessage (at most 10,004 bytes, pqcomm.h) plus the rest of the read that
 * completed it. 1 MiB leaves more than ten times that, and keeps what a key holder can make the
 * gateway buffer per message small (16 MiB before: ten at once took it from 101 to 303 MB).
 */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;

/** WebSocket close codes (RFC 6455, section 7.4.1) the two ends use. */
export const CloseCode = {
  /** All said: whatever the client is to be told has been sent as an ErrorResponse already. */
  Normal: 1000,
  /**
   * Reported, never sent: the connection ended without a close frame (RFC 6455, 7.1.5). The
   * gateway process died, or a load balancer or the network between dropped the connection.
   */
  Abnormal: 1006,
  /** A text message arrived: the tunnel carries binary messages only. */
  UnsupportedData: 1003,
  /** The far side failed (e.g. the database connection was lost). */
  InternalError: 1011,
} as const;

/** Each end pings its peer this often, in ms, whether or not data flows. */
export const PING_INTERVAL_MS = 15_000;

/**
 * A peer from which nothing (data, ping or pong) was heard for this long, in ms, while neither
 * direction was held back by backpressure, is judged dead.
 */
export const DEAD_AFTER_MS = 45_000;

/** TCP keepalive idle time on every socket, in ms: finds peers gone without a FIN. */
export const TCP_KEEPALIVE_MS = 30_000;
