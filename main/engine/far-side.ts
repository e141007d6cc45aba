import type { Socket } from 'node:net';
import type { SessionFailureCause } from '../failure/failure.js';
import type { StartupMessage } from '../pgwire/startup.js';

/**
 * A client's StartupMessage, and every byte it sent so far (`bytes`, the message first;
 * `afterStartup`, what followed the message).
 */
export interface ClientStartup {
  message: StartupMessage;
  bytes: Buffer;
  afterStartup: Buffer;
  /**
   * The local port logged the client in itself (a profile's local password): the client has had
   * its AuthenticationOk, so the far end's is not sent to it (see withoutAuthenticationOk).
   */
  loggedIn?: boolean;
}

/**
 * Where a tunnel's sessions lead beyond the local port: a gateway over one WebSocket per session
 * (GatewayFarSide), or the database itself through the upstream connector (DirectFarSide). The
 * session, its registry entry and its stats are the same for both.
 */
export interface FarSide {
  /** What it is, as a sentence starts with it: "The tunnel gateway", "The database". */
  readonly name: string;
  /**
   * The local port is listening: a far side that opens connections ahead of need (the gateway's
   * warm sockets) starts now. Called once.
   */
  start(): void;
  /**
   * The computer's network changed: connections held ahead of need are replaced (they may lead
   * nowhere now). Sessions are left alone: their own liveness checks judge them.
   */
  refresh(): void;
  /** Connections held open ahead of need now, for clients not here yet (0 when it holds none). */
  readonly held: number;
  /**
   * Opens the far end of one session with the client's opening: the gateway receives the client's
   * bytes; the connector logs in itself. Nothing is read from the client meanwhile; `signal`
   * aborts when the client goes away, and a far side that can gives up what it was opening.
   *
   * @throws SessionFailureError whose cause the client is shown (a rejected key, a refused login).
   */
  open(startup: ClientStartup, signal?: AbortSignal): Promise<FarConnection>;
  /**
   * Delivers a CancelRequest (`packet`, as the client sent it) to where its session's backend is.
   *
   * @throws Error with a sentence when it could not be delivered.
   */
  cancel(packet: Buffer): Promise<void>;
  /**
   * The tunnel is stopping: closes what was opened ahead of need, and gives up such opens still
   * under way. Resolves when all of it is closed. Sessions, and their opens, are the tunnel's to end.
   */
  stop(): Promise<void>;
}

/** What a session hears from its far end; the session implements it. */
export interface FarHooks {
  /** Bytes from the client, before they go on (counted, scanned). */
  fromClient(chunk: Buffer): void;
  /** Bytes from the database, before they go to the client (counted, scanned for state). */
  fromServer(chunk: Buffer): void;
  /** The far end is gone: `cause` when the client is to be told why, undefined when it ended. */
  ended(cause: SessionFailureCause | undefined): void;
}

/**
 * The far end of one open session: moves bytes both ways with the client socket, each direction
 * paused while the other side's buffer is full, so that no session holds more than about a
 * megabyte in memory whatever its client or database does.
 */
export interface FarConnection {
  /**
   * Starts moving bytes: whatever the far end has for the client first (a login's first messages),
   * then both ways until either side ends. The client socket, paused until now, is read (resumed)
   * once the far end has answered the opening: a Postgres client waits for that answer anyway, and
   * until then the opening is all the far end may have seen, so it may still be sent again.
   */
  pipe(client: Socket, hooks: FarHooks): void;
  /**
   * One ping interval passed (`pingIntervalMs`): checks the far end is alive. Returns the cause
   * to end the session with when it is judged dead, else undefined.
   */
  tick(pingIntervalMs: number): SessionFailureCause | undefined;
  /** The client is gone: ends the far end in the ordinary way. */
  close(): void;
  /** Ends the far end now (the session is being killed or failed). */
  destroy(): void;
}
