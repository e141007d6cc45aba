import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { RECLAIM_EVERY_BYTES, reclaimAfter } from './buffer-reclaim.js';

/** The garbage collections this process runs while `during` does, as perf_hooks reports them. */
async function collectionsDuring(during: () => void): Promise<PerformanceEntry[]> {
  const seen: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  during();
  // gc entries are delivered asynchronously, after the collection.
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  return seen;
}

const isMinor = (entry: PerformanceEntry): boolean =>
  (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
  constants.NODE_PERFORMANCE_GC_MINOR;

it('asks V8 for a young-generation collection once the pumps have moved 2 MB, in any chunks', async () => {
  const chunk = 64 * 1024;
  // Start from a fresh count: one threshold's worth runs whatever was counted before.
  reclaimAfter(RECLAIM_EVERY_BYTES);
  const collections = await collectionsDuring(() => {
    for (let moved = 0; moved < RECLAIM_EVERY_BYTES; moved += chunk) {
      reclaimAfter(chunk);
    }
  });
  expect(collections.filter(isMinor).length).toBeGreaterThanOrEqual(1);
});
