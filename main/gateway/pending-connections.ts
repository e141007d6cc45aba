import type { Socket } from 'node:net';

/** The cap on connections that have not completed an upgrade, unless the config sets another. */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 1000;

/**
 * Connections that have not completed a WebSocket upgrade yet (a request on its way, a plain
 * HTTP client, a socket that says nothing), bounded before anyone has shown a key.
 *
 * Up to `max` of them are served as usual. Past it a connection is still accepted, "over the
 * cap": it is answered /healthz (so that a load balancer's health check goes through while the
 * gateway is flooded) and 503 with Retry-After for anything else. Over-cap connections are
 * bounded too, by `max` again: past that the oldest of them is closed to make room, so a flood of
 * silent sockets never keeps a health check out, and the total stays below twice `max` (plus
 * what the header deadline has not closed yet; see HEADERS_TIMEOUT_MS).
 */
export class PendingConnections {
  private readonly pending = new Set<Socket>();
  /** Accepted past the cap, oldest first (a Set keeps insertion order). */
  private readonly overCap = new Set<Socket>();

  constructor(private max: number) {}

  /** A reloaded cap applies to connections accepted from now on. */
  configure(max: number): void {
    this.max = max;
  }

  /** Counts a new connection until it closes or upgrades. */
  admit(socket: Socket): void {
    const forget = (): void => this.upgraded(socket);
    socket.once('close', forget);
    if (this.pending.size - this.overCap.size < this.max) {
      this.pending.add(socket);
      return;
    }
    if (this.overCap.size >= this.max) {
      const oldest = this.overCap.values().next().value!;
      this.upgraded(oldest);
      oldest.destroy();
    }
    this.pending.add(socket);
    this.overCap.add(socket);
  }

  /** The connection is a WebSocket now (or closed): it no longer counts. */
  upgraded(socket: Socket): void {
    this.pending.delete(socket);
    this.overCap.delete(socket);
  }

  /** Whether `socket` was accepted past the cap: it gets only /healthz. */
  isOverCap(socket: Socket): boolean {
    return this.overCap.has(socket);
  }

  /** Connections counted now, over the cap or not. */
  get size(): number {
    return this.pending.size;
  }
}
