import { readFileSync } from 'node:fs';

/** Resident set size of a process, in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Samples the RSS of some processes every `intervalMs` until stopped; reports each one's peak. */
export function samplePeakRss(pids: number[], intervalMs = 50): { stop(): number[] } {
  const peaks = pids.map((pid) => residentBytes(pid));
  const timer = setInterval(() => {
    pids.forEach((pid, i) => {
      peaks[i] = Math.max(peaks[i]!, residentBytes(pid));
    });
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}
