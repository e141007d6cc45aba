import type { WebSocket } from 'ws';

/**
 * Judges whether the far end of a tunnel WebSocket is alive, for the engine and the gateway alike.
 *
 * Anything heard from the peer counts: data (seen as the byte counter moving), a ping or a pong.
 * The peer is judged dead only after `deadAfterTicks` ticks in a row in which nothing was heard
 * while neither direction was held back on this end: reads paused (the local side is not taking
 * what the peer sends) or writes queued (the peer is not taking what this end sends). Under such a
 * hold the peer's frames wait behind data, so silence proves nothing; the count restarts. A session
 * then lives as long as its client and database keep it, as with Postgres, while a peer that froze
 * on an idle or running session is found after that many ticks.
 *
 * Each tick also sends a ping, unless writes are queued (it would only wait behind them). The
 * owner calls tick() every ping interval from one timer for all its sessions.
 */
export class PeerLiveness {
  private heardFrame = false;
  private lastReceived: number;
  private silentTicks = 0;

  /**
   * @param ws the tunnel WebSocket, open.
   * @param received the count of bytes received from the peer so far (the session's own counter).
   * @param deadAfterTicks how many silent, unheld ticks mean the peer is dead (at least 1).
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly received: () => number,
    private readonly deadAfterTicks: number,
  ) {
    this.lastReceived = received();
    ws.on('ping', this.onFrame);
    ws.on('pong', this.onFrame);
  }

  /**
   * One ping interval passed. Returns how many ticks in a row the peer was silent when it is
   * judged dead (the caller ends the session), else 0.
   */
  tick(): number {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) {
      return 0;
    }
    const received = this.received();
    const writesQueued = ws.bufferedAmount > 0;
    const heard = this.heardFrame || received !== this.lastReceived;
    this.heardFrame = false;
    this.lastReceived = received;
    this.silentTicks = heard || writesQueued || ws.isPaused ? 0 : this.silentTicks + 1;
    if (this.silentTicks >= this.deadAfterTicks) {
      return this.silentTicks;
    }
    if (!writesQueued) {
      ws.ping();
    }
    return 0;
  }

  private readonly onFrame = (): void => {
    this.heardFrame = true;
  };
}

/** Silent ticks that make a peer dead: `deadAfterMs` in whole ping intervals, at least one. */
export function deadAfterTicks(pingIntervalMs: number, deadAfterMs: number): number {
  return Math.max(1, Math.ceil(deadAfterMs / pingIntervalMs));
}
