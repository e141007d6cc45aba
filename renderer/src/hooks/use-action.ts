import { useCallback, useState } from 'react';
import { useNotices } from '../app/notices.js';

/**
 * Runs a command on a click: `pending` while it runs (to disable the control), and a failure goes
 * to the notice bar instead of vanishing. Resolves with undefined when it failed.
 */
export function useAction<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
): { run: (...args: A) => Promise<R | undefined>; pending: boolean } {
  const { report } = useNotices();
  const [pending, setPending] = useState(false);
  const run = useCallback(
    async (...args: A) => {
      setPending(true);
      try {
        return await action(...args);
      } catch (error) {
        report(error);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [action, report],
  );
  return { run, pending };
}
