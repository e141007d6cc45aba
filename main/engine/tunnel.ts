import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { SessionInfo } from '../../shared/session.js';
import type { WarmLoginsInfo } from '../../shared/tunnel-state.js';
import { deadAfterTicks } from '../relay/ws-liveness.js';
import {
  isLastingRefusal,
  type SessionFailure,
  type SessionFailureError,
} from '../failure/failure.js';
import { DEAD_AFTER_MS, PING_INTERVAL_MS, TCP_KEEPALIVE_MS } from '../relay/tunnel-protocol.js';
import type { UpstreamTarget } from '../upstream/target.js';
import { readClientOpening } from './client-startup.js';
import { logInLocally } from './local-login.js';
import { scramVerifier, type ScramVerifier } from '../pgwire/scram-server.js';
import { DirectFarSide, type WarmLoginSettings } from './direct-far-side.js';
import type { ClientStartup, FarSide } from './far-side.js';
import { DEFAULT_GATEWAY_URL } from './gateway-dial.js';
import { GatewayFarSide } from './gateway-far-side.js';
import { listenOnHost } from './listen.js';
import { localTlsContext, type LocalTlsCredentials } from './local-tls.js';
import { TunnelSession, type CloseReason, type FrameObserver } from './session.js';

export { ListenError } from './listen.js';

/** A tunnel profile's route: a WebSocket per session to the gateway, with the API key. */
export interface GatewayRoute {
  apiKey: string;
  /** wss:// or ws:// URL of the gateway's tunnel endpoint. */
  gatewayUrl?: string;
  userAgent?: string;
  dialTimeoutMs?: number;
  /**
   * A gateway silent this long, in ms, while no backpressure holds either direction, is judged
   * dead (default 45 s); counted in whole ping intervals.
   */
  deadAfterMs?: number;
  /**
   * The most WebSockets kept open ahead of need, so that a client's startup goes out at once
   * (default 4: one, grown toward the largest recent burst of connections); 0 keeps none, and
   * then no 'far-side-checked' event comes before a client does.
   */
  maxWarmSockets?: number;
  /** The window's profile name, for the sentence of a refused key ("Edit the API key of …"). */
  profileName?: string;
}

/** A direct profile's route: the engine logs in to the database itself (password included). */
export interface DirectRoute {
  direct: UpstreamTarget;
  /**
   * The most logins held ahead of need, so that a client whose StartupMessage is the same as a
   * recent client's gets its login in zero round trips (default 4, sized by recent bursts; see
   * WarmLogins); 0 holds none.
   */
  maxWarmLogins?: number;
  /** Warm logins are released after this many ms with no client opening or leaving (default 60 s). */
  warmLoginIdleMs?: number;
}

/** Where the sessions lead (a gateway or a database), and the local listener. */
export type TunnelOptions = (GatewayRoute | DirectRoute) & {
  /** An address, or a name such as localhost: then every address it resolves to. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * TLS on the local port, whatever the route: with a certificate and key (PEM), an SSLRequest is
   * answered 'S' and a TLS ClientHello with ALPN `postgresql` is taken (direct TLS), as a Postgres
   * with ssl=on does; clients that do not ask still connect in plain text. Without, both are
   * refused.
   */
  tls?: LocalTlsCredentials;
  /**
   * A local password for the port (a profile's local login): every client logs in with it by
   * SCRAM-SHA-256 (-PLUS over the local TLS) before the far side is opened. Without, any local
   * client is let through, as the far side alone logs in.
   */
  localPassword?: string;
  /** A client that has sent no startup packet (or, with a local password, no login) by then is closed, in ms. */
  startupTimeoutMs?: number;
  /** Check every session's far end this often, in ms (default 15 s; a WebSocket is pinged). */
  pingIntervalMs?: number;
  /** Reports every message type both ways (costs a scan of the client stream; for --verbose). */
  onFrame?: FrameObserver;
};

export interface TunnelEvents {
  'session-opened': [SessionInfo];
  /** `reason` is set when the session ended on an error: the sentence its client was shown. */
  'session-closed': [SessionInfo, CloseReason | undefined];
  /** A connection that never became a session: junk, a timeout, or a cancel request's outcome. */
  'client-rejected': [{ clientAddress: string; reason: string }];
  /**
   * How the far side answered: first for the connection made at listen() (the gateway's first
   * warm socket; a TCP connection to a direct profile's database), then each time the answer
   * changes (refused, unreachable for another reason, or answering again).
   */
  'far-side-checked': [FarSideCheck];
  /** A direct tunnel's warm logins changed (how many are held, a pause). */
  'warm-logins': [WarmLoginsInfo];
  /** A sentence about the far side worth a line in the log that is not a failure (a release at idle). */
  'far-side-note': [string];
}

/** What a tunnel does while its far side cannot be reached, for the sentences that say so. */
export const KEEPS_LISTENING = 'The tunnel keeps listening, and connects clients once it answers.';

/**
 * What a tunnel's connections to its far side (the gateway, or a direct profile's database)
 * found: it answers, or `failure` says why not. `lasting`: the gateway refused the key, its
 * database or the URL's path (401, 410, 404), which trying again cannot change; otherwise
 * (unreachable, another status) it may pass, and the tunnel keeps trying with each client (and,
 * for a gateway, each warm dial).
 */
export type FarSideCheck = { ok: true } | { ok: false; failure: SessionFailure; lasting: boolean };

export type StopMode = 'drain' | 'kill';

const DEFAULTS = {
  gatewayUrl: DEFAULT_GATEWAY_URL,
  host: '127.0.0.1',
  port: 0,
  userAgent: 'pg-tunnel',
  startupTimeoutMs: 10_000,
  dialTimeoutMs: 10_000,
  pingIntervalMs: PING_INTERVAL_MS,
  deadAfterMs: DEAD_AFTER_MS,
  maxWarmSockets: 4,
  maxWarmLogins: 4,
};

/**
 * A local Postgres port whose every connection is carried to the gateway over a WebSocket, or, for
 * a direct profile, logged in to the database by the engine itself. The one API the CLI, the app
 * core and the tests use: listen, sessions, kill a session, stop, events.
 */
export class Tunnel extends EventEmitter<TunnelEvents> {
  private readonly options: typeof DEFAULTS & TunnelOptions;
  private readonly farSide: FarSide;
  private servers: Server[] = [];
  private readonly live = new Map<string, TunnelSession>();
  /** Connections still sending their startup packet: not sessions yet, nothing to tell them. */
  private readonly opening = new Set<Socket>();
  private nextSessionId = 1;
  private heartbeat: NodeJS.Timeout | undefined;
  /**
   * The local port's TLS (its clients'), unrelated to any TLS of the far side; replaced by
   * serveLocalTls when the certificate is renewed.
   */
  private tlsContext: SecureContext | undefined;
  /** The local password's SCRAM verifier, when the port has its own login. */
  private readonly localLogin: ScramVerifier | undefined;
  /** The far side's last failure message ('' when it answered); undefined before any check. */
  private lastCheck: string | undefined;

  /** @throws LocalTlsError when `options.tls` holds a certificate or key that cannot be used. */
  constructor(options: TunnelOptions) {
    super();
    // Partial<> loses that the route's own fields (the key, the target) are there: they are.
    this.options = { ...DEFAULTS, ...stripUndefined(options) } as typeof DEFAULTS & TunnelOptions;
    this.tlsContext = options.tls && localTlsContext(options.tls);
    this.localLogin =
      options.localPassword === undefined ? undefined : scramVerifier(options.localPassword);
    this.farSide = farSideOf(this.options, (outcome) => this.onFarSideAnswer(outcome), {
      changed: (info) => this.emit('warm-logins', info),
      said: (sentence) => this.emit('far-side-note', sentence),
    });
  }

  /**
   * Starts listening on every address of the host; resolves with the first address bound,
   * rejects with a ListenError (its message is the sentence to show).
   */
  async listen(): Promise<AddressInfo> {
    const { host, port, pingIntervalMs } = this.options;
    this.servers = await listenOnHost(host, port, () =>
      createServer(
        // Keepalive finds clients gone without a FIN (a laptop that slept, a dropped VPN).
        { noDelay: true, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS },
        (socket) => this.accept(socket),
      ),
    );
    this.heartbeat = setInterval(() => {
      for (const session of this.live.values()) {
        session.heartbeat(pingIntervalMs);
      }
    }, pingIntervalMs).unref();
    this.farSide.start();
    return this.address()!;
  }

  /** False once a listener has closed, whether by stop() or because the OS took it away. */
  get listening(): boolean {
    return this.servers.length > 0 && this.servers.every((server) => server.listening);
  }

  /** The first address listened on (the host's first address). */
  address(): AddressInfo | undefined {
    return (this.servers[0]?.address() as AddressInfo | null) ?? undefined;
  }

  /** The sentence for a far side that answers again after a failure ("The database answers again."). */
  answersAgain(): string {
    return `${this.farSide.name} answers again.`;
  }

  /** Snapshots of the open sessions. */
  sessions(): SessionInfo[] {
    return [...this.live.values()].map((session) => ({ ...session.info }));
  }

  /** Ends one session, telling its client why. Returns false when no such session is open. */
  killSession(id: string, message = 'the session was disconnected from PG Tunnel'): boolean {
    const session = this.live.get(id);
    session?.kill({ kind: 'disconnected', message });
    return Boolean(session);
  }

  /**
   * Serves `credentials` on the local port from now on (a renewed certificate): connections
   * accepted after this call get them; sessions already open, and handshakes already under way,
   * keep the certificate they were given. With TLS off until now, clients that ask get TLS from
   * now on.
   *
   * @throws LocalTlsError when the certificate or key cannot be used; what was served stays.
   */
  serveLocalTls(credentials: LocalTlsCredentials): void {
    this.tlsContext = localTlsContext(credentials);
  }

  /**
   * WebSockets to the gateway held open ahead of need now (open, or opening for no client yet);
   * 0 for a direct tunnel, which opens nothing ahead of need.
   */
  warmSockets(): number {
    return this.farSide.held;
  }

  /** A direct tunnel's warm logins (see DirectRoute.maxWarmLogins); undefined for a gateway route. */
  warmLogins(): WarmLoginsInfo | undefined {
    return this.farSide instanceof DirectFarSide ? this.farSide.warmLogins : undefined;
  }

  /** The network changed: replaces the connections held ahead of need (see FarSide.refresh). */
  networkChanged(): void {
    this.farSide.refresh();
  }

  /**
   * Stops listening. 'kill' ends every session now; 'drain' lets them finish, and ends whatever is
   * left after `drainTimeoutMs`. Resolves when every client connection and warm socket is closed.
   */
  async stop(mode: StopMode = 'kill', drainTimeoutMs = 30_000): Promise<void> {
    clearInterval(this.heartbeat);
    const warmClosed = this.farSide.stop();
    const closed = Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    // Sessions are told why and closed (a client that does not go is destroyed after a grace
    // period, see TunnelSession.end); connections that are not sessions yet are just dropped.
    const killAll = (): void => {
      for (const session of this.live.values()) {
        session.kill({ kind: 'tunnel-stopping' });
      }
      for (const socket of this.opening) {
        socket.destroy();
      }
    };
    const timer = setTimeout(killAll, mode === 'drain' ? drainTimeoutMs : 0);
    await Promise.all([closed, warmClosed]);
    clearTimeout(timer);
  }

  /** Emits 'far-side-checked' for the first outcome, and for each that differs from the last. */
  private onFarSideAnswer(outcome: SessionFailureError | undefined): void {
    const check = outcome?.failure.message ?? '';
    if (check === this.lastCheck) {
      return;
    }
    this.lastCheck = check;
    this.emit(
      'far-side-checked',
      outcome
        ? { ok: false, failure: outcome.failure, lasting: isLastingRefusal(outcome.cause) }
        : { ok: true },
    );
  }

  private async accept(socket: Socket): Promise<void> {
    const clientAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.opening.add(socket);
    const forgetOpening = (): boolean => this.opening.delete(socket);
    socket.on('close', forgetOpening);
    // Errors on the client socket (resets) end its session through 'close'; never the process.
    socket.on('error', () => {});
    const opening = await readClientOpening(socket, this.options.startupTimeoutMs, this.tlsContext);
    if (opening.kind === 'rejected') {
      this.emit('client-rejected', { clientAddress, reason: opening.reason });
      return;
    }
    if (opening.kind === 'cancel') {
      await this.forwardCancel(opening.socket, opening.bytes, clientAddress);
      return;
    }
    let startup: ClientStartup = opening;
    if (this.localLogin) {
      const login = await logInLocally(
        opening.socket,
        opening.message.parameters['user'] ?? '',
        this.localLogin,
        opening.afterStartup,
        this.options.startupTimeoutMs,
      );
      if (!login.ok) {
        this.emit('client-rejected', { clientAddress, reason: login.reason });
        return;
      }
      const message = opening.bytes.subarray(0, opening.bytes.length - opening.afterStartup.length);
      startup = {
        message: opening.message,
        bytes: Buffer.concat([message, login.afterLogin]),
        afterStartup: login.afterLogin,
        loggedIn: true,
      };
    }
    this.opening.delete(socket);
    socket.off('close', forgetOpening);
    // The client's TLS socket when it negotiated TLS (closing either closes both).
    const client = opening.socket;
    const session = new TunnelSession(
      String(this.nextSessionId++),
      client,
      clientAddress,
      opening.message.parameters,
      this.options.onFrame,
    );
    this.live.set(session.info.id, session);
    client.on('close', () => {
      this.live.delete(session.info.id);
      this.emit('session-closed', { ...session.info }, session.reason);
    });
    this.emit('session-opened', { ...session.info });
    await session.start(startup, this.farSide);
  }

  /** A CancelRequest goes to the far side on its own; the client expects no answer, only a close. */
  private async forwardCancel(
    socket: Socket,
    packet: Buffer,
    clientAddress: string,
  ): Promise<void> {
    try {
      await this.farSide.cancel(packet);
      this.emit('client-rejected', { clientAddress, reason: 'cancel request forwarded' });
    } catch (error) {
      this.emit('client-rejected', {
        clientAddress,
        reason: `cancel request not delivered: ${(error as Error).message}`,
      });
    } finally {
      socket.destroy();
    }
  }
}

function farSideOf(
  options: typeof DEFAULTS & TunnelOptions,
  report: (outcome: SessionFailureError | undefined) => void,
  warmHooks: Pick<WarmLoginSettings, 'changed' | 'said'>,
): FarSide {
  if ('direct' in options) {
    return new DirectFarSide(options.direct, report, {
      ...warmHooks,
      max: options.maxWarmLogins,
      idleMs: options.warmLoginIdleMs,
    });
  }
  const { gatewayUrl, apiKey, userAgent, dialTimeoutMs, pingIntervalMs, deadAfterMs } = options;
  return new GatewayFarSide({
    dial: { gatewayUrl, apiKey, userAgent, timeoutMs: dialTimeoutMs, profile: options.profileName },
    warm: { max: options.maxWarmSockets, pingIntervalMs, report },
    deadAfterTicks: deadAfterTicks(pingIntervalMs, deadAfterMs),
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
