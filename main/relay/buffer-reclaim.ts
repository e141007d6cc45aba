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
 * collection (a scavenge: well under a millisecond, the heap of a proxy being small). This is the
 * one place that explains it; docs/architecture.md points here.
 *
 * Why: every socket read lands in a fresh buffer outside the JS heap, dead as soon as it is
 * written on. V8 frees such buffers only when a collection finds their small JS handles dead,
 * and a proxy allocates so little on its heap that none is due: measured, 30 MB of dead buffers
 * piled up between collections (process.memoryUsage().arrayBuffers), half of what a slow
 * reader's session cost in resident memory. With it, the benchmark's slow reader (100 MB read
 * slowly through the tunnel) peaked at 59.9 MB in the tunnel (88.8 MB before) and 67.2 MB in the
 * gateway (102.9 MB before), in one run on a shared 2-core machine. Counting bytes rather than
 * running a timer keeps an idle tunnel asleep.
 *
 * How: gc() exists only with V8's --expose-gc. Our bin cannot pass it portably in its
 * `#!/usr/bin/env node` line, and NODE_OPTIONS belongs to whoever runs us (every Node process
 * they start reads it), as does Electron's command line. So it is set at run time with
 * v8.setFlagsFromString, and the function read from a context made after it (V8 installs its gc
 * extension in new contexts only). Node's documentation warns that changing V8 flags after the
 * VM has started "may result in unpredictable behavior, including crashes and data loss; or it
 * may simply do nothing". Acceptable here: this flag changes no heap setting or collector
 * behaviour, it only adds a function to contexts created later; it is set once, on first use;
 * and if it does nothing (gc is then not a function) the pumps go on without collections, as
 * before, rather than fail.
 *
 * The tray app runs the engine in Electron's main process, which is Node: the same code exposes
 * gc() there (not run on our build machines, where Electron's binary cannot be installed; the
 * fallback above keeps the tunnel working should it not). Electron's
 * `app.commandLine.appendSwitch('js-flags', '--expose-gc')` would not help: Electron reads
 * js-flags for its main process only from the command line it was started with.
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
  try {
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') {
      return gc as Collect;
    }
  } catch {
    // A runtime without the gc extension: fall through.
  }
  return () => {};
}
