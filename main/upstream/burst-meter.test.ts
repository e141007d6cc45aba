import { describe, expect, it } from 'vitest';
import { BurstMeter } from './burst-meter.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const meter = (): BurstMeter => new BurstMeter(4, SECOND, 5 * MINUTE);

describe('BurstMeter', () => {
  it('knows of no burst before the first connection', () => {
    expect(meter().largest(0)).toBe(0);
  });

  it('counts four connections opened together as a burst of four (a GUI opening a database)', () => {
    const bursts = meter();
    for (const at of [10_000, 10_005, 10_020, 10_300]) {
      bursts.record(at);
    }
    expect(bursts.largest(10_300)).toBe(4);
  });

  it('counts connections a window or more apart one by one', () => {
    const bursts = meter();
    for (let at = 0; at < 20 * SECOND; at += SECOND) {
      bursts.record(at);
    }
    expect(bursts.largest(20 * SECOND)).toBe(1);
  });

  it('counts no more than its cap, however fast connections come (a script reconnecting)', () => {
    const bursts = meter();
    for (let at = 0; at < 2 * SECOND; at += 10) {
      bursts.record(at);
    }
    expect(bursts.largest(2 * SECOND)).toBe(4);
  });

  it('remembers the largest recent burst over smaller later ones, then forgets it', () => {
    const bursts = meter();
    for (const at of [0, 1, 2]) {
      bursts.record(at);
    }
    bursts.record(2 * MINUTE);
    expect(bursts.largest(2 * MINUTE)).toBe(3);
    expect(bursts.largest(5 * MINUTE + 3)).toBe(1);
    expect(bursts.largest(7 * MINUTE + 1)).toBe(0);
  });

  it('lets a later, larger burst replace an earlier one', () => {
    const bursts = meter();
    bursts.record(0);
    bursts.record(1);
    for (const at of [MINUTE, MINUTE + 1, MINUTE + 2]) {
      bursts.record(at);
    }
    expect(bursts.largest(MINUTE + 2)).toBe(3);
    expect(bursts.largest(5 * MINUTE + 10)).toBe(3);
  });
});
