import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RelayOptions {
  /**
   * Each chunk is held this long, in ms, in each direction before it is passed on: half the round
   * trip of the network simulated. Order is kept and bandwidth is not capped (a chunk's delay
   * runs from when it arrived, not from when the one before it left). 0: passed on at once.
   */
  delayMs?: number;
}

/** One direction of a relayed connection: chunks wait in a queue, served by one timer. */
class DelayLine {
  /** `chunk` null: the sender's half-close, which follows its data. */
  private readonly queue: Array<{ due: number; chunk: Buffer | null }> = [];
  private timer: NodeJS.Timeout | undefined;
  frozen = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayMs: number,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
    from.on('end', () => this.push(null));
  }

  private push(chunk: Buffer | null): void {
    if (this.frozen) {
      return;
    }
    if (this.delayMs === 0) {
      this.write(chunk);
      return;
    }
    this.queue.push({ due: performance.now() + this.delayMs, chunk });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) {
      return;
    }
    const wait = Math.max(0, this.queue[0]!.due - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0]!.due <= now && !this.frozen) {
        this.write(this.queue.shift()!.chunk);
      }
      this.schedule();
    }, wait);
  }

  /** Passes a chunk on; a receiver that does not keep up holds the sender back, as TCP would. */
  private write(chunk: Buffer | null): void {
    if (chunk === null) {
      this.to.end();
    } else if (!this.to.write(chunk)) {
      this.from.pause();
      this.to.once('drain', () => this.from.resume());
    }
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
  lines: DelayLine[];
}

/**
 * A TCP relay on 127.0.0.1 to a local port, standing for the network between two programs: it can
 * delay every chunk (a round trip of 2 × delayMs, for the benchmark's --rtt), and fail the way
 * networks fail, for tests of what a tunnel does then.
 */
export class TcpRelay {
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;
  /** Connections accepted so far. */
  accepted = 0;
  port = 0;

  private constructor(targetPort: number, delayMs: number) {
    this.server = createServer({ noDelay: true }, (client) =>
      this.relay(client, targetPort, delayMs),
    );
  }

  /** Listens on a free port of 127.0.0.1 and relays each connection to 127.0.0.1:targetPort. */
  static async start(targetPort: number, { delayMs = 0 }: RelayOptions = {}): Promise<TcpRelay> {
    const relay = new TcpRelay(targetPort, delayMs);
    relay.port = await new Promise<number>((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => {
        const address = relay.server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    return relay;
  }

  /**
   * Cuts every open connection the way a NAT or firewall that lost its state does: the far side
   * is closed, the near side hears nothing until it next sends, and is then reset.
   */
  sever(): void {
    for (const pair of this.pairs) {
      pair.lines.forEach((line) => (line.frozen = true));
      pair.upstream.destroy();
      pair.client.removeAllListeners('data');
      pair.client.once('data', () => pair.client.resetAndDestroy());
    }
  }

  /** Freezes every open connection: nothing more passes either way, and nothing is closed. */
  freeze(): void {
    for (const pair of this.pairs) {
      pair.lines.forEach((line) => (line.frozen = true));
    }
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, targetPort: number, delayMs: number): void {
    this.accepted++;
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    const pair: Pair = {
      client,
      upstream,
      lines: [new DelayLine(client, upstream, delayMs), new DelayLine(upstream, client, delayMs)],
    };
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', () => {
      // A severed pair's client side stays open until it sends (see sever()).
      if (!pair.lines[0]!.frozen) {
        drop();
      }
    });
  }
}
