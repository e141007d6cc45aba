import type WebSocket from 'ws';
import { CloseCode } from '../relay/tunnel-protocol.js';
import { safeUrl } from '../../shared/format.js';
import { isLastingRefusal } from '../failure/failure.js';
import { BurstMeter } from '../upstream/burst-meter.js';
import { onceSoon } from '../upstream/once-soon.js';
import { DialError, dialGateway, type DialedSocket, type DialOptions } from './gateway-dial.js';

/** A WebSocket to the gateway for one client connection. */
export interface TakenSocket {
  ws: WebSocket;
  /**
   * It was opened ahead of need and held: it may have died since without a word reaching here
   * (a gateway restarted, a laptop that slept), so a close before any answer is worth one retry
   * on a fresh dial (see GatewayConnection in gateway-far-side.ts).
   */
  warm: boolean;
}

/** Where a tunnel's client connections get their WebSockets; WarmPool is one such source. */
export interface GatewaySockets {
  /**
   * For a client that has just sent its opening: a warm socket if one is ready, else the warm
   * dial furthest along, else a fresh dial. Rejects with a DialError (as a fresh dial does).
   */
  take(): Promise<TakenSocket>;
  /** A fresh dial: for a retry, or a CancelRequest. Rejects with a DialError. */
  dial(): Promise<WebSocket>;
  /** The gateway's URL as errors show it (see safeUrl). */
  readonly gatewayUrl: string;
}

export interface WarmPoolOptions {
  /** The most warm sockets held at once (the pool grows toward recent bursts); 0 holds none. */
  max: number;
  /** Warm sockets are pinged this often, in ms, and dropped when silent for twice as long. */
  pingIntervalMs: number;
  /**
   * Hears how every dial went, warm or for a client: undefined when the gateway took it, else the
   * DialError (never for dials given up because the tunnel stops). The first warm dial, made at
   * start(), is how a tunnel learns at once that its key, path or gateway is wrong.
   */
  report?: (outcome: DialError | undefined) => void;
}

/** Connections opened within this many ms of each other count as one burst. */
const BURST_WINDOW_MS = 1_000;
/** The pool is sized for the largest burst of this many ms past. */
const BURST_MEMORY_MS = 5 * 60_000;
/**
 * A warm socket is replaced once this fraction of the gateway's announced wait has passed: the
 * rest is margin for late timers and round trips, so the gateway never closes one about to be used.
 */
const REPLACE_AT = 0.8;
/** After a failed warm dial, wait this long before the next; doubled per failure up to the max. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
/** How long stop() lets a closing warm socket finish its close handshake before cutting it, in ms. */
const CLOSE_GRACE_MS = 2_000;

interface Warm {
  ws: WebSocket;
  /**
   * Wall-clock times (Date.now) on purpose: a monotonic clock stands still while the machine
   * sleeps, and after a sleep every warm socket must look as old as it is.
   */
  heardAt: number;
  replaceAt: number;
  onHeard: () => void;
  onClose: () => void;
}

interface PendingDial {
  dialed: Promise<DialedSocket>;
  /** A client took it before it opened. */
  claimed: boolean;
}

/**
 * The warm sockets of one running tunnel: authenticated WebSockets opened ahead of need (TLS and
 * upgrade done, key accepted), so that a client's startup goes out the moment it arrives instead
 * of after three round trips. Each one taken is replaced at once. The pool holds one, or as many
 * as the largest recent burst of connections, up to `max`.
 *
 * It never costs a client a failure: a warm socket that is closed, silent or due for replacement
 * is dropped rather than handed out, and one that dies unnoticed is retried by the session. Warm
 * dials that fail do not spin: they back off (1 s doubling to 60 s), and a refused key (401, 410)
 * or a gateway that holds no warm sockets (its answer lacks WARM_SOCKET_HEADER) stops warming
 * until a client's own dial gets an answer that holds them. Every outcome goes to `report`, so the
 * tunnel can say what is wrong before a client comes. Nothing it opened outlives stop().
 */
export class WarmPool implements GatewaySockets {
  private readonly ready: Warm[] = [];
  private readonly pending = new Set<PendingDial>();
  private readonly closing = new Set<Promise<void>>();
  private readonly bursts: BurstMeter;
  private readonly aborter = new AbortController();
  /** No warm dials until a client's dial is answered with WARM_SOCKET_HEADER. */
  private dormant = false;
  private backoffMs = 0;
  private backoffUntil = 0;
  private backoffTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  /** fill(), after whatever is running now; once for all the takes of a burst. */
  private readonly fillSoon = onceSoon(() => this.fill());

  constructor(
    private readonly dialOptions: DialOptions,
    private readonly options: WarmPoolOptions,
  ) {
    this.bursts = new BurstMeter(Math.max(1, options.max), BURST_WINDOW_MS, BURST_MEMORY_MS);
  }

  /** Opens the first warm socket and starts the pings. */
  start(): void {
    if (this.options.max > 0) {
      this.ticker = setInterval(() => this.tick(), this.options.pingIntervalMs).unref();
      this.fill();
    }
  }

  get gatewayUrl(): string {
    return safeUrl(this.dialOptions.gatewayUrl);
  }

  /** Warm sockets held ahead of need: open, or being opened for no client yet. */
  get held(): number {
    return this.ready.length + this.unclaimed().length;
  }

  async take(): Promise<TakenSocket> {
    const now = Date.now();
    this.bursts.record(now);
    // Replacements are dialled once this client's startup is on its way: a dial's set-up (a
    // request, a socket) would otherwise go first, on the event loop the startup waits for.
    this.fillSoon();
    for (let warm = this.ready.shift(); warm; warm = this.ready.shift()) {
      this.release(warm);
      if (this.isFresh(warm, now)) {
        return { ws: warm.ws, warm: true };
      }
      this.close(warm.ws, this.isAnswering(warm, now));
    }
    // A dial that started earlier opens sooner than one started now.
    const pending = this.unclaimed()[0];
    if (pending) {
      pending.claimed = true;
      try {
        return { ws: (await pending.dialed).ws, warm: false };
      } catch {
        // This client's own dial below says what is wrong, as it would have without the pool.
      }
    }
    return { ws: await this.dial(), warm: false };
  }

  async dial(): Promise<WebSocket> {
    if (this.stopped) {
      throw new DialError({ kind: 'tunnel-stopping' });
    }
    try {
      const dialed = await dialGateway(this.dialOptions);
      this.learn(dialed);
      this.fillSoon();
      return dialed.ws;
    } catch (error) {
      if (isRefusal(error)) {
        this.dormant = true;
      }
      this.tell(error);
      throw error;
    }
  }

  /**
   * The network changed (another Wi-Fi, a VPN up or down): the warm sockets were opened over the
   * old route and may be dead without a FIN, so each is replaced now instead of after the pings
   * find it silent; a back-off from failures on the old network is forgotten.
   */
  refresh(): void {
    if (this.stopped) {
      return;
    }
    for (const warm of this.ready.splice(0)) {
      this.release(warm);
      this.close(warm.ws, false);
    }
    clearTimeout(this.backoffTimer);
    this.backoffMs = 0;
    this.backoffUntil = 0;
    this.fill();
  }

  /** Closes every warm socket and gives up dials in flight; resolves when all are closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.backoffTimer);
    this.aborter.abort();
    for (const warm of this.ready.splice(0)) {
      this.release(warm);
      this.close(warm.ws, true);
    }
    // Their handlers (registered first, so run first) close what opened all the same.
    await Promise.allSettled([...this.pending].map((pending) => pending.dialed));
    await Promise.all(this.closing);
  }

  /** Starts warm dials until the pool holds as many as recent bursts ask for. */
  private fill(): void {
    const now = Date.now();
    if (this.stopped || this.dormant || this.options.max === 0 || now < this.backoffUntil) {
      return;
    }
    const wanted = Math.min(this.options.max, Math.max(1, this.bursts.largest(now)));
    for (let held = this.held; held < wanted; held++) {
      this.startWarmDial();
    }
  }

  private startWarmDial(): void {
    const pending: PendingDial = {
      dialed: dialGateway(this.dialOptions, { warm: true, signal: this.aborter.signal }),
      claimed: false,
    };
    this.pending.add(pending);
    pending.dialed.then(
      (dialed) => {
        this.pending.delete(pending);
        this.learn(dialed);
        if (pending.claimed) {
          this.fill();
        } else if (this.stopped || dialed.warmWaitMs === undefined) {
          // Unheld by the gateway, it would be closed after the gateway's startup timeout.
          this.close(dialed.ws, true);
        } else {
          this.keep(dialed.ws, dialed.warmWaitMs);
          this.fill();
        }
      },
      (error: unknown) => {
        this.pending.delete(pending);
        if (!this.stopped) {
          this.onWarmDialFailed(error);
          this.tell(error);
        }
      },
    );
  }

  /** What any accepted upgrade says: whether the gateway holds warm sockets. */
  private learn({ warmWaitMs }: DialedSocket): void {
    this.dormant = warmWaitMs === undefined;
    this.backoffMs = 0;
    this.backoffUntil = 0;
    this.options.report?.(undefined);
  }

  /** Reports a failed dial, unless it failed because the tunnel is stopping. */
  private tell(error: unknown): void {
    if (error instanceof DialError && error.cause.kind !== 'tunnel-stopping' && !this.stopped) {
      this.options.report?.(error);
    }
  }

  private onWarmDialFailed(error: unknown): void {
    if (isRefusal(error)) {
      this.dormant = true;
      return;
    }
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 || FIRST_BACKOFF_MS);
    this.backoffUntil = Date.now() + this.backoffMs;
    clearTimeout(this.backoffTimer);
    this.backoffTimer = setTimeout(() => this.fill(), this.backoffMs).unref();
  }

  private keep(ws: WebSocket, warmWaitMs: number): void {
    const now = Date.now();
    const warm: Warm = {
      ws,
      heardAt: now,
      replaceAt: now + warmWaitMs * REPLACE_AT,
      onHeard: () => {
        warm.heardAt = Date.now();
      },
      onClose: () => {
        this.ready.splice(this.ready.indexOf(warm), 1);
        this.release(warm);
        this.fill();
      },
    };
    ws.on('ping', warm.onHeard);
    ws.on('pong', warm.onHeard);
    ws.on('close', warm.onClose);
    this.ready.push(warm);
  }

  /** Takes the pool's listeners off a warm socket leaving it. */
  private release(warm: Warm): void {
    warm.ws.off('ping', warm.onHeard);
    warm.ws.off('pong', warm.onHeard);
    warm.ws.off('close', warm.onClose);
  }

  /** Every ping interval: pings the live warm sockets, replaces the silent and the due. */
  private tick(): void {
    const now = Date.now();
    for (const warm of [...this.ready]) {
      if (this.isFresh(warm, now)) {
        warm.ws.ping();
      } else {
        this.ready.splice(this.ready.indexOf(warm), 1);
        this.release(warm);
        this.close(warm.ws, this.isAnswering(warm, now));
      }
    }
    this.fill();
  }

  /** Answering, and not due for replacement. */
  private isFresh(warm: Warm, now: number): boolean {
    return this.isAnswering(warm, now) && now < warm.replaceAt;
  }

  /** Open, and heard from (a ping or a pong) within two ping intervals. */
  private isAnswering(warm: Warm, now: number): boolean {
    return (
      warm.ws.readyState === warm.ws.OPEN && now - warm.heardAt <= 2 * this.options.pingIntervalMs
    );
  }

  /**
   * Closes a socket the pool no longer wants: with a close handshake (`politely`) when its peer
   * is answering, cut at once when it is silent or after CLOSE_GRACE_MS.
   */
  private close(ws: WebSocket, politely: boolean): void {
    if (ws.readyState === ws.CLOSED) {
      return;
    }
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        this.closing.delete(closed);
        resolve();
      });
    });
    this.closing.add(closed);
    if (politely) {
      ws.close(CloseCode.Normal);
    } else {
      ws.terminate();
    }
  }

  private unclaimed(): PendingDial[] {
    return [...this.pending].filter((pending) => !pending.claimed);
  }
}

/** The gateway refused the key (401), its database (410) or the path (404): retrying will not help. */
function isRefusal(error: unknown): boolean {
  return error instanceof DialError && isLastingRefusal(error.cause);
}
