import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation (the new space, where every object starts) at the size it starts
 * with, about 2 MiB on 64-bit Node 20, instead of letting it double up to 32 MiB. Call it first
 * thing in a process, before anything allocates much: the new space never shrinks once grown.
 *
 * Why: V8 grows the new space whenever objects are allocated quickly, and a proxy does that in
 * bursts (a burst of logins, a large result streaming) that leave it grown for good. Grown, it
 * is resident memory the process keeps while idle: measured with 1,000 idle sessions opened 25
 * at a time, the young generation was half of what each session seemed to cost (tunnel 21.0 →
 * 10.2 KB per session, gateway 35.0 → 17.5 KB, in one run on a shared 2-core machine). A proxy's
 * objects die young (a chunk's handle lives until it is written on), so a small new space costs
 * only more frequent scavenges, each well under a millisecond; docs/benchmark.md has the
 * throughput rows measured before and after.
 *
 * How: V8 reads --semi-space-growth-factor each time it grows the new space, so setting it to 1
 * at run time stops the growth (the size flags, by contrast, are read once, when the heap is
 * made). Node's caution about v8.setFlagsFromString, and why a run-time flag is acceptable, are
 * in buffer-reclaim.ts; this flag changes no collector's behaviour, only how far one space may
 * grow. Checked on Node 20.20 and 24.22: set at run time, the new space stays at 2 MiB through a
 * burst that grows it to 32 MiB without. (Given on Node 24's command line instead, the factor is
 * raised to V8's minimum of 2, and does nothing.) Not checked in Electron's main process.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
