import type { Socket } from 'node:net';
import type { SessionFailureCause } from '../failure/failure.js';
import type { ScramKeyCache } from '../pgwire/scram.js';
import { TCP_KEEPALIVE_MS } from '../relay/tunnel-protocol.js';
import { connectUpstream, type UpstreamRequest } from './connect.js';
import { addressOf, type UpstreamTarget } from './target.js';
import { UpstreamError } from './upstream-error.js';

/** How long bytes the client sent last may take to reach the database once the client is gone. */
const CLOSE_FLUSH_MS = 1_000;

/**
 * One client's connection to its database, the same on both ends: a direct tunnel's engine and the
 * gateway each open one per session, then pump bytes between it and their client (a TCP socket
 * for the one, a WebSocket for the other). It owns what the two have in common: the login, the
 * mapping of every connect error to a cause, TCP keepalive, the cause when the database is lost,
 * and closing as the client's own connection would have closed.
 */
export class UpstreamSession {
  private constructor(
    /** Paused until the caller's pump resumes it; TLS when the login used it. */
    readonly socket: Socket,
    /** What the client receives first: AuthenticationOk up to ReadyForQuery (see logIn). */
    readonly firstBytes: Buffer,
    private readonly target: UpstreamTarget,
  ) {}

  /**
   * Connects and logs in to `target` for a client (see connectUpstream). `signal` aborts when the
   * client goes away meanwhile: the connection being opened is closed at once.
   *
   * @throws UpstreamError whose cause says how the login failed; an error that is not one (a
   *   fault of ours, a socket error connectUpstream did not name) becomes `database-unreachable`,
   *   the same on both ends.
   */
  static async open(
    target: UpstreamTarget,
    request: UpstreamRequest,
    scramKeys: ScramKeyCache,
    signal?: AbortSignal,
  ): Promise<UpstreamSession> {
    try {
      const { socket, firstBytes } = await connectUpstream(target, request, scramKeys, signal);
      return new UpstreamSession(socket, firstBytes, target);
    } catch (error) {
      throw error instanceof UpstreamError
        ? error
        : new UpstreamError({
            kind: 'database-unreachable',
            reason: String(error),
            by: target.by,
            address: addressOf(target),
          });
    }
  }

  /**
   * Watches the database connection for the rest of the session: a database gone without a FIN
   * (a dropped VPN, a host that died) is found by TCP keepalive, as libpq's keepalives find it
   * for a direct client. `ended` is called once, when the connection has closed: with
   * `database-lost` (naming the address) when it closed on an error, else with undefined.
   */
  watch(ended: (cause: SessionFailureCause | undefined) => void): void {
    const socket = this.socket;
    // libpq's keepalives and keepalives_idle; Node sets no interval, count or tcp_user_timeout.
    const { keepalives, keepalivesIdle } = this.target;
    socket.setKeepAlive(
      keepalives !== false,
      keepalivesIdle ? keepalivesIdle * 1000 : TCP_KEEPALIVE_MS,
    );
    let lost: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      lost = error.code ?? error.message;
    });
    socket.on('close', () =>
      ended(
        lost === undefined
          ? undefined
          : {
              kind: 'database-lost',
              reason: lost,
              by: this.target.by,
              address: addressOf(this.target),
            },
      ),
    );
  }

  /**
   * The client is gone: the database connection is closed as the client's own would have been.
   * Not end(): a FIN behind a result the socket holds unread (paused for a client that stopped
   * reading) is never seen by a backend blocked writing that result (ClientWrite), which then
   * keeps its locks until this process exits. Closing with unread bytes sends a reset, as a dying
   * client's kernel does, and the backend ends at once; with none, a FIN after every byte the
   * client sent (its Terminate). Bytes still queued here go first.
   */
  close(): void {
    const socket = this.socket;
    if (socket.writableLength === 0) {
      socket.destroy();
      return;
    }
    socket.end(() => socket.destroy());
    // A backend that does not read them (blocked writing) is ended by the reset all the same.
    setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS).unref();
  }

  /** Ends the database connection now (the session is being killed or failed). */
  destroy(): void {
    this.socket.destroy();
  }
}
