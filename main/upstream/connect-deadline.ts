import type { Socket } from 'node:net';
import type { ConnectStage } from '../failure/failure.js';
import { addressOf, type UpstreamTarget } from './target.js';
import { UpstreamError } from './upstream-error.js';

/** Our connect_timeout when the connection string sets none (libpq's would be to wait forever). */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15;

/**
 * The seconds one host gets to be connected and logged in to, as libpq applies connect_timeout
 * (fe-connect.c, pqConnectDBComplete): 0 or less waits without a deadline; 1 counts as 2, so that
 * rounding cannot fail a connection before it had a chance.
 */
export function connectTimeoutSeconds(target: UpstreamTarget): number {
  const seconds = target.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  return seconds > 0 && seconds < 2 ? 2 : seconds;
}

/**
 * One deadline for every stage of connecting to one host (resolving its name, TCP, the answer to
 * the SSLRequest, the TLS handshake, the login), and the client's signal that it went away. When
 * either comes first, the socket of the stage under way is destroyed, which ends that stage (each
 * rejects on its socket's close or error), and `explain` turns what that stage threw into the
 * real reason: `connect-timeout` naming the stage, or `client-gone`.
 */
export class ConnectDeadline {
  /** The stage under way, named in the sentence when the deadline passes during it. */
  stage: ConnectStage = 'dns';
  private socket: Socket | undefined;
  private ended: UpstreamError | undefined;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    target: UpstreamTarget,
    private readonly signal?: AbortSignal,
  ) {
    const seconds = connectTimeoutSeconds(target);
    if (seconds > 0) {
      this.timer = setTimeout(
        () =>
          this.end(
            new UpstreamError({
              kind: 'connect-timeout',
              stage: this.stage,
              seconds,
              by: target.by,
              address: addressOf(target),
            }),
          ),
        seconds * 1000,
      );
    }
    signal?.addEventListener('abort', this.onAbort);
    if (signal?.aborted) {
      this.onAbort();
    }
  }

  /** The socket the next stages run on: destroyed at once if the deadline has already ended. */
  watch(socket: Socket): void {
    this.socket = socket;
    if (this.ended) {
      this.destroy(socket, this.ended);
    }
  }

  /** Whether the deadline passed or the client went away. */
  get passed(): boolean {
    return this.ended !== undefined;
  }

  /** The error to throw for `error`, which a stage threw: the deadline's, when it ended that stage. */
  explain(error: unknown): unknown {
    return this.ended ?? error;
  }

  /** Connecting is over (logged in, or failed): no timer or listener is left behind. */
  done(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => {
    this.end(new UpstreamError({ kind: 'client-gone' }));
  };

  private end(error: UpstreamError): void {
    if (this.ended) {
      return;
    }
    this.ended = error;
    if (this.socket) {
      this.destroy(this.socket, error);
    }
  }

  /**
   * A socket still connecting ends its stage by 'error' (openTcp listens for it); a connected one
   * by 'close', which every later stage listens for.
   */
  private destroy(socket: Socket, error: UpstreamError): void {
    if (socket.connecting) {
      socket.destroy(error);
    } else {
      socket.destroy();
    }
  }
}
