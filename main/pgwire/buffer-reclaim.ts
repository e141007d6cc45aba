import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes moved (both ways, all sessions of the process) between two collections. */
export const RECLAIM_EVERY_BYTES = 2 * 1024 * 1024;

/** V8's gc(), as --expose-gc defines it. */
type Collect = (options: { type: 'minor' | 'major' }) => void;

let collect: Collect | undefined;
let moved = 0;

/**
 * Counts bytes a pump has moved; after every RECLAIM_EVERY_BYTES, asks V8 for a young-generation
 * collection (a scavenge: well under a millisecond, the heap of a proxy being small).
 *
 * Why: every socket read lands in a fresh buffer outside the JS heap, dead as soon as it is
 * written on. V8 frees such buffers only when a collection finds their small JS handles dead,
 * and a proxy allocates so little on its heap that none is due: measured, 30 MB of dead buffers
 * piled up between collections (process.memoryUsage().arrayBuffers), half of what a slow
 * reader's session cost the tunnel and the gateway in resident memory. Counting bytes rather
 * than running a timer keeps an idle tunnel asleep.
 *
 * gc() is exposed the way Node's documentation of v8.setFlagsFromString shows, on first use.
 */
export function reclaimAfter(bytes: number): void {
  moved += bytes;
  if (moved >= RECLAIM_EVERY_BYTES) {
    moved = 0;
    (collect ??= exposeGc())({ type: 'minor' });
  }
}

function exposeGc(): Collect {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Collect;
}
