/** Data sizes are decimal (1 MB = 10^6 bytes), as in MB/s. */
export const MB = 1_000_000;

/** Sizes and repetitions of one run. */
export interface Settings {
  /** An unmeasured run per throughput workload and target first (see Workload.warmUp). */
  warmUp: boolean;
  pgbench: { seconds: number; rounds: number };
  copyOut: { bytes: number; rounds: number };
  copyIn: { bytes: number; rounds: number };
  idleSessions: { sessions: number; rounds: number };
  slowReader: { bytes: number; bytesPerSecond: number; rounds: number };
  /**
   * The rows of --rtt: pgbench `seconds` for connect and latency; `samples` timed measurements
   * per round for first-query and gui-open, `pauseMs` apart.
   */
  rtt: { seconds: number; rounds: number; samples: number; pauseMs: number };
}

/**
 * The full run fits in 10 minutes on 2 cores, with --floor too: pgbench is 3 workloads × 4 targets
 * × (2 rounds × 10 s + a 3 s warm-up) = 4.6 min; the copies move about 11 GB in all, warm-ups
 * included; the slow reader takes 25 s per tunnel by design; and
 * 1,000 logins take Postgres itself about 40 s (a backend costs it ~30 ms of CPU on such a machine).
 * --rtt adds about 4 minutes: 2 pgbench rows × 3 targets × (2 × 10 s + 3 s), and 2 timed rows ×
 * 3 targets × 2 rounds × 10 samples, each under a second with its pause.
 * Memory rows vary little from round to round, so they get one; throughput rows drift with
 * whatever else the machine does, so they get two or three, of which the report takes the median.
 */
const FULL: Settings = {
  warmUp: true,
  pgbench: { seconds: 10, rounds: 2 },
  copyOut: { bytes: 500 * MB, rounds: 3 },
  copyIn: { bytes: 200 * MB, rounds: 3 },
  idleSessions: { sessions: 1000, rounds: 1 },
  slowReader: { bytes: 500 * MB, bytesPerSecond: 20 * MB, rounds: 1 },
  rtt: { seconds: 10, rounds: 2, samples: 10, pauseMs: 500 },
};

/** Every workload, shortened, once: about a minute, to check that everything still works. */
const QUICK: Settings = {
  warmUp: false,
  pgbench: { seconds: 2, rounds: 1 },
  copyOut: { bytes: 50 * MB, rounds: 1 },
  copyIn: { bytes: 50 * MB, rounds: 1 },
  idleSessions: { sessions: 200, rounds: 1 },
  slowReader: { bytes: 100 * MB, bytesPerSecond: 20 * MB, rounds: 1 },
  rtt: { seconds: 2, rounds: 1, samples: 5, pauseMs: 500 },
};

export function settingsFor(quick: boolean): Settings {
  return quick ? QUICK : FULL;
}
