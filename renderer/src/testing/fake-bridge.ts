import { vi, type Mock } from 'vitest';
import { RPC_COMMANDS, type AppSnapshot, type RpcClient } from '../../../shared/rpc.js';
import type { ConnectionListener, ConnectionState, WindowBridge } from '../bridge/window-bridge.js';
import { localCaCertificate, snapshotOf } from './fixtures.js';

type Mocked<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? Mock<(...args: A) => R> : T[K];
};

/** A bridge whose commands are mocks (resolving undefined unless told otherwise) and whose pushes a test sends. */
export interface FakeBridge extends WindowBridge {
  commands: Mocked<RpcClient>;
  push(snapshot: AppSnapshot): void;
  setConnection(state: ConnectionState): void;
}

export function fakeBridge(initial: AppSnapshot = snapshotOf([])): FakeBridge {
  const commands = Object.fromEntries(
    RPC_COMMANDS.map((name) => [name, vi.fn(async () => undefined)]),
  ) as unknown as Mocked<RpcClient>;
  commands.getSnapshot.mockResolvedValue(initial);
  commands.getLog.mockResolvedValue([]);
  commands.listConnectionSources.mockResolvedValue([]);
  commands.getLocalCa.mockResolvedValue(localCaCertificate());
  const snapshotListeners = new Set<(snapshot: AppSnapshot) => void>();
  const connectionListeners = new Set<ConnectionListener>();
  let connection: ConnectionState = 'open';
  return {
    ...commands,
    commands,
    onSnapshot(listener) {
      snapshotListeners.add(listener);
      return () => snapshotListeners.delete(listener);
    },
    connectionState: () => connection,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    push(snapshot) {
      snapshotListeners.forEach((listener) => listener(snapshot));
    },
    setConnection(state) {
      connection = state;
      connectionListeners.forEach((listener) => listener(state));
    },
  };
}
