import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SessionInfo } from '../../shared/session.js';
import { fatal, SqlState } from '../pgwire/error-response.js';
import { ClientProtocolError, readClientOpening } from './client-startup.js';
import { DEFAULT_GATEWAY_URL, dialGateway, type DialOptions } from './gateway-dial.js';
import { TunnelSession, type CloseReason, type FrameObserver } from './session.js';

export interface TunnelOptions {
  apiKey: string;
  /** wss:// or ws:// URL of the gateway's tunnel endpoint. */
  gatewayUrl?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  userAgent?: string;
  /** A client that has sent no startup packet by then is turned away. */
  startupTimeoutMs?: number;
  dialTimeoutMs?: number;
  /** Keep-alive ping on every WebSocket; a link silent for two intervals is ended. */
  pingIntervalMs?: number;
  /** Reports every message type both ways (costs a scan of the client stream; for --verbose). */
  onFrame?: FrameObserver;
}

export interface TunnelEvents {
  'session-opened': [SessionInfo];
  /** `reason` is set when the session ended on an error: the sentence its client was shown. */
  'session-closed': [SessionInfo, CloseReason | undefined];
  /** A connection that never became a session: junk, a timeout, or a cancel request's outcome. */
  'client-rejected': [{ clientAddress: string; reason: string }];
}

export type StopMode = 'drain' | 'kill';

/** The listening address could not be taken. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly host: string,
    readonly port: number,
  ) {
    super(message);
  }
}

const DEFAULTS = {
  gatewayUrl: DEFAULT_GATEWAY_URL,
  host: '127.0.0.1',
  port: 0,
  userAgent: 'pg-tunnel',
  startupTimeoutMs: 10_000,
  dialTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
};

/**
 * A local Postgres port whose every connection is carried to the gateway over a WebSocket. The one
 * API the CLI, the app core and the tests use: listen, sessions, kill a session, stop, events.
 */
export class Tunnel extends EventEmitter<TunnelEvents> {
  private readonly options: typeof DEFAULTS & TunnelOptions;
  private readonly server: Server;
  private readonly live = new Map<string, TunnelSession>();
  /** Connections still sending their startup packet: not sessions yet, nothing to tell them. */
  private readonly opening = new Set<Socket>();
  private nextSessionId = 1;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(options: TunnelOptions) {
    super();
    this.options = { ...DEFAULTS, ...stripUndefined(options), apiKey: options.apiKey };
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the bound address, rejects with a ListenError sentence. */
  listen(): Promise<AddressInfo> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        const message =
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use by another program`
            : error.code === 'EACCES'
              ? `no permission to listen on port ${port} of ${host}`
              : error.code === 'EADDRNOTAVAIL'
                ? `${host} is not an address of this machine`
                : `cannot listen on ${host}:${port}: ${error.message}`;
        reject(new ListenError(message, error.code, host, port));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const interval = this.options.pingIntervalMs;
        this.heartbeat = setInterval(() => {
          for (const session of this.live.values()) {
            session.heartbeat(interval);
          }
        }, interval).unref();
        resolve(this.address()!);
      });
    });
  }

  /** False once the listener has closed, whether by stop() or because the OS took it away. */
  get listening(): boolean {
    return this.server.listening;
  }

  address(): AddressInfo | undefined {
    return (this.server.address() as AddressInfo | null) ?? undefined;
  }

  /** Snapshots of the open sessions. */
  sessions(): SessionInfo[] {
    return [...this.live.values()].map((session) => ({ ...session.info }));
  }

  /** Ends one session, telling its client why. Returns false when no such session is open. */
  killSession(id: string, message = 'the session was disconnected from PG Tunnel'): boolean {
    const session = this.live.get(id);
    session?.kill(message);
    return Boolean(session);
  }

  /**
   * Stops listening. 'kill' ends every session now; 'drain' lets them finish, and ends whatever is
   * left after `drainTimeoutMs`. Resolves when every client connection is closed.
   */
  async stop(mode: StopMode = 'kill', drainTimeoutMs = 30_000): Promise<void> {
    clearInterval(this.heartbeat);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Sessions are told why and closed (a client that does not go is destroyed after a grace
    // period, see TunnelSession.end); connections that are not sessions yet are just dropped.
    const killAll = (): void => {
      for (const session of this.live.values()) {
        session.kill('the tunnel is stopping');
      }
      for (const socket of this.opening) {
        socket.destroy();
      }
    };
    const timer = setTimeout(killAll, mode === 'drain' ? drainTimeoutMs : 0);
    await closed;
    clearTimeout(timer);
  }

  private dialOptions(): DialOptions {
    const { gatewayUrl, apiKey, userAgent, dialTimeoutMs } = this.options;
    return { gatewayUrl, apiKey, userAgent, timeoutMs: dialTimeoutMs };
  }

  private async accept(socket: Socket): Promise<void> {
    const clientAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.opening.add(socket);
    const forgetOpening = (): boolean => this.opening.delete(socket);
    socket.on('close', forgetOpening);
    // Errors on the client socket (resets) end its session through 'close'; never the process.
    socket.on('error', () => {});
    let opening;
    try {
      opening = await readClientOpening(socket, this.options.startupTimeoutMs);
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof ClientProtocolError && !socket.destroyed) {
        socket.end(fatal(SqlState.ProtocolViolation, reason));
      }
      this.emit('client-rejected', { clientAddress, reason });
      return;
    }
    if (opening.kind === 'cancel') {
      await this.forwardCancel(socket, opening.bytes, clientAddress);
      return;
    }
    this.opening.delete(socket);
    socket.off('close', forgetOpening);
    const session = new TunnelSession(
      String(this.nextSessionId++),
      socket,
      clientAddress,
      opening.parameters,
      this.options.onFrame,
    );
    this.live.set(session.info.id, session);
    socket.on('close', () => {
      this.live.delete(session.info.id);
      this.emit('session-closed', { ...session.info }, session.reason);
    });
    this.emit('session-opened', { ...session.info });
    await session.start(opening.bytes, this.dialOptions());
  }

  /** A CancelRequest travels on a WebSocket of its own; the client expects no answer, only a close. */
  private async forwardCancel(
    socket: Socket,
    packet: Buffer,
    clientAddress: string,
  ): Promise<void> {
    try {
      const ws = await dialGateway(this.dialOptions());
      ws.on('error', () => {});
      ws.send(packet, () => ws.close(1000));
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

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
