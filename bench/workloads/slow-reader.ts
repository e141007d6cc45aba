import { samplePeakRss } from '../../main/testing/memory.js';
import { SlowReader } from '../../main/testing/slow-reader.js';
import type { Target } from '../targets.js';
import { proxies, type BenchContext, type Workload } from './workload.js';

/** DataRows of 1,000 bytes: the result size is rows × this (plus 11 bytes of framing each). */
const ROW_BYTES = 1000;
const MiB = 1024 * 1024;

/**
 * A large result read by a client slower than the tunnel: the peak resident memory of the tunnel
 * and of the gateway while it streams (MiB, as /proc counts them). A proxy that honours
 * backpressure holds a few socket buffers; one that does not holds whatever the reader is behind.
 */
export function slowReaderWorkload({ settings, targets }: BenchContext): Workload {
  const { bytes, bytesPerSecond, rounds } = settings.slowReader;
  const sql = `select repeat('x', ${ROW_BYTES}) from generate_series(1, ${bytes / ROW_BYTES})`;
  return {
    name: 'slow-reader',
    unit: 'MB',
    higherIsBetter: false,
    rounds,
    targets: proxies(targets),
    freshProcesses: true,
    measure: async (target: Target) => {
      const { tunnel, gateway } = target.processes()!;
      const { host, port, user, database, sslmode } = target.connection();
      const parameters = { user, database };
      const reader = await SlowReader.open(
        host,
        port,
        bytesPerSecond,
        parameters,
        sslmode === 'require',
      );
      const sampler = samplePeakRss([tunnel, gateway]);
      let peaks: number[];
      try {
        const reply = await reader.query(sql, (bytes / bytesPerSecond) * 3_000 + 60_000);
        if (reply.bytes < bytes) {
          throw new Error(`the slow reader got ${reply.bytes} bytes, expected ${bytes}`);
        }
      } finally {
        peaks = sampler.stop();
        reader.end();
      }
      return [
        { process: 'tunnel', value: peaks[0]! / MiB },
        { process: 'gateway', value: peaks[1]! / MiB },
      ];
    },
  };
}
