/**
 * How many connections a tunnel's clients open at once: the largest number opened within any
 * `windowMs` during the last `memoryMs`, counted up to `cap`. A GUI opening a schema browser, a
 * SQL tab and a metadata connection together is a burst of three or four; a script reconnecting
 * in a loop counts as many as it opens in a window. The warm pool is sized by it.
 *
 * Constant memory and time per connection whatever the rate: the last `cap` opening times give
 * the burst ending now, and a sliding-window maximum (a deque of decreasing sizes, at most `cap`
 * long) gives the largest over the memory. Times are in ms, from any monotonic clock.
 */
export class BurstMeter {
  /** The opening times of the last `cap` connections, oldest first. */
  private readonly recent: number[] = [];
  /** Bursts that are still the largest of what came after them: sizes strictly decreasing. */
  private readonly peaks: Array<{ at: number; size: number }> = [];

  constructor(
    private readonly cap: number,
    private readonly windowMs: number,
    private readonly memoryMs: number,
  ) {}

  /** A connection was opened at `now`. */
  record(now: number): void {
    this.recent.push(now);
    if (this.recent.length > this.cap) {
      this.recent.shift();
    }
    while (this.recent.length > 0 && this.recent[0]! <= now - this.windowMs) {
      this.recent.shift();
    }
    const size = this.recent.length;
    while (this.peaks.length > 0 && this.peaks[this.peaks.length - 1]!.size <= size) {
      this.peaks.pop();
    }
    this.peaks.push({ at: now, size });
  }

  /** The largest burst that ended within the last `memoryMs` before `now`, at most `cap`; 0 if none. */
  largest(now: number): number {
    while (this.peaks.length > 0 && this.peaks[0]!.at <= now - this.memoryMs) {
      this.peaks.shift();
    }
    return this.peaks[0]?.size ?? 0;
  }
}
