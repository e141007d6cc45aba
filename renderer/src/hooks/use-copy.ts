import { useCallback, useEffect, useRef, useState } from 'react';

/** How long "Copied" stays on the button. */
const FEEDBACK_MS = 1_500;

export type CopyStatus = 'idle' | 'copied' | 'failed';

/**
 * Copies text with the async Clipboard API (the window's origin, http://127.0.0.1, is a secure
 * context) and reports the outcome for a moment, so the button can say "Copied".
 */
export function useCopy(): { status: CopyStatus; copy(text: string): Promise<void> } {
  const [status, setStatus] = useState<CopyStatus>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = useCallback(async (text: string) => {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setStatus('copied');
    } catch {
      setStatus('failed');
    }
    timer.current = setTimeout(() => setStatus('idle'), FEEDBACK_MS);
  }, []);

  return { status, copy };
}
