import { isIPv4, isIPv6 } from 'node:net';
import type { FailedKeyLimit } from './config.js';

/**
 * Addresses remembered at most, so that a flood from many addresses costs bounded memory (about
 * 100 bytes an address) instead of growing without end. Past it the least recently seen address
 * that is not blocked is forgotten; a block is never forgotten before it ends (forgetting it
 * would lift it), so when every address held is blocked, new ones are not counted until a block
 * ends, and the limiter says it is full.
 */
export const MAX_TRACKED_ADDRESSES = 10_000;

interface Attempts {
  windowStartMs: number;
  failures: number;
  /** 0 when not blocked. */
  blockedUntilMs: number;
}

/**
 * Counts upgrades with an unknown API key per client address; an address that sends
 * `limit.attempts` of them within `limit.windowSeconds` is refused for `limit.blockSeconds`,
 * whatever key it sends, so that guessing keys goes no faster than that.
 */
export class FailedKeyLimiter {
  private readonly addresses = new Map<string, Attempts>();

  constructor(
    private limit: FailedKeyLimit,
    private readonly maxAddresses = MAX_TRACKED_ADDRESSES,
    private readonly now: () => number = Date.now,
  ) {}

  /** A reloaded config's limit applies from now on; what was counted so far is kept. */
  configure(limit: FailedKeyLimit): void {
    this.limit = limit;
  }

  /** Milliseconds until `address` may try again; 0 when it is not refused. */
  retryAfterMs(address: string): number {
    const attempts = this.addresses.get(addressBlock(address));
    return attempts ? Math.max(0, attempts.blockedUntilMs - this.now()) : 0;
  }

  /** Counts an unknown key from `address`; true when this one starts a block. */
  recordFailure(address: string): boolean {
    const key = addressBlock(address);
    const now = this.now();
    let attempts = this.addresses.get(key);
    if (attempts) {
      // Re-inserted on every failure: the map's order is then least recently seen first.
      this.addresses.delete(key);
    } else if (this.addresses.size >= this.maxAddresses && !this.forgetOneUnblocked(now)) {
      return false;
    }
    if (!attempts || now - attempts.windowStartMs > this.limit.windowSeconds * 1000) {
      attempts = { windowStartMs: now, failures: 0, blockedUntilMs: 0 };
    }
    attempts.failures++;
    const blocks = attempts.failures >= this.limit.attempts && attempts.blockedUntilMs <= now;
    if (blocks) {
      attempts.blockedUntilMs = now + this.limit.blockSeconds * 1000;
      // A block's own failures start a new window: the next block needs as many again.
      attempts.windowStartMs = now;
      attempts.failures = 0;
    }
    this.addresses.set(key, attempts);
    return blocks;
  }

  /** Forgets the least recently seen address that is not blocked; false when there is none. */
  private forgetOneUnblocked(now: number): boolean {
    for (const [key, attempts] of this.addresses) {
      if (attempts.blockedUntilMs <= now) {
        this.addresses.delete(key);
        return true;
      }
    }
    return false;
  }

  /**
   * True while it holds as many addresses as it may and every one is blocked: unknown keys from
   * new addresses are then not counted (the blocks it holds stay until they end).
   */
  full(): boolean {
    return (
      this.addresses.size >= this.maxAddresses && this.limitedAddresses() === this.addresses.size
    );
  }

  /** How many addresses are refused right now. */
  limitedAddresses(): number {
    const now = this.now();
    let count = 0;
    for (const attempts of this.addresses.values()) {
      if (attempts.blockedUntilMs > now) {
        count++;
      }
    }
    return count;
  }
}

/** Longest address kept: a trusted proxy's X-Forwarded-For might still hold something odd. */
const MAX_ADDRESS_LENGTH = 64;

/**
 * What one client is counted as: an IPv4 address, or the /64 network of an IPv6 one (a single
 * host is usually given a whole /64, so counting its addresses one by one would not slow it).
 */
export function addressBlock(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    return mapped[1]!;
  }
  if (isIPv4(address)) {
    return address;
  }
  const withoutZone = address.split('%')[0]!;
  if (isIPv6(withoutZone)) {
    const [head = '', tail] = withoutZone.split('::');
    const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
    const width = (parts: string[]): number =>
      parts.reduce((sum, part) => sum + (part.includes('.') ? 2 : 1), 0);
    const before = groups(head);
    const after = groups(tail);
    const full =
      tail === undefined
        ? before
        : [...before, ...Array<string>(8 - width(before) - width(after)).fill('0'), ...after];
    return `${full
      .slice(0, 4)
      .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
      .join(':')}::/64`;
  }
  return address.slice(0, MAX_ADDRESS_LENGTH);
}
