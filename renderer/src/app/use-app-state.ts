import { useCallback, useEffect, useState } from 'react';
import type { AppSnapshot } from '../../../shared/rpc.js';
import type { ConnectionState, WindowBridge } from '../bridge/window-bridge.js';

export interface AppState {
  snapshot: AppSnapshot | undefined;
  connection: ConnectionState;
  /** Why the first snapshot could not be read, when it could not. */
  loadError: string | undefined;
  /**
   * Asks for the first snapshot again. In the tray app, asking is also what starts again a core
   * that failed to start (a profiles file fixed meanwhile).
   */
  retry(): void;
}

/**
 * The latest snapshot, kept current by the bridge's pushes. The first one is also asked for:
 * Electron's bridge pushes only on change.
 */
export function useAppState(bridge: WindowBridge): AppState {
  const [snapshot, setSnapshot] = useState<AppSnapshot | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [connection, setConnection] = useState<ConnectionState>(
    () => bridge.connectionState?.() ?? 'open',
  );
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => {
    setLoadError(undefined);
    setAttempt((n) => n + 1);
  }, []);

  useEffect(() => {
    let live = true;
    const offSnapshot = bridge.onSnapshot((next) => {
      setSnapshot(next);
      setLoadError(undefined);
    });
    const offConnection = bridge.onConnectionChange?.(setConnection);
    bridge.getSnapshot().then(
      (first) => live && setSnapshot((current) => current ?? first),
      (error: Error) => live && setLoadError(error.message),
    );
    return () => {
      live = false;
      offSnapshot();
      offConnection?.();
    };
  }, [bridge, attempt]);

  return { snapshot, connection, loadError, retry };
}
