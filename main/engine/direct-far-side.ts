import type { Socket } from 'node:net';
import { ScramKeyCache } from '../pgwire/scram.js';
import { pumpSockets } from '../pgwire/socket-pump.js';
import { TCP_KEEPALIVE_MS } from '../pgwire/tunnel-protocol.js';
import { connectUpstream, forwardCancel } from '../upstream/connect.js';
import { chooseDirectDatabase } from '../upstream/database-rule.js';
import { addressOf, type UpstreamTarget } from '../upstream/target.js';
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

  constructor(private readonly target: UpstreamTarget) {}

  /** Nothing is opened ahead of need (warm upstream connections are not made). */
  start(): void {}

  refresh(): void {}

  readonly held = 0;

  async stop(): Promise<void> {}

  /** @throws UpstreamError (a SessionFailureError): the login failed; the cause says how. */
  async open({ message, bytes }: ClientStartup): Promise<FarConnection> {
    const choice = chooseDirectDatabase(
      this.target.database,
      this.target.user,
      message.parameters,
      this.target.by,
    );
    const { socket, firstBytes } = await connectUpstream(
      this.target,
      { startup: message, database: choice.database, notice: choice.notice },
      this.scramKeys,
    );
    // The StartupMessage (its first word is its length) was answered by the login; what the client
    // sent after it goes to the database as it is.
    return new DirectConnection(
      socket,
      firstBytes,
      bytes.subarray(bytes.readInt32BE(0)),
      this.target,
    );
  }

  /** The client received the real backend's key, so its CancelRequest goes to the database as is. */
  async cancel(packet: Buffer): Promise<void> {
    await forwardCancel(this.target, packet);
  }
}

/** How long bytes the client sent last may take to reach the database once the client is gone. */
const CLOSE_FLUSH_MS = 1_000;

/** One session's database connection. */
class DirectConnection implements FarConnection {
  constructor(
    private readonly server: Socket,
    private readonly firstBytes: Buffer,
    private readonly afterStartup: Buffer,
    private readonly target: UpstreamTarget,
  ) {}

  pipe(client: Socket, hooks: FarHooks): void {
    const server = this.server;
    // A database gone without a FIN (a dropped VPN, a host that died) is found by TCP keepalive,
    // as libpq's keepalives find it for a direct client.
    server.setKeepAlive(true, TCP_KEEPALIVE_MS);
    let lost: string | undefined;
    server.on('error', (error: NodeJS.ErrnoException) => {
      lost = error.code ?? error.message;
    });
    server.on('close', () =>
      hooks.ended(
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
    hooks.fromServer(this.firstBytes);
    client.write(this.firstBytes);
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

  /**
   * The client is gone: the database connection is closed as the client's own would have been.
   * Not end(): a FIN behind a result the server socket holds unread (paused for a client that
   * stopped reading) is never seen by a backend blocked writing that result (ClientWrite), which
   * then keeps its locks until this process exits. Closing with unread bytes sends a reset, as a
   * dying client's kernel does, and the backend ends at once; with none, a FIN after every byte
   * the client sent (its Terminate). Bytes still queued here go first.
   */
  close(): void {
    const server = this.server;
    if (server.writableLength === 0) {
      server.destroy();
      return;
    }
    server.end(() => server.destroy());
    // A backend that does not read them (blocked writing) is ended by the reset all the same.
    setTimeout(() => server.destroy(), CLOSE_FLUSH_MS).unref();
  }

  destroy(): void {
    this.server.destroy();
  }
}
