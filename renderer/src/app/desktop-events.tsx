import { useEffect } from 'react';
import { useBridge } from './bridge-context.js';
import { useNotices } from './notices.js';
import type { Navigate } from './route.js';

/**
 * The tray app's pushes to its window: a clicked notification opens its profile; a notice the
 * desktop could not show as a notification goes to the notice bar. Renders nothing; a browser
 * window (no desktop bridge) has none of these.
 */
export function DesktopEvents({ navigate }: { navigate: Navigate }) {
  const { desktop } = useBridge();
  const { report } = useNotices();
  useEffect(() => {
    if (!desktop) {
      return undefined;
    }
    const offProfile = desktop.onShowProfile((profileId) =>
      navigate({ screen: 'detail', profileId }),
    );
    const offNotice = desktop.onNotice((text) => report(new Error(text)));
    return () => {
      offProfile();
      offNotice();
    };
  }, [desktop, navigate, report]);
  return null;
}
