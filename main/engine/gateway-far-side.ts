import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { SessionFailureCause } from '../failure/failure.js';
import { CloseCode } from '../relay/tunnel-protocol.js';
import { PeerLiveness } from '../relay/ws-liveness.js';
import { pumpToSocket, pumpToWebSocket, type PumpHooks } from '../relay/ws-pump.js';
import type { ClientStartup, FarConnection, FarHooks, FarSide } from './far-side.js';
import { DialError, type DialOptions } from './gateway-dial.js';
import { AuthenticationOkFilter } from './local-login.js';
import { TlsSessionCache } from './tls-sessions.js';
import {
  WarmPool,
  type GatewaySockets,
  type TakenSocket,
  type WarmPoolOptions,
} from './warm-pool.js';

/** How a tunnel profile's sessions reach the gateway. */
export interface GatewayFarSideOptions {
  /** The gateway's URL, the API key, the upgrade's timeout (TLS sessions are kept here). */
  dial: Omit<DialOptions, 'tlsSessions'>;
  /** The warm sockets: the most held at once (0: none), and how often they are pinged. */
  warm: WarmPoolOptions;
  /** Silent, unheld ping intervals after which the gateway is judged dead. */
  deadAfterTicks: number;
}

/**
 * A tunnel profile's far side: one WebSocket to the gateway per session (the wire contract of
 * DESIGN.md), carrying the client's bytes as they are, the StartupMessage first. Sessions take a
 * warm socket (opened ahead of need) when one is ready, else dial.
 */
export class GatewayFarSide implements FarSide {
  private readonly sockets: WarmPool;
  private readonly deadAfterTicks: number;

  constructor({ dial, warm, deadAfterTicks }: GatewayFarSideOptions) {
    // One TLS session cache for every dial of this tunnel, so that each resumes the last session.
    this.sockets = new WarmPool({ ...dial, tlsSessions: new TlsSessionCache() }, warm);
    this.deadAfterTicks = deadAfterTicks;
  }

  readonly name = 'The tunnel gateway';

  start(): void {
    this.sockets.start();
  }

  refresh(): void {
    this.sockets.refresh();
  }

  get held(): number {
    return this.sockets.held;
  }

  stop(): Promise<void> {
    return this.sockets.stop();
  }

  /**
   * Takes a WebSocket and sends the client's opening on it.
   *
   * @throws DialError (a SessionFailureError): key rejected, no database, unreachable, stopping.
   */
  async open({ bytes, afterStartup, loggedIn }: ClientStartup): Promise<FarConnection> {
    let taken: TakenSocket;
    try {
      taken = await this.sockets.take();
    } catch (error) {
      throw dialError(error, this.sockets.gatewayUrl);
    }
    taken.ws.send(bytes);
    // Only a StartupMessage alone may go again: bytes after it might be a query, to run once.
    const mayResend = taken.warm && afterStartup.length === 0;
    const connection = new GatewayConnection(
      taken.ws,
      bytes,
      mayResend,
      this.sockets,
      this.deadAfterTicks,
    );
    if (loggedIn) {
      const filter = new AuthenticationOkFilter();
      connection.rewrite = (message) => {
        const passed = filter.push(message);
        if (filter.done) {
          connection.rewrite = undefined;
        }
        return passed;
      };
    }
    return connection;
  }

  /** A CancelRequest travels on a WebSocket of its own; the gateway expects nothing after it. */
  async cancel(packet: Buffer): Promise<void> {
    const ws = await this.sockets.dial();
    await new Promise<void>((resolve) => ws.send(packet, () => resolve()));
    ws.close(CloseCode.Normal);
  }
}

/**
 * One session's WebSocket; its pumps call it as PumpHooks (methods, not closures per session).
 * The client's bytes after the opening go on once the gateway has answered, so a warm socket
 * that turns out dead (closed before any answer: a gateway restarted, a laptop that slept) costs
 * the client nothing: the opening goes again on a fresh dial, when it is a StartupMessage alone
 * (bytes after it might be a query, which must not run twice).
 */
class GatewayConnection implements FarConnection, PumpHooks {
  private ws: WebSocket;
  private liveness: PeerLiveness | undefined;
  private client: Socket | undefined;
  private hooks: FarHooks | undefined;
  /** Bytes received from the gateway: what liveness watches move. */
  private received = 0;
  /** PumpHooks: set after a local login until the gateway's AuthenticationOk is dropped. */
  rewrite: ((message: Buffer) => Buffer) | undefined;
  /** The opening may go again on a fresh dial (once) if this WebSocket closes unanswered. */
  private mayResend: boolean;
  /** close() or destroy() ran: a WebSocket closing now is closed from this side. */
  private closing = false;

  constructor(
    ws: WebSocket,
    private readonly opening: Buffer,
    mayResend: boolean,
    private readonly sockets: GatewaySockets,
    private readonly deadAfterTicks: number,
  ) {
    this.ws = ws;
    this.mayResend = mayResend;
  }

  pipe(client: Socket, hooks: FarHooks): void {
    this.client = client;
    this.hooks = hooks;
    this.attach(this.ws);
  }

  /** Pumps both ways on `ws`, the client's side once the gateway has said something. */
  private attach(ws: WebSocket): void {
    const client = this.client!;
    this.ws = ws;
    this.liveness = new PeerLiveness(ws, () => this.received, this.deadAfterTicks);
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    pumpToSocket(ws, client, this);
    ws.once('message', () => {
      pumpToWebSocket(client, ws, this);
      client.resume();
    });
  }

  private onClose(code: number, reason: string): void {
    if (this.mayResend && this.received === 0 && !this.closing && !this.client!.destroyed) {
      this.mayResend = false;
      this.sockets.dial().then(
        (ws) => {
          if (this.closing) {
            ws.close(CloseCode.Normal);
            return;
          }
          ws.send(this.opening);
          this.attach(ws);
        },
        (error: unknown) => this.hooks!.ended(dialError(error, this.sockets.gatewayUrl).cause),
      );
      return;
    }
    this.hooks!.ended(
      code === CloseCode.Normal
        ? undefined
        : code === CloseCode.Abnormal
          ? { kind: 'gateway-lost' }
          : { kind: 'gateway-closed', reason: reason || `code ${code}` },
    );
  }

  /** PumpHooks: bytes from the client, on their way to the gateway. */
  fromSocket(chunk: Buffer): void {
    this.hooks!.fromClient(chunk);
  }

  /** PumpHooks: bytes from the gateway, on their way to the client. */
  fromWebSocket(chunk: Buffer): void {
    this.received += chunk.length;
    this.hooks!.fromServer(chunk);
  }

  /** PumpHooks: the gateway broke the protocol. */
  onTextMessage(): void {
    this.hooks!.ended({ kind: 'gateway-protocol-violation' });
  }

  tick(pingIntervalMs: number): SessionFailureCause | undefined {
    const silentTicks = this.liveness?.tick() ?? 0;
    return silentTicks > 0
      ? { kind: 'gateway-silent', silentMs: silentTicks * pingIntervalMs }
      : undefined;
  }

  /**
   * The client is gone: a normal close, after what the client sent last. The WebSocket is read on
   * (what arrives is dropped, see pumpToSocket) until the gateway's close frame: paused, as it is
   * for a client that stopped reading, it would read neither that frame nor the FIN behind the
   * gateway's unsent data, and the gateway would keep the backend running (blocked writing, with
   * its locks) until ws's close timeout (30 s) ended the connection.
   */
  close(): void {
    this.closing = true;
    this.ws.close(CloseCode.Normal);
    this.ws.resume();
  }

  destroy(): void {
    this.closing = true;
    this.ws.terminate();
  }
}

/** A failed dial to `url` as a DialError, whatever was thrown. */
function dialError(error: unknown, url: string): DialError {
  return error instanceof DialError
    ? error
    : new DialError({ kind: 'gateway-unreachable', url, reason: String(error) });
}
