const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 → "1.2 MB": sizes as people read them (decimal units, one decimal). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  let unit = 1;
  // Move up while the value would *display* as 1000 or more: 999 950 B is 1.0 MB, not 1000.0 kB.
  while (unit < BYTE_UNITS.length - 1 && Number((bytes / 1000 ** unit).toFixed(1)) >= 1000) {
    unit++;
  }
  return `${(bytes / 1000 ** unit).toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** Milliseconds → "850 ms", "12.3 s", "3 m 04 s", "2 h 05 m". */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (Number((ms / 1000).toFixed(1)) < 60) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  // Whole seconds shown truncated, but never below the minute the branch above handed over.
  const seconds = Math.max(60, Math.floor(ms / 1000));
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} m`;
}
