import { useEffect, useState } from 'react';

/** A clock for live durations: Date.now(), refreshed every `intervalMs` while `active`. */
export function useNow(active: boolean, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) {
      return undefined;
    }
    const tick = (): void => setNow(Date.now());
    // Catch up at once (the clock stood still while inactive), then keep ticking.
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, intervalMs);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [active, intervalMs]);
  return now;
}
