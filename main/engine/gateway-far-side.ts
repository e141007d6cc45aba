import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { SessionFailureError, type SessionFailureCause } from '../pgwire/failure.js';
import { CloseCode } from '../pgwire/tunnel-protocol.js';
import { PeerLiveness } from '../pgwire/ws-liveness.js';
import { pumpBytes, type PumpHooks } from '../pgwire/ws-pump.js';
import type { ClientStartup, FarConnection, FarHooks, FarSide } from './far-side.js';
import { dialGateway, type DialOptions } from './gateway-dial.js';

/**
 * A tunnel profile's far side: one WebSocket to the gateway per session (the wire contract of
 * DESIGN.md), carrying the client's bytes as they are, the StartupMessage first.
 */
export class GatewayFarSide implements FarSide {
  /**
   * @param dial the gateway's URL, the API key and the upgrade's timeout.
   * @param deadAfterTicks silent, unheld ping intervals after which the gateway is judged dead.
   */
  constructor(
    private readonly dial: DialOptions,
    private readonly deadAfterTicks: number,
  ) {}

  /** @throws DialError (a SessionFailureError): key rejected, no database, unreachable. */
  async open({ bytes }: ClientStartup): Promise<FarConnection> {
    let ws: WebSocket;
    try {
      ws = await dialGateway(this.dial);
    } catch (error) {
      if (error instanceof SessionFailureError) {
        throw error;
      }
      throw new SessionFailureError({
        kind: 'gateway-unreachable',
        url: this.dial.gatewayUrl,
        reason: String(error),
      });
    }
    ws.send(bytes);
    return new GatewayConnection(ws, this.deadAfterTicks);
  }

  /** A CancelRequest travels on a WebSocket of its own; the gateway expects nothing after it. */
  async cancel(packet: Buffer): Promise<void> {
    const ws = await dialGateway(this.dial);
    await new Promise<void>((resolve) => ws.send(packet, () => resolve()));
    ws.close(CloseCode.Normal);
  }
}

/** One session's WebSocket; its pump calls it as PumpHooks (methods, not closures per session). */
class GatewayConnection implements FarConnection, PumpHooks {
  private liveness: PeerLiveness | undefined;
  private hooks: FarHooks | undefined;
  /** Bytes received from the gateway: what liveness watches move. */
  private received = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly deadAfterTicks: number,
  ) {}

  pipe(client: Socket, hooks: FarHooks): void {
    this.hooks = hooks;
    this.liveness = new PeerLiveness(this.ws, () => this.received, this.deadAfterTicks);
    this.ws.on('close', (code, reason) =>
      hooks.ended(
        code === CloseCode.Normal
          ? undefined
          : { kind: 'gateway-closed', reason: reason.toString() || `code ${code}` },
      ),
    );
    pumpBytes(client, this.ws, this);
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

  close(): void {
    this.ws.close(CloseCode.Normal);
  }

  destroy(): void {
    this.ws.terminate();
  }
}
