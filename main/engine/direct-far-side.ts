import type { Socket } from 'node:net';
import { ScramKeyCache } from '../pgwire/scram.js';
import { pumpSockets } from '../relay/socket-pump.js';
import type { SessionFailureError } from '../failure/failure.js';
import { forwardCancel, probeUpstream, UpstreamError } from '../upstream/connect.js';
import { chooseDirectDatabase } from '../upstream/database-rule.js';
import type { UpstreamTarget } from '../upstream/target.js';
import { UpstreamSession } from '../upstream/upstream-session.js';
import { withoutAuthenticationOk } from './local-login.js';
import type { ClientStartup, FarConnection, FarHooks, FarSide } from './far-side.js';

/**
 * A direct profile's far side: the engine logs in to the database itself, in-process, with the
 * connector the gateway uses (TLS as libpq does it, SCRAM with channel binding, the password from
 * the keychain), one hop instead of two. The database a client names is the one it gets; only
 * libpq's default lands in the target's (see chooseDirectDatabase).
 */
export class DirectFarSide implements FarSide {
  /** Derived SCRAM keys of the target's role, so that only the first login pays for PBKDF2. */
  private readonly scramKeys = new ScramKeyCache();

  readonly name = 'The database';

  /**
   * @param report hears whether the database can be reached: from a TCP connection made at
   *   start() (no login: nothing opened ahead of need), then from each client's connection.
   */
  constructor(
    private readonly target: UpstreamTarget,
    private readonly report?: (outcome: SessionFailureError | undefined) => void,
  ) {}

  /** Connects once to the database's port, so that a host that refuses is said before any client. */
  start(): void {
    probeUpstream(this.target).then(
      () => this.report?.(undefined),
      (error: unknown) => this.tell(error),
    );
  }

  refresh(): void {}

  readonly held = 0;

  async stop(): Promise<void> {}

  /** @throws UpstreamError (a SessionFailureError): the login failed; the cause says how. */
  async open(
    { message, afterStartup, loggedIn }: ClientStartup,
    signal?: AbortSignal,
  ): Promise<FarConnection> {
    const choice = chooseDirectDatabase(
      this.target.database,
      this.target.user,
      message.parameters,
      this.target.by,
    );
    let upstream: UpstreamSession;
    try {
      upstream = await UpstreamSession.open(
        this.target,
        { startup: message, database: choice.database, notice: choice.notice },
        this.scramKeys,
        signal,
      );
    } catch (error) {
      this.tell(error);
      throw error;
    }
    this.report?.(undefined);
    return new DirectConnection(upstream, afterStartup, loggedIn === true);
  }

  /** Reports a database that cannot be reached; a refused login has its own sentences. */
  private tell(error: unknown): void {
    if (error instanceof UpstreamError && error.cause.kind === 'database-unreachable') {
      this.report?.(error);
    }
  }

  /** The client received the real backend's key, so its CancelRequest goes to the database as is. */
  async cancel(packet: Buffer): Promise<void> {
    await forwardCancel(this.target, packet);
  }
}

/** One session's database connection, pumped to the client's socket. */
class DirectConnection implements FarConnection {
  constructor(
    private readonly upstream: UpstreamSession,
    private readonly afterStartup: Buffer,
    private readonly loggedIn: boolean,
  ) {}

  pipe(client: Socket, hooks: FarHooks): void {
    const { socket: server } = this.upstream;
    const firstBytes = this.loggedIn
      ? withoutAuthenticationOk(this.upstream.firstBytes)
      : this.upstream.firstBytes;
    this.upstream.watch((cause) => hooks.ended(cause));
    hooks.fromServer(firstBytes);
    client.write(firstBytes);
    if (this.afterStartup.length > 0) {
      server.write(this.afterStartup);
    }
    // The session's own fromClient/fromServer are the pump's hooks: no relay per chunk.
    pumpSockets(client, server, hooks);
    server.resume();
    // The login has answered the opening already.
    client.resume();
  }

  /** Postgres has no ping: a silent database is an idle one; keepalive finds a dead link. */
  tick(): undefined {
    return undefined;
  }

  close(): void {
    this.upstream.close();
  }

  destroy(): void {
    this.upstream.destroy();
  }
}
