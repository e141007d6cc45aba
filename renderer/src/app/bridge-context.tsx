import { createContext, useContext, type ReactNode } from 'react';
import type { WindowBridge } from '../bridge/window-bridge.js';

const BridgeContext = createContext<WindowBridge | undefined>(undefined);

export function BridgeProvider({
  bridge,
  children,
}: {
  bridge: WindowBridge;
  children: ReactNode;
}) {
  return <BridgeContext.Provider value={bridge}>{children}</BridgeContext.Provider>;
}

/** The RPC bridge of this window. */
export function useBridge(): WindowBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) {
    throw new Error('useBridge() was called outside <BridgeProvider>: wrap the app in one.');
  }
  return bridge;
}
